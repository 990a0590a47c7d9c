"""What the page's script knows of each card, and how a big deck's cards are parcelled.

The index is the deck once more in a compact form the search reads: per card its id,
section, tags, text as the search compares it, fingerprint and expected typed answer,
as rows of a JSON array. It holds no card markup: a small deck's cards are in the
document, a big deck's are in chunks the script renders as they come into view.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from cardpress.model import Card, Deck, Section
from cardpress.renderers.html.study import card_fingerprint, typed_answer

CHUNKED_CARDS = 300
"""Above this many cards the page holds its cards as chunks of ``<noscript>`` markup, which
the browser does not turn into elements while scripts run: opening the page costs their
bytes, not their layout, and the script renders a chunk as it comes near the window.
Without JavaScript the same markup is the page, every card in it."""

CHUNK_CARDS = 40
"""Cards per chunk at most; a chunk never spans two sections."""

_ACCENTS = re.compile("[\u0300-\u036f]")


def is_chunked(deck: Deck) -> bool:
    return deck.card_count > CHUNKED_CARDS


def chunks(section: Section) -> list[tuple[Card, ...]]:
    """The section's cards in runs of at most ``CHUNK_CARDS``, in order."""
    cards = section.cards
    return [cards[at : at + CHUNK_CARDS] for at in range(0, len(cards), CHUNK_CARDS)]


def card_search_text(card: Card) -> str:
    """The plain text the search looks in: everything a reader sees on the card."""
    parts = [card.question.text]
    if card.kind.has_deletions:
        parts.append(card.cloze.text)  # plain text: deletions already revealed
    parts += [card.answer.text, card.details.text]
    parts += [callout.body.text for callout in card.callouts]
    parts += list(card.tags)
    return " ".join(" ".join(part.split()) for part in parts if part)


def search_key(text: str) -> str:
    """The text as the page's search compares it: decomposed, without combining accents,
    lower case; the page's ``normalize`` does the same to what is typed."""
    decomposed = unicodedata.normalize("NFKD", text)
    return _ACCENTS.sub("", decomposed).lower()


def search_index(deck: Deck, chunked: bool) -> dict[str, Any]:
    """The index as a value: ``cards`` rows are ``[id, section number, [tag numbers],
    text, fingerprint]`` and a type-in card's expected answer last; ``chunks`` (a chunked
    page only) the number of cards in each chunk, in document order."""
    tags = sorted({tag for card in deck.cards() for tag in card.tags})
    tag_number = {tag: n for n, tag in enumerate(tags)}
    rows: list[list[Any]] = []
    for number, section in enumerate(deck.sections):
        for card in section.cards:
            row: list[Any] = [
                card.id,
                number,
                [tag_number[tag] for tag in card.tags],
                search_key(card_search_text(card)),
                card_fingerprint(card),
            ]
            if card.type_in:
                row.append(typed_answer(card))
            rows.append(row)
    index: dict[str, Any] = {
        "deck": deck.key,
        "sections": [section.key for section in deck.sections],
        "tags": tags,
        "cards": rows,
    }
    if chunked:
        index["chunks"] = [len(run) for section in deck.sections for run in chunks(section)]
    return index


def search_index_json(deck: Deck, chunked: bool) -> str:
    """The index as JSON, safe inside ``<script type="application/json">``."""
    return script_safe_json(search_index(deck, chunked))


def script_safe_json(value: Any) -> str:
    """JSON with ``<``, ``>`` and ``&`` escaped, so no text can close the script element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
