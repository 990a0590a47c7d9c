"""What a build records in the lock files: each deck's new Anki package, written beside
the lock file before any output moves, so that outputs and lock files change together."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cardpress.errors import BuildError

if TYPE_CHECKING:
    from cardpress.lock import Lock
    from cardpress.model import Deck
    from cardpress.parse.loader import ContentState

Log = Callable[[str], None]


def stage_locks(
    state: ContentState,
    anki_built: set[str],
    templates: Path,
    staged: list[tuple[Lock, Path]],
    warn: Log,
) -> list[str]:
    """Record the new packages in the lock files and write each changed lock file beside
    its place (into ``staged``), before any output moves; returns the notices to print."""
    notices: list[str] = []
    for deck in state.decks:
        lock = state.locks[deck.key]
        removed = state.removed.get(deck.key, [])
        if lock.unknown_was:
            from cardpress.anki.report import unknown_was_warning

            for card_id, old_id in lock.unknown_was:
                warn(unknown_was_warning(deck.key, card_id, old_id))
        if deck.key in anki_built:
            notices += record_anki_package(deck, lock, removed, templates)
        elif removed or lock.kind_changes:
            from cardpress.anki.report import notices_without_package

            notices += notices_without_package(deck.key, lock, removed)
        try:
            temp = lock.stage()
        except OSError as exc:
            raise BuildError(
                f"{lock.path.parent}: cannot write the lock file {lock.path.name} "
                f"({exc.strerror or exc}); the previous outputs and lock files were left "
                "as they were"
            ) from None
        if temp is not None:
            staged.append((lock, temp))
    return notices


def record_anki_package(deck: Deck, lock: Lock, removed: list[str], templates: Path) -> list[str]:
    """What importing the package just written does; the lock remembers what it holds."""
    from cardpress.anki import report as anki_report
    from cardpress.anki.changes import next_package, record_package

    changes, notes = next_package(deck, lock, removed, templates.resolve())
    record_package(lock, notes)
    return anki_report.notices(changes)
