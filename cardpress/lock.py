"""The deck lock file: stable card ids and modification stamps, committed beside the content.

Anki matches notes by GUID only, and a GUID derived from a card's text would turn every
edit into a new note. So cards without an explicit id get one on their first build,
recorded here together with hashes of their question and answer, which let the id follow
the card through edits, moves and reordering. Stamps record, for any named piece of an
output, a fingerprint and the time it last changed, so that unchanged notes keep their
modification time (and their bytes) and changed ones are always newer.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cardpress import atomic
from cardpress.model import Card, Deck, Section

LOCK_VERSION = 1
_SLUG_RE = re.compile(r"[^\w]+")


def text_hash(text: str) -> str:
    normal = " ".join(text.lower().split())
    return hashlib.sha256(normal.encode()).hexdigest()[:16]


def slug(text: str, max_words: int = 6, max_length: int = 48) -> str:
    words = _SLUG_RE.sub(" ", text.lower().replace("_", " ")).split()
    out = ""
    for word in words[:max_words]:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > max_length:
            break
        out = candidate
    return out or "card"


@dataclass
class LockedCard:
    question: str
    answer: str
    kind: str | None = None  # None: recorded before kinds were
    removed: bool = False


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
    _original: bytes = b""

    @classmethod
    def read(cls, path: Path, deck: str, now: int) -> Lock:
        lock = cls(path=path, deck=deck, now=now)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return lock
        lock._original = raw
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or data.get("cardpress_lock") != LOCK_VERSION:
            raise ValueError("not a cardpress lock file of a known version")
        for card_id, entry in data.get("cards", {}).items():
            lock.cards[card_id] = LockedCard(
                question=str(entry["question"]),
                answer=str(entry["answer"]),
                kind=str(entry["kind"]) if "kind" in entry else None,
                removed=bool(entry.get("removed", False)),
            )
        for key, entry in data.get("stamps", {}).items():
            lock.stamps[key] = (str(entry["fingerprint"]), int(entry["modified"]))
        content = data.get("content")
        if content:
            lock.content = (str(content["fingerprint"]), int(content["modified"]))
        return lock

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

    def serialise(self) -> bytes:
        data: dict[str, Any] = {
            "cardpress_lock": LOCK_VERSION,
            "deck": self.deck,
            "content": (
                {"fingerprint": self.content[0], "modified": self.content[1]}
                if self.content
                else None
            ),
            "cards": {
                card_id: {"question": c.question, "answer": c.answer, "kind": c.kind}
                | ({"removed": True} if c.removed else {})
                for card_id, c in sorted(self.cards.items())
            },
            "stamps": {
                key: {"fingerprint": fp, "modified": t}
                for key, (fp, t) in sorted(self.stamps.items())
            },
        }
        return (json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n").encode()

    def save(self) -> bool:
        """Write the lock file if it changed; True when it did."""
        data = self.serialise()
        if data == self._original:
            return False
        atomic.write_bytes(self.path, data)
        self._original = data
        return True

    def removed_since_last_build(self, deck: Deck) -> list[str]:
        present = {card.id for card in deck.cards()}
        return sorted(i for i, c in self.cards.items() if not c.removed and i not in present)

    def mark_removed(self, deck: Deck) -> None:
        present = {card.id for card in deck.cards()}
        for card_id, entry in self.cards.items():
            entry.removed = card_id not in present


def card_answer_text(card: Card) -> str:
    return card.answer.text + " " + card.cloze.text


def assign_ids(deck: Deck, lock: Lock) -> Deck:
    """Give every card without an explicit id the id recorded for it, or a new one.

    Explicit ids are claimed first. Then each remaining card takes the unclaimed lock entry
    with the same question, failing that the same answer, failing that a fresh id made
    from its question. The lock records the result.
    """
    cards = list(deck.cards())
    claimed = {card.id for card in cards if card.explicit_id}
    by_question: dict[str, list[str]] = {}
    by_answer: dict[str, list[str]] = {}
    for card_id, entry in lock.cards.items():
        by_question.setdefault(entry.question, []).append(card_id)
        by_answer.setdefault(entry.answer, []).append(card_id)

    def take(candidates: list[str]) -> str | None:
        for card_id in candidates:
            if card_id not in claimed:
                return card_id
        return None

    assigned: dict[int, str] = {}
    pending = [i for i, card in enumerate(cards) if not card.explicit_id]
    for table, key in ((by_question, "q"), (by_answer, "a")):
        still = []
        for i in pending:
            card = cards[i]
            digest = text_hash(card.question.text if key == "q" else card_answer_text(card))
            found = take(table.get(digest, []))
            if found:
                assigned[i] = found
                claimed.add(found)
            else:
                still.append(i)
        pending = still
    taken = claimed | set(lock.cards)
    for i in pending:
        base = slug(cards[i].question.text)
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        assigned[i] = candidate
        taken.add(candidate)

    new_cards = [replace(card, id=assigned.get(i, card.id)) for i, card in enumerate(cards)]
    for card in new_cards:
        before = lock.cards.get(card.id)
        if before is not None and before.kind not in (None, card.kind.value):
            lock.kind_changes.append((card.id, before.kind, card.kind.value))
        lock.cards[card.id] = LockedCard(
            question=text_hash(card.question.text),
            answer=text_hash(card_answer_text(card)),
            kind=card.kind.value,
        )
    rebuilt = iter(new_cards)
    sections: list[Section] = [
        replace(section, cards=tuple(next(rebuilt) for _ in section.cards))
        for section in deck.sections
    ]
    return replace(deck, sections=tuple(sections))
