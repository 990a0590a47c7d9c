"""Which notes of a collection a deck's sync may act on, and what a sync keeps in the
collection so that a rerun after a kill ends where one whole sync would have.

A deck owns the notes that carried its tag ``cardpress::<deck id>`` before the sync, the
notes an earlier sync of it put its tags on (the collection's record), the notes whose
GUID only this deck derives (deck id and card id), and the notes the sync creates. A
``guid:`` setting naming any other note does not take it over: the sync leaves that note
out of the package it imports and never moves, retags, suspends or deletes it.
"""

from __future__ import annotations

import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardpress.anki.notes import REMOVED_TAG, deck_tag
from cardpress.anki.sync import SyncError
from cardpress.model import TAG_NAMESPACE

if TYPE_CHECKING:
    from cardpress.anki.sync import DeckPlan, NoteRow

OWN_TAGS_RECORD = "cardpress:own-tags:{deck}"
"""The collection's config key of the user's own tags on the notes an import is about to
update, written before the import and removed once the tags are back on the notes."""
PACKAGE_COLLECTION = "collection.anki2"


@dataclass(frozen=True)
class Ownership:
    """Which of the collection's notes (as they were before the sync) a deck may act on."""

    owned: frozenset[str]
    """GUIDs of notes of the package that the collection holds and the deck owns."""
    foreign: Mapping[str, str]
    """GUID -> card id: a ``guid:`` names a note that is not the deck's; left alone."""
    reclaimed: frozenset[int]
    """Note ids the deck owns that another deck's package took over (they carry its tag)."""
    removable: frozenset[str]
    """GUIDs of the deck's notes that the package no longer holds as live notes."""
    strays: tuple[int, ...]
    """Note ids tagged with the deck's tag that the deck never had: left alone."""

    def may_touch(self, guid: str, before: Mapping[str, NoteRow]) -> bool:
        """Whether the sync may act on the note ``guid``: owned, or created by this sync."""
        return guid in self.owned or guid not in before


def ownership(
    plan: DeckPlan, before: Mapping[str, NoteRow], recorded: Iterable[str], *, first: bool
) -> Ownership:
    """Sort the collection's notes for ``plan``; ``recorded`` are the GUIDs an earlier sync
    of the deck tagged, ``first`` says the collection has no record of such a sync. A first
    sync (or one without a lock file) stops when the collection holds notes tagged with the
    deck's tag that neither the content nor the lock file accounts for."""
    mine = deck_tag(plan.deck).casefold()
    namespace = f"{TAG_NAMESPACE}::".casefold()
    ours = {mine, REMOVED_TAG.casefold()}
    recorded = set(recorded)
    owned: set[str] = set()
    foreign: dict[str, str] = {}
    reclaimed: set[int] = set()
    for guid in plan.tags:
        row = before.get(guid)
        if row is None:
            continue
        tags = {t.casefold() for t in row.tags}
        if mine in tags or guid in recorded or guid not in plan.named:
            owned.add(guid)
            if mine not in tags and any(t.startswith(namespace) and t not in ours for t in tags):
                reclaimed.add(row.nid)
        else:
            foreign[guid] = plan.card_ids.get(guid, guid)
    known = plan.tags.keys() | plan.known
    removable: set[str] = set()
    strays: list[int] = []
    unaccounted: list[str] = []
    for guid, row in before.items():
        if guid in plan.live or mine not in {t.casefold() for t in row.tags}:
            continue
        if guid not in known:
            unaccounted.append(guid)
        if guid in known or guid in recorded:
            removable.add(guid)
        else:
            strays.append(row.nid)
    if unaccounted and (first or not plan.had_lock):
        raise SyncError(
            f"{plan.deck}: the collection already holds {len(unaccounted)} note(s) tagged "
            f"{deck_tag(plan.deck)} that this content does not account for: another deck "
            f"with the same id, or this deck without its lock file ({plan.lock_path.name}). "
            "Put the deck's lock file back, or give this deck an id of its own; nothing "
            "was changed"
        )
    return Ownership(
        frozenset(owned), foreign, frozenset(reclaimed), frozenset(removable), tuple(strays)
    )


def ownership_lines(owners: Ownership, plan: DeckPlan, dry_run: bool) -> list[str]:
    """The notes the sync leaves alone or takes back, in words."""
    lines = []
    if owners.foreign:
        ids = ", ".join(sorted(owners.foreign.values()))
        lines.append(
            f"  {'would leave' if dry_run else 'left'} alone {len(owners.foreign)} note(s) "
            f"that a guid: setting names but that are not this deck's (they do not carry "
            f"{deck_tag(plan.deck)}): {ids}. If they are yours to hand over, add that tag "
            "to them in Anki and sync again"
        )
    if owners.reclaimed:
        lines.append(
            f"  {'would take' if dry_run else 'took'} back {len(owners.reclaimed)} note(s) "
            "that another deck's package had taken over"
        )
    if owners.strays:
        lines.append(
            f"  {'would leave' if dry_run else 'left'} alone {len(owners.strays)} note(s) "
            f"tagged {deck_tag(plan.deck)} that this deck never put there"
        )
    return lines


def read_own_tags(col: Any, deck: str) -> dict[str, tuple[str, ...]]:
    """GUID -> the user's own tags recorded before an import that did not finish."""
    value = col.get_config(OWN_TAGS_RECORD.format(deck=deck), None)
    if not isinstance(value, dict):
        return {}
    return {
        str(guid): tuple(str(t) for t in tags)
        for guid, tags in value.items()
        if isinstance(tags, list)
    }


def keep_own_tags(col: Any, deck: str, own: Mapping[str, Iterable[str]]) -> None:
    """Record the user's own tags of the notes the import will update, before it does."""
    record = {guid: list(tags) for guid, tags in sorted(own.items()) if tags}
    key = OWN_TAGS_RECORD.format(deck=deck)
    if record and col.get_config(key, None) != record:
        col.set_config(key, record)


def forget_own_tags(col: Any, deck: str) -> None:
    """The tags are back on the notes: the record has done its work."""
    key = OWN_TAGS_RECORD.format(deck=deck)
    if col.get_config(key, None) is not None:
        col.remove_config(key)


def package_stamps(package: Path) -> dict[str, int]:
    """GUID -> modification time of every note in the package."""
    with tempfile.TemporaryDirectory(prefix="cardpress-package-") as tmp:
        path = _extract(package, Path(tmp))
        db = sqlite3.connect(path)
        try:
            return {str(g): int(m) for g, m in db.execute("select guid, mod from notes")}
        finally:
            db.close()


def drop_notes(package: Path, guids: Iterable[str]) -> None:
    """Rewrite ``package`` without the notes ``guids`` (and their cards)."""
    wanted = sorted(set(guids))
    if not wanted:
        return
    with tempfile.TemporaryDirectory(prefix="cardpress-package-") as tmp:
        path = _extract(package, Path(tmp))
        db = sqlite3.connect(path)
        try:
            marks = ",".join("?" * len(wanted))
            db.execute(
                f"delete from cards where nid in (select id from notes where guid in ({marks}))",
                wanted,
            )
            db.execute(f"delete from notes where guid in ({marks})", wanted)
            db.commit()
        finally:
            db.close()
        rewritten = Path(tmp) / "package.apkg"
        with zipfile.ZipFile(package) as old, zipfile.ZipFile(rewritten, "w") as new:
            for info in old.infolist():
                data = path.read_bytes() if info.filename == PACKAGE_COLLECTION else None
                new.writestr(info, data if data is not None else old.read(info))
        rewritten.replace(package)


def _extract(package: Path, folder: Path) -> Path:
    path = folder / PACKAGE_COLLECTION
    with zipfile.ZipFile(package) as archive:
        path.write_bytes(archive.read(PACKAGE_COLLECTION))
    return path
