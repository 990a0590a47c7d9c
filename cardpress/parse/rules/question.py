"""Question: the card heading's text (or a dialect's question blocks), checked like any
inline text; it may not be empty."""

from __future__ import annotations

from cardpress.markup import html as markup
from cardpress.parse.deck_state import DeckState
from cardpress.parse.rules.card import CardWork
from cardpress.parse.rules.inline import check_inline, render


def apply(card: CardWork, deck: DeckState) -> None:
    if card.draft.question_blocks is not None:  # a question of several blocks
        card.question = render(card.draft.question_blocks, card.source, deck)
    else:
        check_inline(card.draft.inline, card.source, card.line, card.line, deck)
        card.question = markup.render_inline(card.draft.inline, card.source.math)
    if not card.question.text:
        deck.report.error(card.location, "card question is empty")
        card.ok = False
