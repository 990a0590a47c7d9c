"""Whether a ``cardpress sync`` has anything to change in a collection: a sync backs the
collection up only before a change, and otherwise says where its last backup is.

Decided before the sync builds, from the collection as it is: nothing to change means
every note and note type of the next packages is in the collection at least as new as
the package's copy (so Anki's import skips it) and with the package's fields, every
removed card's note is there, nothing is to be moved, retagged, suspended or deleted,
no field edited in Anki is to be kept or overwritten, and the collection's records of
the last sync are current: then the sync writes nothing at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cardpress.anki.backup import BACKUP_PREFIX
from cardpress.anki.edits import (
    FIELDS_RECORD,
    SyncEdits,
    collection_notes,
    fields_record,
    normal,
)
from cardpress.anki.profiles import CollectionPlace
from cardpress.anki.tag_record import TAGS_RECORD, has_record


def nothing_to_change(col: Any, planned: Sequence[Any], edits: SyncEdits, *, delete: bool) -> bool:
    """``planned``: the sync's ``Planned`` decks (plan, owners, work)."""
    if edits.edits:
        return False
    for deck in planned:
        plan, work = deck.plan, deck.work
        if deck.owners.reclaimed or not has_record(col, plan.deck):
            return False
        changes = plan.changes
        if changes.ids("new") or changes.ids("updated") or changes.restyled or changes.hazards:
            return False
        if not work.empty or (delete and work.removed):
            return False
    mods = {str(guid): int(mod) for guid, mod in col.db.all("select guid, mod from notes")}
    for deck in edits.decks:
        held = collection_notes(col, (note.guid for note in deck.notes))
        for note in deck.notes:
            if note.stamp is None or mods.get(note.guid, -1) < note.stamp:
                return False
            fields = held[note.guid][2]
            if [normal(f) for f in fields] != [normal(f) for f in note.package]:
                return False
        for type_id, stamp in deck.note_types:
            note_type = col.models.get(type_id)
            if note_type is None or stamp is None or int(note_type["mod"]) < stamp:
                return False
    if not all(guid in mods for deck in planned for guid in deck.plan.tombstones):
        return False
    return _records_current(col, planned, edits, set(mods))


def _records_current(col: Any, planned: Sequence[Any], edits: SyncEdits, held: set[str]) -> bool:
    """Whether the collection's records of what the last sync put on the notes (tags,
    fields) are what this sync would write: then it writes nothing at all."""
    for deck in planned:
        plan, mine = deck.plan, held - set(deck.owners.foreign)
        tags = {guid: list(t) for guid, t in sorted(plan.tags.items()) if guid in mine}
        if col.get_config(TAGS_RECORD.format(deck=plan.deck), None) != tags:
            return False
    return all(
        col.get_config(FIELDS_RECORD.format(deck=deck.deck), None) == fields_record(col, deck)
        for deck in edits.decks
    )


def last_backup(place: CollectionPlace) -> Path | None:
    """The newest backup a sync wrote for this collection, if any."""
    found = sorted(
        place.backups.glob(f"{BACKUP_PREFIX}*.colpkg"), key=lambda p: (p.stat().st_mtime, p.name)
    )
    return found[-1] if found else None


def back_up_before_change(col: Any, place: CollectionPlace, needed: bool) -> Path | None:
    """Back the collection up when the sync will change it; else say so, and where the
    last backup is. Returns the backup to restore (None: there is none)."""
    if needed:
        from cardpress.anki.backup import back_up

        backup = back_up(col, place)
        print(f"backed up {place.shown} to {backup}", flush=True)
        return backup
    last = last_backup(place)
    where = f"the last backup is {last}" if last else "there is no backup from an earlier sync"
    print(f"nothing to change in {place.shown}, so no backup was made; {where}", flush=True)
    return last
