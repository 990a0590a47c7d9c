"""Answer and details: the first block (or all up to a '---' line) answers, the rest details."""

from __future__ import annotations

from cardpress.parse.deck_state import DeckState
from cardpress.parse.rules.card import CardWork
from cardpress.parse.rules.inline import render


def apply(card: CardWork, deck: DeckState) -> None:
    blocks = card.blocks
    split = next((i for i, b in enumerate(blocks) if b[0].type == "hr"), None)
    if split is not None:
        answer_blocks, detail_blocks = blocks[:split], blocks[split + 1 :]
    else:
        answer_blocks, detail_blocks = blocks[:1], blocks[1:]
    card.answer = render(answer_blocks, card.source, deck)
    card.details = render(detail_blocks, card.source, deck)
    if not card.answer:
        deck.report.error(
            card.location, f"card has no {card.kind.body_name}: write it below the question"
        )
        card.ok = False
