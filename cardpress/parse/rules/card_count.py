"""Card count: a deck holds at most MAX_CARDS_PER_DECK cards; the rest are not read."""

from __future__ import annotations

from cardpress.parse.deck_state import DeckState
from cardpress.parse.rules.card import CardWork

MAX_CARDS_PER_DECK = 10_000  # the PDF takes about a minute and 0.5 GB per 2,000 cards


def apply(card: CardWork, deck: DeckState) -> None:
    deck.card_count += 1
    if deck.card_count == MAX_CARDS_PER_DECK + 1:
        deck.report.error(
            card.location,
            f"deck has more than {MAX_CARDS_PER_DECK} cards: split it into several decks",
        )
    if deck.card_count > MAX_CARDS_PER_DECK:
        card.ok = False
        card.stopped = True
