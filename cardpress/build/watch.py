"""``--watch``: rebuild whenever a file in the content or templates folder changes.

Polling keeps this dependency-free and works on every file system; a scan of a few
hundred files costs a few milliseconds, so scanning ten times a second costs little and
an edit is seen within about 0.15 s.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from cardpress.build.pipeline import BuildOptions
from cardpress.content.vault import SETTINGS_FILES
from cardpress.template_folders import search_path

Snapshot = dict[str, tuple[int, int]]


def scan(*folders: Path, files: tuple[Path, ...] = ()) -> Snapshot:
    """(mtime, size) of every file, skipping the lock files and temporary files we write,
    and of each of ``files`` that exists (a vault's settings, in its hidden folder)."""
    found: Snapshot = {}
    paths = [str(path) for path in files]
    for folder in folders:
        for directory, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            paths.extend(
                os.path.join(directory, name)
                for name in names
                if not name.startswith(".") and not name.endswith(".lock")
            )
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    changed = [p for p in after if before.get(p) != after[p]]
    removed = [p for p in before if p not in after]
    return sorted(changed) + [f"{p} (deleted)" for p in sorted(removed)]


def watch(
    options: BuildOptions,
    run: Callable[[], int],
    info: Callable[[str], None],
    interval: float = 0.1,
    max_builds: int | None = None,
    settle: float = 0.05,
) -> int:
    """Build, then rebuild on each change until interrupted; errors are printed, not fatal.

    A change is built once the folders look the same twice ``settle`` seconds apart (an
    editor that writes in several steps is done); a change made during a build is seen
    by the next scan, since each snapshot is taken before the build it starts."""
    folders = (options.content, *search_path(options.templates))
    settings = tuple(options.content / rel for rel in SETTINGS_FILES)
    snapshot = scan(*folders, files=settings)
    status = run()
    builds = 1
    info("watching for changes (Ctrl-C to stop)")
    while max_builds is None or builds < max_builds:
        time.sleep(interval)
        current = scan(*folders, files=settings)
        if current == snapshot:
            continue
        while True:
            time.sleep(settle)
            again = scan(*folders, files=settings)
            if again == current:
                break
            current = again
        info("changed: " + ", ".join(changes(snapshot, current)))
        snapshot = current
        status = run()
        builds += 1
        info("watching for changes (Ctrl-C to stop)")
    return status
