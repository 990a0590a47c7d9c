"""Whether a ``cardpress sync`` has anything to change in a collection: a sync backs the
collection up only before a change, and otherwise says where its last backup is.

Decided before the sync builds, from the collection as it is: nothing to change means
every note and note type of the next packages is in the collection at least as new as
the package's copy (so Anki's import skips it) and with the package's fields, every
removed card's note is there, and nothing is to be moved, retagged, suspended or
deleted, and no field edited in Anki is to be kept or overwritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cardpress.anki_backup import BACKUP_PREFIX
from cardpress.anki_edits import SyncEdits, collection_notes, normal
from cardpress.anki_profiles import CollectionPlace
from cardpress.anki_sync import DeckPlan, DeckWork


def nothing_to_change(
    col: Any, planned: Sequence[tuple[DeckPlan, DeckWork]], edits: SyncEdits, *, delete: bool
) -> bool:
    if edits.edits:
        return False
    for plan, work in planned:
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
    return all(guid in mods for plan, _ in planned for guid in plan.tombstones)


def last_backup(place: CollectionPlace) -> Path | None:
    """The newest backup a sync wrote for this collection, if any."""
    found = sorted(
        place.backups.glob(f"{BACKUP_PREFIX}*.colpkg"), key=lambda p: (p.stat().st_mtime, p.name)
    )
    return found[-1] if found else None


def back_up_before_change(col: Any, place: CollectionPlace, needed: bool) -> None:
    """Back the collection up when the sync will change it; else say so, and where the
    last backup is."""
    if needed:
        from cardpress.anki_backup import back_up

        print(f"backed up {place.shown} to {back_up(col, place)}")
        return
    last = last_backup(place)
    where = f"the last backup is {last}" if last else "there is no backup from an earlier sync"
    print(f"nothing to change in {place.shown}, so no backup was made; {where}")
