"""What a build records in the lock files: each deck's new Anki package, written beside
the lock file before any output moves, so that outputs and lock files change together."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cardpress.errors import BuildError

if TYPE_CHECKING:
    from cardpress.anki.package_notes import PackageNote
    from cardpress.lock import Lock
    from cardpress.model import Deck
    from cardpress.parse.loader import ContentState

Log = Callable[[str], None]


def notes_to_write(deck: Deck, lock: Lock, templates: Path) -> tuple[PackageNote, ...]:
    """The notes of the package a build writes for ``deck``: worked out once, before it
    renders, for the renderer and then for ``stage_locks``."""
    from cardpress.anki.package_notes import package_notes
    from cardpress.templates import shared_environment

    env = shared_environment(templates.resolve())
    return tuple(package_notes(deck, env, lock.renamed_note_ids(), lock.tombstones()))


def stage_locks(
    state: ContentState,
    anki_notes: Mapping[str, Sequence[PackageNote]],
    templates: Path,
    staged: list[tuple[Lock, Path]],
    warn: Log,
) -> list[str]:
    """Record the new packages (``anki_notes``: the notes of each deck whose package was
    just written) in the lock files and write each changed lock file beside its place
    (into ``staged``), before any output moves; returns the notices to print."""
    notices: list[str] = []
    for deck in state.decks:
        lock = state.locks[deck.key]
        removed = state.removed.get(deck.key, [])
        if lock.unknown_was:
            from cardpress.anki.report import unknown_was_warning

            for card_id, old_id in lock.unknown_was:
                warn(unknown_was_warning(deck.key, card_id, old_id))
        if deck.key in anki_notes:
            notices += record_anki_package(deck, lock, removed, templates, anki_notes[deck.key])
        elif removed or lock.kind_changes:
            from cardpress.anki.report import notices_without_package

            notices += notices_without_package(deck.key, lock, removed)
        try:
            temps = lock.stage()
        except OSError as exc:
            raise BuildError(
                f"{lock.path.parent}: cannot write the lock file {lock.path.name} "
                f"({exc.strerror or exc}); the previous outputs and lock files were left "
                "as they were"
            ) from None
        staged.extend((lock, temp) for temp in temps)
    return notices


def record_anki_package(
    deck: Deck, lock: Lock, removed: list[str], templates: Path, written: Sequence[PackageNote]
) -> list[str]:
    """What importing the package just written (its notes: ``written``) does; the lock
    remembers what it holds."""
    from cardpress.anki import report as anki_report
    from cardpress.anki.changes import next_package, record_package

    changes, notes = next_package(deck, lock, removed, templates.resolve(), written)
    record_package(lock, notes)
    return anki_report.notices(changes)
