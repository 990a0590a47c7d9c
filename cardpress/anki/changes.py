"""What importing the next Anki package does to a collection that holds the previous one.

Computed from the lock file (what the last package held: stamps, GUIDs, decks, fields)
and the content alone, without Anki: the build reports it, ``cardpress preview`` shows
it before the build, and a sync can act on it. Outcomes follow Anki's import log: a note
whose GUID the collection lacks is "new"; one it has is "updated" when the package's
stamp is newer, else "unchanged" (Anki logs it as a duplicate).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardpress.anki.notes import (
    REMOVED_TAG,
    deck_tag,
    guid_for,
    removed_notes_search,
    search_escape,
)
from cardpress.anki.notetypes import NOTE_TYPES, render_note_types
from cardpress.anki.package_notes import PackageNote, package_notes
from cardpress.lock import BuiltNote, Lock
from cardpress.model import CardKind, Deck
from cardpress.templates import shared_environment

OUTCOMES = ("new", "updated", "unchanged")


@dataclass(frozen=True)
class NoteChange:
    """One note of the next package and what its import does."""

    card_id: str
    outcome: str
    """"new", "updated" or "unchanged", as Anki's import log counts the note."""
    deck: str
    """The Anki deck the package puts its cards in."""
    fields: tuple[str, ...] = ()
    """The names of the fields whose content changed (known from lock version 2 on)."""
    tags_changed: bool = False
    moved_from: str | None = None
    """The subdeck its cards are in, when the package puts them elsewhere: an import
    never moves the cards of a note the collection has."""
    kind_change: tuple[str, str] | None = None
    """(old kind, new kind) when the card changed kind."""
    renamed_from: str | None = None
    removed: bool = False
    """A tombstone: a removed card's note, unchanged but for the tag cardpress::removed."""


@dataclass(frozen=True)
class DeckChanges:
    """Everything importing one deck's next package changes in a collection."""

    deck: str
    notes: tuple[NoteChange, ...]
    removed: tuple[str, ...]
    """Cards removed since the last build (their notes stay in Anki)."""
    restyled: tuple[str, ...]
    """Note types whose templates or CSS changed: Anki updates them in place."""
    hazards: tuple[str, ...]
    renames: tuple[tuple[str, str], ...] = ()
    """(old id, new id): cards whose note keeps its identity under a new id."""
    rename_hints: tuple[tuple[str, str], ...] = ()
    """(gone id, new id): a card disappeared while a new one has its question or answer."""
    unknown_was: tuple[tuple[str, str], ...] = ()
    """(card id, old id): a ``was:`` whose old id has no note the card could take over."""
    guid_cards: tuple[str, ...] = ()
    """Cards whose ``guid:`` setting names the note they update, wherever it is."""

    def ids(self, outcome: str) -> list[str]:
        return sorted(n.card_id for n in self.notes if n.outcome == outcome)

    @property
    def moved(self) -> list[NoteChange]:
        return sorted((n for n in self.notes if n.moved_from), key=lambda n: n.card_id)

    @property
    def kind_changed(self) -> list[NoteChange]:
        return sorted((n for n in self.notes if n.kind_change), key=lambda n: n.card_id)

    @property
    def tags_changed(self) -> list[NoteChange]:
        return [n for n in self.notes if n.tags_changed and n.outcome == "updated"]

    def moves(self) -> dict[str, list[str]]:
        """Target subdeck -> the ids of the cards to move there."""
        targets: dict[str, list[str]] = {}
        for note in self.moved:
            targets.setdefault(note.deck, []).append(note.card_id)
        return dict(sorted(targets.items()))

    def move_search(self, card_ids: Sequence[str]) -> str:
        """The Anki browser search that selects exactly these notes' cards."""
        terms = " OR ".join(f'"Id:{search_escape(i)}"' for i in sorted(card_ids))
        return f'"tag:{deck_tag(self.deck)}" ({terms})'

    def removed_search(self) -> str:
        """The search for the notes of removed cards: the tombstone tag, or their ids."""
        tombstoned = {n.card_id for n in self.notes if n.removed}
        if tombstoned and tombstoned >= set(self.removed):
            return f'"tag:{deck_tag(self.deck)}" "tag:{REMOVED_TAG}"'
        ids = sorted(tombstoned | set(self.removed))
        return removed_notes_search(self.deck, ids)

    def to_json(self) -> dict[str, Any]:
        return {
            "deck": self.deck,
            **{outcome: self.ids(outcome) for outcome in OUTCOMES},
            "removed": list(self.removed),
            "moved": [n.card_id for n in self.moved],
            "kind_changed": [n.card_id for n in self.kind_changed],
            "tombstones": sorted(n.card_id for n in self.notes if n.removed),
            "fields_changed": {
                n.card_id: list(n.fields) for n in sorted(self.notes, key=_key) if n.fields
            },
            "moves": [
                {"to": target, "cards": ids, "search": self.move_search(ids)}
                for target, ids in self.moves().items()
            ],
            "kind_changes": {n.card_id: list(n.kind_change or ()) for n in self.kind_changed},
            "renamed": {new: old for old, new in self.renames},
            "rename_hints": {new: gone for gone, new in self.rename_hints},
            "unknown_was": {card_id: old for card_id, old in self.unknown_was},
            "removed_search": self.removed_search() if self.removed else None,
            "note_types_restyled": list(self.restyled),
            "hazards": list(self.hazards),
            "guid_takeovers": list(self.guid_cards),
        }


def _key(note: NoteChange) -> str:
    return note.card_id


def deck_changes(
    deck: Deck,
    lock: Lock,
    notes: Sequence[PackageNote],
    removed: Sequence[str],
    note_type_fingerprints: Mapping[CardKind, str],
) -> DeckChanges:
    """Compare the next package's ``notes`` with what the lock says the last one held."""
    old_key = lock.recorded_deck or deck.key
    held = _held_guids(lock, old_key)
    renamed_from = {new: old for old, new in lock.renames}
    kind_changes = {card_id: (old, new) for card_id, old, new in lock.kind_changes}
    imported = {card.id for card in deck.cards() if card.guid}  # GUIDs from Anki itself
    changes = []
    for note in notes:
        before_id = renamed_from.get(note.card_id, note.card_id)
        before = lock.previous.get(before_id)
        stamp = lock.previous_stamps.get(f"anki:note:{before_id}")
        if note.guid not in held and not (note.card_id in imported and stamp is not None):
            outcome = "new"
        elif stamp is not None and stamp[0] == note.fingerprint:
            outcome = "unchanged"
        else:
            outcome = "updated"
        built = before.built if before is not None else None
        names = NOTE_TYPES[note.kind].fields
        fields: tuple[str, ...] = ()
        moved_from = None
        if built is not None and outcome == "updated":
            fields = tuple(
                name
                for name, old, new in zip(names, built.fields, note.fields, strict=False)
                if old != new
            )
        if built is not None and outcome != "new" and not note.removed:
            moved_from = built.deck if built.deck != note.deck else None
        changes.append(
            NoteChange(
                card_id=note.card_id,
                outcome=outcome,
                deck=note.deck,
                fields=fields,
                tags_changed=built is not None and outcome != "new" and built.tags != note.tags,
                moved_from=moved_from,
                kind_change=_kind_change(note, built, kind_changes.get(note.card_id)),
                renamed_from=renamed_from.get(note.card_id),
                removed=note.removed,
            )
        )
    restyled = tuple(
        NOTE_TYPES[kind].name
        for kind, fingerprint in sorted(note_type_fingerprints.items())
        if (recorded := lock.previous_stamps.get(f"anki:notetype:{NOTE_TYPES[kind].id}"))
        and recorded[0] != fingerprint
    )
    hazards = []
    if old_key != deck.key:
        hazards.append(
            f"the deck id changed from '{old_key}' to '{deck.key}': every note is new to "
            "Anki and starts without reviews; the old notes stay. Change the id back unless "
            "that is what you want"
        )
    if imported:
        hazards.append(guid_hazard(sorted(imported)))
    return DeckChanges(
        deck=deck.key,
        notes=tuple(changes),
        removed=tuple(removed),
        restyled=restyled,
        hazards=tuple(hazards),
        renames=tuple(lock.renames),
        rename_hints=tuple(lock.rename_hints),
        unknown_was=tuple(lock.unknown_was),
        guid_cards=tuple(sorted(imported)),
    )


GUIDS_SHOWN = 20


def guid_hazard(card_ids: Sequence[str]) -> str:
    """The warning for cards that name their note by ``guid:``: the package alone cannot
    tell whose note that is, and Anki's import updates it wherever it is."""
    shown = ", ".join(card_ids[:GUIDS_SHOWN])
    if len(card_ids) > GUIDS_SHOWN:
        shown += f" and {len(card_ids) - GUIDS_SHOWN} more (cardpress preview --json lists all)"
    return (
        f"{len(card_ids)} card(s) take over the Anki note their guid: setting names: "
        f"{shown}. Importing the package updates the notes with those GUIDs wherever they "
        "are, even in another deck: they get this deck's text, tags and cards. Keep guid: "
        "only for notes imported from your own collection (cardpress sync leaves notes that "
        "are not this deck's alone)"
    )


def _kind_change(
    note: PackageNote, built: BuiltNote | None, recorded: tuple[str, str] | None
) -> tuple[str, str] | None:
    """The kind of the note the last package held, and the kind now, when they differ."""
    if note.removed:
        return None
    if built is None:  # a version 1 lock: the kind the last build recorded
        return recorded
    return (built.kind, note.kind.value) if built.kind != note.kind.value else None


def _held_guids(lock: Lock, deck_key: str) -> set[str]:
    """The GUIDs of every note the packages built so far put into the collection."""
    held: set[str] = set()
    for card_id, entry in lock.previous.items():
        if f"anki:note:{card_id}" not in lock.previous_stamps or entry.renamed_to is not None:
            continue
        for kind in entry.built_kinds():
            held.add(guid_for(deck_key, entry.note or card_id, CardKind(kind)))
    return held


def next_package(
    deck: Deck,
    lock: Lock,
    removed: Sequence[str],
    templates_dir: Path,
    notes: Sequence[PackageNote] | None = None,
) -> tuple[DeckChanges, Sequence[PackageNote]]:
    """The notes the next build's package holds for ``deck`` (``notes`` when the build
    worked them out already), and what importing it does."""
    if notes is None:
        env = shared_environment(templates_dir)
        notes = package_notes(deck, env, lock.renamed_note_ids(), lock.tombstones())
    note_types = render_note_types(templates_dir)
    fingerprints = {kind: note_types[kind].fingerprint for kind in {n.kind for n in notes}}
    return deck_changes(deck, lock, notes, removed, fingerprints), notes


def record_package(lock: Lock, notes: Sequence[PackageNote]) -> None:
    """Remember in the lock what the package just written holds, for the next comparison."""
    for note in notes:
        if not note.removed:
            lock.record_built(
                note.card_id, BuiltNote(note.kind.value, note.deck, note.tags, note.fields)
            )
