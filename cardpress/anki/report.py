"""The words for what an import will do (see ``anki_changes``): the build prints the
notices, ``cardpress preview`` the whole summary."""

from __future__ import annotations

from cardpress.anki.changes import DeckChanges, NoteChange
from cardpress.anki.notes import REMOVED_TAG, removed_notes_search, replaced_note_search
from cardpress.lock import Lock
from cardpress.model import CardKind

TAGS_CAVEAT = (
    "Anki replaces the tags of every note an import updates, so tags you added in Anki "
    "(marked, leech, ...) on those notes are lost; flags and reviews stay (cardpress sync "
    "imports and puts them back)"
)


def notices(changes: DeckChanges) -> list[str]:
    """What the user must know or do in Anki after importing the package just written."""
    key = changes.deck
    lines = [f"{key}: {hazard}" for hazard in changes.hazards]
    if changes.removed:
        lines.append(removed_notice(changes))
    for old, new in changes.renames:
        lines.append(f"{key}: card {old} is now {new}: its Anki note keeps its reviews")
    for gone, new in changes.rename_hints:
        lines.append(
            f"{key}: card {gone} disappeared and the new card {new} has its question or "
            f"answer. If it is the same card, keep its Anki note and reviews: write "
            f"<!-- id: {new}; was: {gone} --> under its heading and build again before "
            "importing"
        )
    lines += [kind_change_notice(key, note) for note in changes.kind_changed]
    for target, ids in changes.moves().items():
        lines.append(
            f"{key}: {len(ids)} card(s) now belong in the subdeck '{target}', but an import "
            f"leaves cards where they are: in Anki's browser search {changes.move_search(ids)}"
            f" and use Cards > Change Deck to move them to '{target}'"
        )
    if changes.tags_changed:
        lines.append(
            f"{key}: the tags of {len(changes.tags_changed)} note(s) changed. {TAGS_CAVEAT}"
        )
    return lines


def removed_notice(changes: DeckChanges) -> str:
    removed = changes.removed
    kept = {n.card_id for n in changes.notes if n.removed}
    where = (
        f"the package keeps their notes, tagged {REMOVED_TAG}; after the import, find every "
        "note to delete with"
        if kept >= set(removed)
        else "an import never deletes notes; find them in Anki's browser with"
    )
    return (
        f"{changes.deck}: {len(removed)} card(s) removed since the last build: "
        f"{', '.join(removed)}. {where[0].upper()}{where[1:]}: {changes.removed_search()}"
    )


def kind_change_notice(key: str, note: NoteChange) -> str:
    assert note.kind_change is not None
    old, new = note.kind_change
    left_behind = replaced_note_search(key, note.card_id, CardKind(old))
    if note.outcome != "new":
        return (
            f"{key}: card {note.card_id} changed from {old} back to {new}: Anki finds the "
            f"{new} note it had, with its reviews, and updates it; the {old} note stays, find "
            f"it with: {left_behind}"
        )
    return (
        f"{key}: card {note.card_id} changed from {old} to {new}: Anki adds it as a new note "
        f"and keeps the old one; find the old note with: {left_behind}"
    )


def summary(changes: DeckChanges, *, sync: bool = False) -> list[str]:
    """The preview: every kind of change, then the notices. With ``sync``, for
    ``cardpress sync --dry-run``: without the advice for a package import (Change Deck
    searches, lost tags, removed notes to find), which the sync's own lines replace."""
    if sync:
        return _sync_summary(changes)
    lines = [f"{changes.deck}: importing the next package into a collection that holds the last:"]
    lines += _counts(changes)
    updated = changes.ids("updated")
    moved = changes.moved
    if moved:
        lines.append(f"  cards in the wrong subdeck after the import: {len(moved)}")
        lines += [f"    {n.card_id}: {n.moved_from} -> {n.deck}" for n in moved]
    for note in changes.kind_changed:
        assert note.kind_change is not None
        lines.append(f"  kind change: {note.card_id}: {' -> '.join(note.kind_change)}")
    if changes.restyled:
        lines.append(f"  note types restyled: {', '.join(changes.restyled)}")
    if updated and not changes.tags_changed:  # else a notice below says it
        lines.append(f"  note: {TAGS_CAVEAT}")
    notes = notices(changes)
    notes += [unknown_was_warning(changes.deck, i, old) for i, old in changes.unknown_was]
    if moved or changes.removed or updated:
        notes.append(
            f"{changes.deck}: syncing instead of importing (cardpress sync) moves the cards, "
            "keeps the tags you added and tags and suspends the notes of removed cards "
            "itself: see cardpress sync --dry-run"
        )
    return lines + (["", *notes] if notes else [])


def _counts(changes: DeckChanges) -> list[str]:
    """New, updated (with what changed) and unchanged notes, and removed cards."""
    lines = []
    new, updated, unchanged = (changes.ids(o) for o in ("new", "updated", "unchanged"))
    lines.append(f"  new notes: {len(new)}" + (f" ({', '.join(new)})" if new else ""))
    lines.append(f"  updated notes: {len(updated)}")
    by_id = {n.card_id: n for n in changes.notes}
    for card_id in updated:
        note = by_id[card_id]
        what = [*note.fields, *(["tags"] if note.tags_changed else [])]
        extra = " (tombstone)" if note.removed else ""
        lines.append(f"    {card_id}: {', '.join(what) or 'stamp'}{extra}")
    lines.append(f"  unchanged notes: {len(unchanged)}")
    if changes.removed:
        lines.append(f"  removed cards: {len(changes.removed)} ({', '.join(changes.removed)})")
    return lines


def _sync_summary(changes: DeckChanges) -> list[str]:
    key = changes.deck
    lines = [f"{key}: the sync imports the next package:", *_counts(changes)]
    if changes.restyled:
        lines.append(f"  note types restyled: {', '.join(changes.restyled)}")
    notes = [f"{key}: {hazard}" for hazard in changes.hazards]
    notes += [
        f"{key}: card {old} is now {new}: its Anki note keeps its reviews"
        for old, new in changes.renames
    ]
    for gone, new_id in changes.rename_hints:
        notes.append(
            f"{key}: card {gone} disappeared and the new card {new_id} has its question or "
            f"answer. If it is the same card, keep its Anki note and reviews: write "
            f"<!-- id: {new_id}; was: {gone} --> under its heading before syncing"
        )
    for note in changes.kind_changed:
        assert note.kind_change is not None
        old, new_kind = note.kind_change
        found = (
            "finds the note it had, with its reviews"
            if note.outcome != "new"
            else ("adds it as a new note")
        )
        notes.append(
            f"{key}: card {note.card_id} changed from {old} to {new_kind}: the sync {found}, "
            f"and tags the {old} note {REMOVED_TAG} and suspends its cards"
        )
    notes += [unknown_was_warning(key, i, old) for i, old in changes.unknown_was]
    return lines + (["", *notes] if notes else [])


def notices_without_package(key: str, lock: Lock, removed: list[str]) -> list[str]:
    """Removals and kind changes, when this build wrote no Anki package for the deck."""
    lines = []
    if removed:
        lines.append(
            f"{key}: {len(removed)} card(s) removed since the last build: "
            f"{', '.join(removed)}. An import never deletes notes; find them in Anki's "
            f"browser with: {removed_notes_search(key, removed)}"
        )
    for card_id, old, new in lock.kind_changes:
        search = replaced_note_search(key, card_id, CardKind(old))
        lines.append(
            f"{key}: card {card_id} changed from {old} to {new}: an Anki import keeps "
            f"its {old} note; find it with: {search}"
        )
    return lines


def unknown_was_warning(key: str, card_id: str, old_id: str) -> str:
    return (
        f"{key}: card {card_id} says 'was: {old_id}', but the lock file has no card "
        f"'{old_id}' whose note it could take over (unknown, still used by a card, or "
        f"'{card_id}' is already taken): remove 'was: {old_id}'"
    )
