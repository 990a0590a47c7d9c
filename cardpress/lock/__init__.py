"""The deck lock file: stable card ids and modification stamps, committed beside the content.

Anki matches notes by GUID only, and a GUID derived from a card's text would turn every
edit into a new note. So cards without an explicit id get one on their first build,
recorded here together with hashes of their question and answer, which let the id follow
the card through edits, moves and reordering. Stamps record, for any named piece of an
output, a fingerprint and the time it last changed, so that unchanged notes keep their
modification time (and their bytes) and changed ones are always newer.

This package offers the lock itself (here), its files on disk (``files``: a small index
and parts, written only where they changed), how cards find their ids in it (``ids``) and
how a lock file is read and checked (``reader``).
"""

from __future__ import annotations

import copy
import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardpress import atomic
from cardpress.lock import files, kept_parts
from cardpress.lock.texts import slug, text_hash
from cardpress.model import Deck

__all__ = [
    "BuiltNote",
    "Lock",
    "LockedCard",
    "Tombstone",
    "slug",
    "text_hash",
]


@dataclass(frozen=True)
class BuiltNote:
    """A card's note as the last Anki package held it: what ``cardpress preview`` compares
    with, and what a removed card's tombstone repeats so that only its tags change."""

    kind: str
    """Its note type's kind: a card whose kind differs now makes or finds another note."""
    deck: str
    """The Anki (sub)deck its cards went to."""
    tags: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Tombstone:
    """A removed card whose note the package keeps, tagged ``cardpress::removed``."""

    card_id: str
    note_id: str
    """The id its GUID comes from (its first id, before any rename)."""
    kind: str
    built: BuiltNote


@dataclass
class LockedCard:
    question: str
    answer: str
    kind: str | None = None  # None: recorded before kinds were
    removed: bool = False
    note: str | None = None
    """The id its Anki note's GUID comes from, when the card was renamed (``was:``)."""
    renamed_to: str | None = None
    """The card's new id, when this id was renamed: the id stays taken."""
    kinds: tuple[str, ...] = ()
    """Every kind whose note an Anki package held, when there were several: changing
    back finds that note."""
    built: BuiltNote | None = None
    section: str | None = None
    """The key of the section the card was last in: its place, which tells cards with the
    same question and answer apart (None: recorded before places were)."""

    def built_kinds(self) -> set[str]:
        """The kinds whose notes of this card packages held (a version 1 lock: its kind)."""
        kinds = {*self.kinds, *([self.built.kind] if self.built else [])}
        return kinds or ({self.kind} if self.kind else set())

    def to_json(self) -> dict[str, Any]:
        """The card's line of the index (what its note held goes to a part)."""
        data: dict[str, Any] = {"question": self.question, "answer": self.answer}
        data["kind"] = self.kind
        if self.section is not None:
            data["section"] = self.section
        if self.removed:
            data["removed"] = True
        if self.note is not None:
            data["note"] = self.note
        if self.renamed_to is not None:
            data["renamed_to"] = self.renamed_to
        if set(self.kinds) - {self.built.kind if self.built else None}:
            data["kinds"] = list(self.kinds)
        return data

    @classmethod
    def from_json(cls, entry: dict[str, Any]) -> LockedCard:
        built = entry.get("anki")  # versions 1 and 2: what the note held, on the card
        kind = str(entry["kind"]) if entry.get("kind") is not None else None
        return cls(
            question=str(entry["question"]),
            answer=str(entry["answer"]),
            kind=kind,
            removed=bool(entry.get("removed", False)),
            note=str(entry["note"]) if "note" in entry else None,
            renamed_to=str(entry["renamed_to"]) if "renamed_to" in entry else None,
            kinds=tuple(map(str, entry.get("kinds", ()))),
            section=str(entry["section"]) if "section" in entry else None,
            built=None if built is None else built_from_json(built, kind),
        )


def built_to_json(built: BuiltNote) -> dict[str, Any]:
    return {
        "kind": built.kind,
        "deck": built.deck,
        "tags": list(built.tags),
        "fields": list(built.fields),
    }


def built_from_json(built: dict[str, Any], kind: str | None) -> BuiltNote:
    return BuiltNote(
        kind=str(built.get("kind", kind)),
        deck=str(built["deck"]),
        tags=tuple(map(str, built["tags"])),
        fields=tuple(map(str, built["fields"])),
    )


@dataclass
class Lock:
    """The state of one deck's lock file; ``save`` writes it only when it changed."""

    path: Path
    deck: str
    cards: dict[str, LockedCard] = field(default_factory=dict)
    stamps: dict[str, tuple[str, int]] = field(default_factory=dict)
    content: tuple[str, int] | None = None  # (fingerprint of the model, time it changed)
    now: int = 0
    kind_changes: list[tuple[str, str, str]] = field(default_factory=list)  # id, old, new
    recorded_deck: str | None = None
    """The deck id the lock file was written for (None: a new lock)."""
    previous: dict[str, LockedCard] = field(default_factory=dict)
    """The cards as the file recorded them, before this build assigned ids."""
    previous_stamps: dict[str, tuple[str, int]] = field(default_factory=dict)
    renames: list[tuple[str, str]] = field(default_factory=list)  # old id, new id
    rename_hints: list[tuple[str, str]] = field(default_factory=list)  # gone id, new id
    unknown_was: list[tuple[str, str]] = field(default_factory=list)  # card id, unknown old id
    _original: bytes = b""
    """The index as read or last written."""
    _parts: dict[str, tuple[dict[str, BuiltNote], bytes]] = field(default_factory=dict)
    """Each part as read or last written: its notes and its bytes."""
    _grouped: dict[str, dict[str, BuiltNote]] = field(default_factory=dict)
    """Each part's notes as last serialised."""
    _staged: dict[Path, tuple[Path, bytes]] = field(default_factory=dict)
    """Temporary file -> (its place, its bytes), written by ``stage``."""
    _old_parts: list[Path] = field(default_factory=list)
    """Parts read in an older version's files: removed once the index is written."""

    @classmethod
    def read(cls, path: Path, deck: str, now: int) -> Lock:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raw = None
        return cls.from_bytes(path, deck, now, raw)

    @classmethod
    def from_bytes(
        cls,
        path: Path,
        deck: str,
        now: int,
        raw: bytes | None,
        read_part: Callable[[Path], bytes | None] | None = None,
    ) -> Lock:
        """The lock file at ``path`` from its bytes, already read (None: there is none),
        and its parts, each read by ``read_part`` (None: it is missing)."""
        lock = cls(path=path, deck=deck, now=now)
        if raw is None:
            return lock
        lock._original = raw
        data = files.decode_index(raw)
        lock.recorded_deck = str(data.get("deck", deck))
        for card_id, entry in data.get("cards", {}).items():
            lock.cards[card_id] = LockedCard.from_json(entry)
        for key, entry in data.get("stamps", {}).items():
            lock.stamps[key] = (str(entry["fingerprint"]), int(entry["modified"]))
        content = data.get("content")
        if content:
            lock.content = (str(content["fingerprint"]), int(content["modified"]))
        version = files.index_version(data)
        for name, count in data.get("parts", {}).items():
            lock._read_part(name, count, read_part or _read_file, version)
        lock.previous = {card_id: copy.copy(entry) for card_id, entry in lock.cards.items()}
        lock.previous_stamps = dict(lock.stamps)
        return lock

    def _read_part(
        self, name: str, count: int, read: Callable[[Path], bytes | None], version: int
    ) -> None:
        if not files.valid_part_name(name):
            raise ValueError(f"the part name '{name[:60]}' is not valid")
        where = files.part_path(self.path, name, version)
        raw = read(where)
        if raw is None:
            raise ValueError(f"its part {where.parent.name}/{where.name} is missing")
        notes, stray = {}, False
        for card_id, built, kinded in kept_parts.decoded(where, raw, _decode_part):
            card = self.cards.get(card_id)
            if card is None or card.built is not None:
                stray = True  # a build stopped between its parts and its index: dropped
                continue
            if not kinded:  # a note recorded without its kind: the card's
                built = BuiltNote(str(card.kind), built.deck, built.tags, built.fields)
            card.built = notes[card_id] = built
        if version != files.LOCK_VERSION:  # written again in this version, then removed
            self._old_parts.append(where)
            stray = True
        self._parts[name] = ({} if stray or len(notes) != count else notes, raw)

    def original_text(self) -> str:
        """The lock file as it was read, for pointing at a line of it."""
        return self._original.decode("utf-8", errors="replace")

    def modified(self, key: str, fingerprint: str) -> int:
        """When the thing named ``key`` last changed; records ``fingerprint`` as current."""
        recorded = self.stamps.get(key)
        if recorded and recorded[0] == fingerprint:
            return recorded[1]
        stamp = max(self.now, recorded[1] + 1) if recorded else self.now
        self.stamps[key] = (fingerprint, stamp)
        return stamp

    def content_time(self, fingerprint: str) -> int:
        """The deck's date: when its model last changed."""
        if self.content and self.content[0] == fingerprint:
            return self.content[1]
        stamp = max(self.now, self.content[1] + 1) if self.content else self.now
        self.content = (fingerprint, stamp)
        return stamp

    def serialise(self) -> files.LockFiles:
        """The index and every part; a part whose notes did not change keeps its bytes
        (it is not encoded again)."""
        grouped: dict[str, dict[str, BuiltNote]] = {}
        entries: dict[str, dict[str, Any]] = {}
        stamps = dict(self.stamps)
        for card_id, card in self.cards.items():
            entry = entries[card_id] = card.to_json()
            stamp = stamps.pop(f"{files.NOTE_STAMP}{card_id}", None)
            if stamp is not None:
                entry["stamp"] = list(stamp)
            if card.built is not None:
                grouped.setdefault(files.part_name(card.section), {})[card_id] = card.built
        parts = {}
        for name, notes in grouped.items():
            known = self._parts.get(name)
            if known is not None and known[0] == notes:
                parts[name] = known[1]
            else:
                parts[name] = files.encode_part({i: built_to_json(b) for i, b in notes.items()})
        counts = {name: len(notes) for name, notes in grouped.items()}
        index = files.encode_index(self.deck, self.content, counts, stamps, entries)
        self._grouped = grouped
        return files.LockFiles(index, parts)

    def _changes(self) -> list[tuple[Path, bytes]]:
        """The files to write, each part before the index: (place, bytes)."""
        data = self.serialise()
        out = [
            (files.part_path(self.path, name), raw)
            for name, raw in sorted(data.parts.items())
            if name not in self._parts or self._parts[name][1] != raw
        ]
        if out or data.index != self._original or set(self._parts) - set(data.parts):
            out.append((self.path, data.index))
        return out

    def _written(self, final: Path, raw: bytes) -> None:
        """Remember what is now at ``final``; once the index is, drop parts it no longer lists."""
        if final != self.path:
            name = final.name.removesuffix(files.PART_SUFFIX)
            self._parts[name] = (self._grouped.get(name, {}), raw)
            return
        self._original = raw
        for name in sorted(set(self._parts) - set(self._grouped)):
            files.part_path(self.path, name).unlink(missing_ok=True)
            del self._parts[name]
        for old in self._old_parts:
            old.unlink(missing_ok=True)
        self._old_parts.clear()

    def save(self) -> bool:
        """Write what changed of the lock file; True when anything did."""
        changes = self._changes()
        for final, raw in changes:
            final.parent.mkdir(exist_ok=True)
            atomic.write_bytes(final, raw)
            self._written(final, raw)
        return bool(changes)

    def stage(self) -> list[Path]:
        """Write what changed of the lock file beside its place, not yet in place (nothing:
        it did not change); ``commit_staged`` moves each in, parts before the index. A
        build stages its lock files before it moves any output, so that a full disk leaves
        outputs and lock files as they were, together."""
        temps = []
        try:
            for final, raw in self._changes():
                final.parent.mkdir(exist_ok=True)
                with atomic.staged_file(final) as temp, open(temp, "wb") as handle:
                    handle.write(raw)
                    handle.flush()
                    os.fsync(handle.fileno())
                self._staged[temp] = (final, raw)
                temps.append(temp)
        except BaseException:
            for temp in temps:
                temp.unlink(missing_ok=True)
            raise
        return temps

    def commit_staged(self, temp: Path) -> None:
        """Move a file ``stage`` wrote into place (a rename: it needs no space)."""
        final, raw = self._staged.pop(temp)
        atomic.commit(temp, final)
        self._written(final, raw)

    def file_hash(self) -> str:
        """The SHA-256 of the lock file (its index) as last read or written; '' when there
        is none."""
        return hashlib.sha256(self._original).hexdigest() if self._original else ""

    def part_hashes(self) -> dict[Path, str]:
        """The SHA-256 of each part as last read or written, by its place."""
        return {
            files.part_path(self.path, name): hashlib.sha256(raw).hexdigest()
            for name, (_, raw) in sorted(self._parts.items())
        }

    def removed_since_last_build(self, deck: Deck) -> list[str]:
        present = {card.id for card in deck.cards()}
        return sorted(
            i
            for i, c in self.cards.items()
            if not c.removed and c.renamed_to is None and i not in present
        )

    def mark_removed(self, deck: Deck) -> None:
        present = {card.id for card in deck.cards()}
        for card_id, entry in self.cards.items():
            entry.removed = card_id not in present and entry.renamed_to is None

    def note_id(self, card_id: str) -> str:
        """The id a card's Anki note GUID comes from: its first id, through renames."""
        entry = self.cards.get(card_id)
        return entry.note if entry is not None and entry.note is not None else card_id

    def renamed_note_ids(self) -> dict[str, str]:
        """Card id -> the id its Anki note's GUID comes from, for renamed cards."""
        return {i: c.note for i, c in sorted(self.cards.items()) if c.note is not None}

    def tombstones(self) -> tuple[Tombstone, ...]:
        """The removed cards whose last note is known: the package keeps them, tagged."""
        return tuple(
            Tombstone(card_id, entry.note or card_id, entry.built.kind, entry.built)
            for card_id, entry in sorted(self.cards.items())
            if entry.removed and entry.built is not None
        )

    def forget_tombstones(self, only: Iterable[str] | None = None) -> list[str]:
        """Stop carrying the notes of removed cards (all, or those in ``only``); their ids
        stay taken."""
        chosen = None if only is None else set(only)
        gone = sorted(
            i
            for i, c in self.cards.items()
            if c.removed and c.built is not None and (chosen is None or i in chosen)
        )
        for card_id in gone:
            self.cards[card_id].built = None
        return gone

    def record_built(self, card_id: str, built: BuiltNote) -> None:
        """Record what the Anki package written by this build holds for a card."""
        entry = self.cards[card_id]
        before = self.previous.get(card_id)
        earlier = before.built_kinds() if before is not None else set()
        entry.kinds = tuple(sorted({*earlier, *entry.kinds, built.kind}))
        entry.built = built


def _decode_part(raw: bytes) -> list[tuple[str, BuiltNote, bool]]:
    """A part's notes: card id, its note, and whether the note's kind was recorded."""
    return [
        (card_id, built_from_json(entry, None), "kind" in entry)
        for card_id, entry in files.decode_part(raw).items()
    ]


def _read_file(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
