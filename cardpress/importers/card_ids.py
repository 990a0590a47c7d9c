"""Card ids that survive upstream edits: matched by what a card says, not where it sits.

A card's id is the one its source gives (an Anki note's cardpress id, a file name), else
its section's key and a slug of its question. Upstream renames a heading, bumps the
count in it, reorders sections or rewords a question; each would change that id and
turn a studied card into a new note. So before a new id is made, each card is matched
against the cards the last import wrote (``cardpress-import.json`` keeps a fingerprint
of each one's question and answer): its own id if that card still says the same, else
a vanished card with the same question, else one with the same answer (in its section,
or anywhere when that answer is unique). Only a card nothing matches gets a new id, and
only a recorded card no new card matches is "removed from the source".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Protocol

from cardpress.importers.draft import DraftCard, DraftDeck
from cardpress.importers.writer import ascii_slug, fingerprint

MAX_ID = 100


class Recorded(Protocol):
    """What the state file says about one card (``sync.Recorded``)."""

    question: str
    answer: str


def assign_ids(deck: DraftDeck, previous: Mapping[str, Recorded]) -> list[str]:
    """One id per card of ``deck``, in order."""
    cards = [(s.id_prefix or s.key, c) for f in deck.files for s in f.sections for c in s.cards]
    prints = [(fingerprint(c.question), fingerprint(c.answer)) for _, c in cards]
    bases = [c.card_id or _card_id(key, c) for key, c in cards]
    ids: list[str | None] = [c.card_id or None for _, c in cards]
    claimed: set[str] = {i for i in ids if i}
    for index, base in enumerate(bases):  # 1. the same id, still saying the same
        recorded = previous.get(base)
        if (
            ids[index] is None
            and base not in claimed
            and recorded is not None
            and (prints[index][0] == recorded.question or prints[index][1] == recorded.answer)
        ):
            ids[index] = base
            claimed.add(base)
    vanished = [
        key for key, r in previous.items() if key not in claimed and (r.question or r.answer)
    ]
    by_question = _index((previous[k].question, k) for k in vanished)
    by_answer = _index((previous[k].answer, k) for k in vanished)
    new_answers = Counter(prints[i][1] for i in range(len(cards)) if ids[i] is None)
    for index, (section_key, _) in enumerate(cards):  # 2. moved or reworded: matched
        if ids[index] is not None:
            continue
        question, answer = prints[index]
        found = _pick(by_question.get(question, []), section_key, claimed)
        if found is None:
            same_answer = [k for k in by_answer.get(answer, []) if k not in claimed]
            found = _pick(same_answer, section_key, claimed, anywhere=False)
            if found is None and len(same_answer) == 1 and new_answers[answer] == 1:
                found = same_answer[0]
        if found is not None:
            ids[index] = found
            claimed.add(found)
    out: list[str] = []
    for index, base in enumerate(bases):  # 3. new ids for the rest, '-2', '-3' for repeats
        chosen = ids[index]
        if chosen is None:
            chosen, n = base, 2
            while chosen in claimed:
                chosen, n = f"{base[: MAX_ID - 4]}-{n}", n + 1
            claimed.add(chosen)
        out.append(chosen)
    return out


def _index(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for print_, key in pairs:
        if print_:
            found.setdefault(print_, []).append(key)
    return found


def _pick(
    keys: list[str], section_key: str, claimed: set[str], anywhere: bool = True
) -> str | None:
    """The first unclaimed key, one from the card's own section first."""
    free = [k for k in keys if k not in claimed]
    own = [k for k in free if k.rsplit(".", 1)[0] == section_key]
    if own:
        return own[0]
    return free[0] if free and anywhere else None


def _card_id(section_key: str, card: DraftCard) -> str:
    slug = ascii_slug(card.question) or "q-" + fingerprint(card.question)[:8]
    return f"{section_key[: MAX_ID - 50]}.{slug}"
