"""Giving every card its id from the deck's lock: the same id through edits, moves,
reordering and renames (``was:``), and a new one, made from its question, for a new card.

This is the last step of reading the content (``parse.loader.lock_ids``); the lock file
itself, and what it records, is ``cardpress.lock``.
"""

from __future__ import annotations

from dataclasses import replace

from cardpress.lock import Lock, LockedCard, slug, text_hash
from cardpress.model import Card, Deck, Section


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
    claimed |= {old for card in cards for old in card.was}
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
    present = {card.id for card in new_cards}
    for card in new_cards:
        for old in card.was:
            _rename(lock, old, card.id, present)
        before = lock.cards.get(card.id)
        if before is not None and before.kind not in (None, card.kind.value):
            lock.kind_changes.append((card.id, before.kind, card.kind.value))
        recorded = LockedCard(
            question=text_hash(card.question.text),
            answer=text_hash(card_answer_text(card)),
            kind=card.kind.value,
        )
        lock.cards[card.id] = (
            recorded
            if before is None
            else replace(
                before,
                question=recorded.question,
                answer=recorded.answer,
                kind=recorded.kind,
                removed=False,
                renamed_to=None,
            )
        )
    _hint_renames(lock, new_cards, present)
    rebuilt = iter(new_cards)
    sections: list[Section] = [
        replace(section, cards=tuple(next(rebuilt) for _ in section.cards))
        for section in deck.sections
    ]
    return replace(deck, sections=tuple(sections))


def _rename(lock: Lock, old: str, new: str, present: set[str]) -> None:
    """Let card ``new`` keep the Anki note of card ``old`` (``<!-- id: new; was: old -->``)."""
    entry, seen = lock.cards.get(old), {old}
    while entry is not None and entry.renamed_to is not None and entry.renamed_to not in seen:
        if entry.renamed_to == new:
            return  # renamed by an earlier build
        seen.add(entry.renamed_to)
        entry = lock.cards.get(entry.renamed_to)
    entry = lock.cards.get(old)
    if entry is None or entry.renamed_to is not None or old in present:
        lock.unknown_was.append((new, old))
        return
    if new in lock.cards and not entry.removed:
        lock.unknown_was.append((new, old))  # both ids have notes of their own
        return
    lock.cards[new] = replace(entry, note=entry.note or old, removed=False, renamed_to=None)
    lock.cards[old] = LockedCard(entry.question, entry.answer, entry.kind, renamed_to=new)
    stamp = lock.stamps.get(f"anki:note:{old}")
    if stamp is not None:
        lock.stamps[f"anki:note:{new}"] = stamp
    lock.renames.append((old, new))


def _hint_renames(lock: Lock, cards: list[Card], present: set[str]) -> None:
    """A card that disappeared while a new one has its question or answer: likely renamed."""
    gone = {
        card_id: entry
        for card_id, entry in lock.previous.items()
        if card_id not in present
        and not entry.removed
        and entry.renamed_to is None
        and lock.cards[card_id].renamed_to is None
    }
    for card in cards:
        if card.id in lock.previous or card.was:
            continue
        question = text_hash(card.question.text)
        answer = text_hash(card_answer_text(card))
        for card_id, entry in gone.items():
            if entry.question == question or entry.answer == answer:
                lock.rename_hints.append((card_id, card.id))
                break
