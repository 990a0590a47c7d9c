"""Edits made in Anki: the fields of a deck's notes that differ in a collection from
everything cardpress put there.

What cardpress put in a note's field is known twice: the lock records the fields the last
package held (``BuiltNote.fields``), and every ``cardpress sync`` records in the
collection a hash of each field it left there (``FIELDS_RECORD``), which stays right
however many builds ran in between. A field that matches neither was edited in Anki.
Such a field is *at risk* when the next package holds something else: importing it
would replace the edit. ``cardpress sync`` stops before changing anything while edits are
at risk, unless told which side wins (``--keep-anki-edits``, ``--overwrite-anki-edits``);
``cardpress preview`` lists them; ``cardpress pull`` (``anki_pull``) writes them back
into the Markdown.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cardpress.anki.notetypes import NOTE_TYPES
from cardpress.anki.package_notes import PackageNote
from cardpress.lock import Lock

FIELDS_RECORD = "cardpress:fields:{deck}"
"""The collection's config key of the hashes of the fields the last sync left on each
note of a deck."""
KEEP = "keep"
OVERWRITE = "overwrite"
_BLOCK_TAG_RE = re.compile(r"</?(?:p|div|br|li|ul|ol|pre|tr|td|th|h\d|blockquote|hr)\b[^>]*>")
_TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class KnownNote:
    """One live note of the next package, with what cardpress last put in it."""

    card_id: str
    guid: str
    names: tuple[str, ...]
    package: tuple[str, ...]
    """The fields the next package holds: the Markdown as it is now."""
    built: tuple[str, ...] | None
    """The fields the last package held (None: the lock has no record)."""
    stamp: int | None
    """When the last package's version of the note was made."""


@dataclass(frozen=True)
class DeckNotes:
    deck: str
    notes: tuple[KnownNote, ...]
    note_types: tuple[tuple[int, int | None], ...] = ()
    """(note type id, when the last package's version was made) of each note type the
    next package uses."""


@dataclass(frozen=True)
class FieldEdit:
    """A field of a note edited in Anki, that the next package would replace."""

    deck: str
    card_id: str
    guid: str
    nid: int
    field: str
    index: int
    anki: str
    """The field in the collection: the edit."""
    package: str
    """What the next package holds (the Markdown)."""
    built: str | None
    """What the last package held, before the edit (None: unknown)."""
    markdown_changed: bool = False
    """The Markdown changed this field too since cardpress last put it in the note."""
    behind: bool = False
    """The note was last changed in the collection before the last package was made: an
    edit made before that build, or an older package's version (see ``edited_fields``)."""

    def diff(self) -> str:
        """A short word diff from the Markdown's text to Anki's: ``[-gone-]{+added+}``."""
        return short_diff(plain(self.package), plain(self.anki))


def known_notes(deck: str, lock: Lock, notes: Sequence[PackageNote]) -> DeckNotes:
    """The next package's live notes, with the fields and stamps the lock recorded."""
    renamed_from = {new: old for old, new in lock.renames}
    known = []
    for note in notes:
        if note.removed:
            continue
        before_id = renamed_from.get(note.card_id, note.card_id)
        entry = lock.previous.get(before_id)
        built = entry.built if entry is not None else None
        same_kind = built is not None and built.kind == note.kind.value
        stamp = lock.previous_stamps.get(f"anki:note:{before_id}")
        known.append(
            KnownNote(
                card_id=note.card_id,
                guid=note.guid,
                names=NOTE_TYPES[note.kind].fields,
                package=note.fields,
                built=built.fields if built is not None and same_kind else None,
                stamp=stamp[1] if stamp is not None else None,
            )
        )
    ids = sorted({NOTE_TYPES[note.kind].id for note in notes})
    stamps = [lock.previous_stamps.get(f"anki:notetype:{i}") for i in ids]
    types = tuple((i, stamp[1] if stamp else None) for i, stamp in zip(ids, stamps, strict=True))
    return DeckNotes(deck, tuple(known), types)


def field_hash(text: str) -> str:
    return hashlib.sha256(normal(text).encode()).hexdigest()[:16]


def normal(text: str) -> str:
    """A field as compared: Unicode composed the way Anki stores text."""
    return unicodedata.normalize("NFC", text)


def recorded_fields(col: Any, deck: str) -> dict[str, list[str]]:
    """GUID -> the hashes of the fields the last sync left on each note of ``deck``."""
    value = col.get_config(FIELDS_RECORD.format(deck=deck), None)
    if not isinstance(value, dict):
        return {}
    return {
        str(guid): [str(h) for h in hashes]
        for guid, hashes in value.items()
        if isinstance(hashes, list)
    }


def collection_notes(col: Any, guids: Iterable[str]) -> dict[str, tuple[int, int, list[str]]]:
    """GUID -> (note id, modification time, fields) of the notes the collection has."""
    wanted = set(guids)
    found = {}
    for guid, nid, mod, flds in col.db.all("select guid, id, mod, flds from notes"):
        if guid in wanted:
            found[guid] = (nid, mod, str(flds).split("\x1f"))
    return found


def edited_fields(
    col: Any, decks: Sequence[DeckNotes], *, at_risk: bool = True, include_behind: bool = False
) -> list[FieldEdit]:
    """Every field edited in Anki (with ``at_risk``, only those the next package would
    replace: it holds something else). A note last changed in the collection before the
    last package was made, with no record of a sync, may hold an older package's version
    or an edit made before that build: nothing tells which, so it is left out unless
    ``include_behind`` (then marked ``behind``)."""
    edits: list[FieldEdit] = []
    for deck in decks:
        records = recorded_fields(col, deck.deck)
        held = collection_notes(col, (n.guid for n in deck.notes))
        for note in deck.notes:
            if note.guid not in held:
                continue
            nid, mod, fields = held[note.guid]
            record = records.get(note.guid)
            behind = record is None and (note.stamp or 0) > mod
            if (record is None and note.built is None) or (behind and not include_behind):
                continue
            for index, name in enumerate(note.names):
                if index >= len(fields) or index >= len(note.package):
                    break
                anki = fields[index]
                known = set(record[index : index + 1]) if record else set()
                if note.built is not None and index < len(note.built):
                    known.add(field_hash(note.built[index]))
                if field_hash(anki) in known:
                    continue
                if at_risk and normal(anki) == normal(note.package[index]):
                    continue
                edits.append(
                    FieldEdit(
                        deck.deck,
                        note.card_id,
                        note.guid,
                        nid,
                        name,
                        index,
                        anki,
                        note.package[index],
                        note.built[index] if note.built and index < len(note.built) else None,
                        field_hash(note.package[index]) not in known,
                        behind,
                    )
                )
    return edits


def record(col: Any, deck: DeckNotes) -> None:
    """Remember in the collection the fields the sync left on the deck's notes (the
    package's: an edit kept with ``--keep-anki-edits`` stays an edit until pulled or
    overwritten); written only when they changed, so that a sync with nothing to do
    changes nothing."""
    value = fields_record(col, deck)
    key = FIELDS_RECORD.format(deck=deck.deck)
    if col.get_config(key, None) != value:
        col.set_config(key, value)


def fields_record(col: Any, deck: DeckNotes) -> dict[str, list[str]]:
    """What ``record`` writes: the hashes of the package's fields of each note held."""
    held = collection_notes(col, (n.guid for n in deck.notes))
    return {
        note.guid: [field_hash(f) for f in note.package]
        for note in sorted(deck.notes, key=lambda n: n.guid)
        if note.guid in held
    }


def plain(field: str) -> str:
    """A field's text for a diff: tags dropped, entities decoded, spaces collapsed."""
    text = _TAG_RE.sub("", _BLOCK_TAG_RE.sub(" ", field))
    return " ".join(html.unescape(text).split())


def short_diff(old: str, new: str, context: int = 3, limit: int = 160) -> str:
    """Words removed ``[-...-]`` and added ``{+...+}``, with a few words of context."""
    a, b = old.split(), new.split()
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    codes = matcher.get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag == "equal":
            words = a[i1:i2]
            if len(words) > 2 * context:
                head = words[:context] if n else []
                tail = words[-context:] if n < len(codes) - 1 else []
                words = [*head, "…", *tail] if head or tail else ["…"]
            parts.append(" ".join(words))
            continue
        if i2 > i1:
            parts.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            parts.append("{+" + " ".join(b[j1:j2]) + "+}")
    text = " ".join(p for p in parts if p)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report(edits: Sequence[FieldEdit]) -> list[str]:
    """One line per edited field: the note, the field and the diff from the Markdown."""
    return [
        f"  {edit.deck}: {edit.card_id}, field {edit.field}: {edit.diff()}"
        for edit in sorted(edits, key=lambda e: (e.deck, e.card_id, e.index))
    ]


ADVICE = (
    "bring them into the Markdown with 'cardpress pull', or run the sync again with "
    "--keep-anki-edits (keep them this time) or --overwrite-anki-edits (replace them with "
    "the Markdown)"
)


@dataclass(frozen=True)
class SyncEdits:
    """What a sync knows of edits made in Anki, and what the user decided for them."""

    decks: tuple[DeckNotes, ...]
    edits: tuple[FieldEdit, ...]
    decision: str | None
    """``KEEP``, ``OVERWRITE`` or None (not decided: a sync with edits stops)."""

    def lines(self, dry_run: bool, deck: str | None = None) -> list[str]:
        edits = [e for e in self.edits if deck is None or e.deck == deck]
        if not edits:
            return []
        what = {
            KEEP: "would keep" if dry_run else "kept",
            OVERWRITE: "would overwrite" if dry_run else "overwrote",
            None: "would stop for" if dry_run else "stopped for",
        }[self.decision]
        head = f"{what} {len(edits)} field(s) edited in Anki that the Markdown would replace:"
        tail = [f"  to decide: {ADVICE}"] if self.decision is None else []
        return [head, *report(edits), *tail]

    def refusal(self) -> str:
        """Why the sync stops before changing anything."""
        return "\n".join(
            [
                f"{len(self.edits)} field(s) edited in Anki would be overwritten by the "
                "Markdown; nothing was changed:",
                *report(self.edits),
                ADVICE[0].upper() + ADVICE[1:],
            ]
        )

    def without(self, guids: set[str], nids: frozenset[int] = frozenset()) -> SyncEdits:
        """The same without the notes of these GUIDs (not the deck's: left alone) and
        without edits on these notes (taken back from another deck: not edits)."""
        edits = tuple(e for e in self.edits if e.guid not in guids and e.nid not in nids)
        decks = tuple(
            DeckNotes(d.deck, tuple(n for n in d.notes if n.guid not in guids), d.note_types)
            for d in self.decks
        )
        return SyncEdits(decks, edits, self.decision)

    def after_import(self, col: Any, deck: str, left_alone: set[str] | None = None) -> None:
        """Give the deck's notes the package's fields, but for the edits kept with
        ``--keep-anki-edits``, whatever the import did (Anki skips a note whose copy in the
        collection is as new as the package's, an edit or a build in the same second),
        then record what the sync left."""
        kept = {
            (e.nid, e.index): e.anki for e in self.edits if e.deck == deck and self.decision == KEEP
        }
        for notes in self.decks:
            if notes.deck != deck:
                continue
            held = collection_notes(col, (n.guid for n in notes.notes))
            changed = []
            for note in notes.notes:
                if note.guid not in held or note.guid in (left_alone or set()):
                    continue
                nid, _, fields = held[note.guid]
                wanted = [kept.get((nid, i), field) for i, field in enumerate(note.package)]
                if len(fields) != len(wanted):
                    continue
                if any(normal(a) != normal(b) for a, b in zip(fields, wanted, strict=True)):
                    anki_note = col.get_note(nid)
                    for index, value in enumerate(wanted):
                        anki_note.fields[index] = value
                    changed.append(anki_note)
            if changed:
                col.update_notes(changed)
            record(col, self.without(left_alone or set()).decks[self.decks.index(notes)])


def deck_notes(deck: Any, lock: Lock, templates: Any) -> DeckNotes:
    """The next package's live notes of ``deck`` (``cardpress.model.Deck``)."""
    from cardpress.anki.package_notes import package_notes
    from cardpress.templates import shared_environment

    notes = package_notes(
        deck, shared_environment(templates), lock.renamed_note_ids(), lock.tombstones()
    )
    return known_notes(deck.key, lock, notes)


def sync_edits(col: Any, decks: Sequence[DeckNotes], keep: bool, overwrite: bool) -> SyncEdits:
    decision = KEEP if keep else OVERWRITE if overwrite else None
    return SyncEdits(tuple(decks), tuple(edited_fields(col, decks)), decision)
