"""Giving every card its id from the deck's lock: the same id through edits, moves,
reordering and renames (``was:``), and a new one, made from its question, for a new card.

This is the last step of reading the content (``parse.loader.lock_ids``); the lock file
itself, and what it records, is ``cardpress.lock``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace

from cardpress.lock import Lock, LockedCard, slug, text_hash
from cardpress.model import Card, Deck, Section, changed


def card_answer_text(card: Card) -> str:
    return card.answer.text + " " + card.cloze.text


def assign_ids(deck: Deck, lock: Lock) -> Deck:
    """Give every card without an explicit id the id recorded for it, or a new one.

    Explicit ids are claimed first. Then each remaining card takes an unclaimed lock entry
    of the whole card (the same question and answer), failing that one with the same
    question, failing that one with the same answer, failing that a fresh id made from
    its question. Each step is done for every card before the next, so a card whose
    answer changed never takes the entry of another card with its question; within a
    step, cards and entries alike are paired by place (see ``_pair``). The lock records
    the result.
    """
    cards = list(deck.cards())
    places = [section.key for section in deck.sections for _ in section.cards]
    claimed = {card.id for card in cards if card.explicit_id}
    claimed |= {old for card in cards for old in card.was}
    wanted = [
        _Wanted(text_hash(card.question.text), text_hash(card_answer_text(card)), place)
        for card, place in zip(cards, places, strict=True)
    ]
    candidates = {
        card_id: entry for card_id, entry in lock.cards.items() if entry.renamed_to is None
    }
    assigned: dict[int, str] = {}
    pending = [i for i, card in enumerate(cards) if not card.explicit_id]
    for part in (_whole, _question, _answer):
        found = _pair(pending, wanted, part, candidates, claimed)
        assigned.update(found)
        claimed.update(found.values())
        pending = [i for i in pending if i not in found]
    taken = claimed | set(lock.cards)
    for i in pending:
        base = slug(cards[i].question.text)
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        assigned[i] = candidate
        taken.add(candidate)

    new_cards = [
        changed(card, id=assigned[i]) if i in assigned else card for i, card in enumerate(cards)
    ]
    present = {card.id for card in new_cards}
    for card, place, hashes in zip(new_cards, places, wanted, strict=True):
        for old in card.was:
            _rename(lock, old, card.id, present)
        before = lock.cards.get(card.id)
        if before is not None and before.kind not in (None, card.kind.value):
            lock.kind_changes.append((card.id, before.kind, card.kind.value))
        if before is None:
            lock.cards[card.id] = LockedCard(
                hashes.question, hashes.answer, card.kind.value, section=place
            )
            continue
        entry = lock.cards[card.id] = copy.copy(before)  # ``previous`` keeps the one read
        entry.question, entry.answer, entry.kind = hashes.question, hashes.answer, card.kind.value
        entry.section, entry.removed, entry.renamed_to = place, False, None
    _hint_renames(lock, new_cards, present)
    rebuilt = iter(new_cards)
    sections: list[Section] = [
        changed(section, cards=tuple(next(rebuilt) for _ in section.cards))
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


@dataclass(frozen=True)
class _Wanted:
    """What a card looking for its id is: hashes of its question and answer, its place."""

    question: str
    answer: str
    place: str


def _whole(question: str, answer: str) -> str:
    return question + " " + answer


def _question(question: str, answer: str) -> str:
    return question


def _answer(question: str, answer: str) -> str:
    return answer


def _pair(
    pending: list[int],
    wanted: list[_Wanted],
    part: Callable[[str, str], str],
    candidates: dict[str, LockedCard],
    claimed: set[str],
) -> dict[int, str]:
    """Cards (by index, in the deck's order) paired with unclaimed lock entries whose
    ``part`` is the same, by place: first each card with an entry last in its section,
    then with any; the n-th card with an entry of its kind, in both steps, takes the n-th
    entry, entries present in the last build first and each in the order their ids were
    made (``-2`` before ``-10``). So the outcome never depends on the lock file's order."""
    if not pending:  # every card found its entry in an earlier step
        return {}
    waiting: dict[str, list[int]] = {}
    for i in pending:
        waiting.setdefault(part(wanted[i].question, wanted[i].answer), []).append(i)
    entries: dict[str, list[str]] = {}
    for card_id, entry in candidates.items():
        if card_id not in claimed:
            entries.setdefault(part(entry.question, entry.answer), []).append(card_id)
    found: dict[int, str] = {}
    for key, indices in waiting.items():
        ranked = sorted(entries.get(key, ()), key=lambda i: (candidates[i].removed, _made(i)))
        if not ranked:
            continue
        by_place: dict[str | None, list[str]] = {}
        for card_id in reversed(ranked):
            by_place.setdefault(candidates[card_id].section, []).append(card_id)
        paired: set[str] = set()
        unpaired = []
        for i in indices:
            here = by_place.get(wanted[i].place)
            if here:
                found[i] = here.pop()
                paired.add(found[i])
            else:
                unpaired.append(i)
        rest = [card_id for card_id in ranked if card_id not in paired]
        found.update(zip(unpaired, rest, strict=False))
    return found


def _made(card_id: str) -> tuple[str, int, str]:
    """The order in which ids made from one question were given: ``q``, ``q-2``, ``q-3``..."""
    stem, dash, number = card_id.rpartition("-")
    if dash and number.isdigit() and not number.startswith("0"):
        return stem, int(number), card_id
    return card_id, 1, card_id
