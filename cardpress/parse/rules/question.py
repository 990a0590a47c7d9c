"""Question: the card heading's text, checked like any inline text; it may not be empty."""

from __future__ import annotations

from cardpress.markup import html as markup
from cardpress.parse.deck_state import DeckState
from cardpress.parse.rules.card import CardWork
from cardpress.parse.rules.inline import check_inline


def apply(card: CardWork, deck: DeckState) -> None:
    check_inline(card.draft.inline, card.source, card.line, card.line, deck)
    card.question = markup.render_inline(card.draft.inline, card.source.math)
    if not card.question.text:
        deck.report.error(card.location, "card question is empty")
        card.ok = False
