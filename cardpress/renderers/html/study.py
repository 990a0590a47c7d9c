"""What the page's study features need to know about each card, beyond what it shows.

Progress is kept in the reader's browser under the deck's key and each card's id, which
stay the same across builds. A fingerprint of the card's content travels with it, so
the page can tell a card that was edited since it was last reviewed.
"""

from __future__ import annotations

import hashlib

from cardpress.markup import cloze
from cardpress.markup.html import plain_text
from cardpress.model import Card

FINGERPRINT_LENGTH = 16


def card_fingerprint(card: Card) -> str:
    """A short hash of everything the card shows: changes with any edit to its content,
    not with its tags or its place in the file."""
    digest = hashlib.sha256()
    parts = [card.kind.value, card.question.html, card.cloze.html, card.answer.html]
    parts += [card.details.html]
    for callout in card.callouts:
        parts += [callout.kind.value, callout.body.html]
    for part in parts:
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


def typed_answer(card: Card) -> str:
    """The text a type-in card's answer is compared with: the short answer, or a cloze
    card's deletions in order, separated by ", " (as Anki compares a typed cloze)."""
    if card.kind.has_deletions:
        answers = [plain_text(marker.answer) for marker in cloze.deletions(card.cloze.html)]
        return ", ".join(answer for answer in answers if answer)
    return card.answer.text
