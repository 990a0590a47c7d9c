"""Outputs of decks that no longer exist: said once, with their paths, and left alone;
``--prune`` removes them.

A deck that is deleted, or given another id, leaves its outputs in the output folder.
The build state (``freshness.BuildState``) records every output a build wrote, so the
first build without the deck finds exactly those files, and only while each is still the
file cardpress wrote: a file the user has changed, or one that cardpress never wrote, is
never reported nor removed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cardpress.build.freshness import BuildState, Leftover, write
from cardpress.errors import path_shown
from cardpress.renderers import FORMATS

Log = Callable[[str], None]


def settle(
    out: Path,
    prune_them: bool,
    before: BuildState,
    after: BuildState,
    keys: list[str] | None,
    info: Log,
    warn: Log,
) -> None:
    """Find the leftovers of the decks gone since ``before`` (``keys``: the deck ids of
    this build; None: no new ones), report the new ones or, with ``prune_them``, remove
    every one, then keep ``after`` as the folder's build state."""
    if keys is not None:
        after.leftovers = found_after(out, before, keys)
    if prune_them:
        prune(out, after, info, warn)
    else:
        report(out, before, after, warn)
    write(out, after)


def found_after(out: Path, old: BuildState, keys: list[str]) -> dict[str, Leftover]:
    """The outputs of decks whose ids are no longer among ``keys``, as ``old`` recorded
    them, that are still the files cardpress wrote and that no current deck writes."""
    taken = {f"{key}{row.suffix}" for key in keys for row in FORMATS.values()}
    found = dict(old.leftovers)
    for record in old.decks.values():
        if record.key not in keys:
            for output in record.outputs.values():
                found[output.file] = Leftover(record.key, output.sha256, output.identity)
    return {
        name: left
        for name, left in sorted(found.items())
        if name not in taken and left.unchanged(out, name)
    }


def report(out: Path, before: BuildState, after: BuildState, warn: Log) -> None:
    """Say which leftovers ``after`` holds that ``before`` did not: the build found them."""
    found = sorted(name for name in after.leftovers if name not in before.leftovers)
    if not found:
        return
    decks = sorted({after.leftovers[name].key for name in found})
    warn(
        f"cardpress: note: {len(found)} file(s) in {path_shown(out)} are outputs of "
        f"{'a deck' if len(decks) == 1 else 'decks'} that no longer exist "
        f"({', '.join(decks)}); left in place (cardpress --prune removes them):"
    )
    for name in found:
        warn(f"  {path_shown(out / name)}")


def prune(out: Path, state: BuildState, info: Log, warn: Log) -> None:
    """Remove the leftovers ``state`` records that are still the files cardpress wrote,
    and forget them all."""
    for name, left in sorted(state.leftovers.items()):
        path = out / name
        if left.unchanged(out, name):
            path.unlink(missing_ok=True)
            info(f"removed {path_shown(path)} (an output of {left.key}, which no longer exists)")
        elif path.exists():
            warn(f"cardpress: note: kept {path_shown(path)}: it changed after cardpress wrote it")
    state.leftovers.clear()
