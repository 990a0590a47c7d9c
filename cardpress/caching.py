"""Where a build keeps what it learnt for the next one: the user's cache folder.

The build state (which outputs are current) and the parse and PDF caches live in
``$XDG_CACHE_HOME/cardpress/builds/<digest of the output folder's absolute path>/``
(``~/.cache`` when XDG_CACHE_HOME is unset), never in the output folder. An output
folder comes with a repository as easily as the content does, so nothing found there may
decide what gets rebuilt or be taken for a parse. Standard library only: the no-op
check uses it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: builds into one folder are not serialised
    fcntl = None  # type: ignore[assignment]


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/cardpress``; the XDG rules ignore a relative XDG_CACHE_HOME."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(configured) if os.path.isabs(configured) else Path.home() / ".cache"
    return base / "cardpress"


def build_folder(out: Path) -> Path:
    """The cache folder of the builds into ``out``: one per output folder."""
    digest = hashlib.sha256(os.fsencode(os.path.realpath(out))).hexdigest()[:32]
    return cache_root() / "builds" / digest


@contextlib.contextmanager
def output_lock(out: Path, info: Callable[[str], None]) -> Iterator[None]:
    """Hold the output folder for one build at a time: a second build into it (a
    ``--watch`` beside a manual build, two terminals) waits until the first is done, so
    neither can sweep the other's temporary files or record the other's outputs. The
    lock is released by the kernel however the build ends."""
    folder = build_folder(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / "build.lock", "a+b")  # noqa: SIM115 (held until the end)
    except OSError:  # no cache folder: build unserialised rather than not at all
        yield
        return
    with handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                info(f"waiting for another build into {out} to finish")
                fcntl.flock(handle, fcntl.LOCK_EX)
        yield
