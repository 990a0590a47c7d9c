"""The model as JSON (schema in docs/json.md), for other tools and as proof it is complete."""

from __future__ import annotations

import dataclasses
import enum
from pathlib import Path
from typing import Any

from cardpress import json_text
from cardpress.model import Deck
from cardpress.renderers import RenderContext

SCHEMA_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.metadata.get("model_json", True)
        }
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def deck_to_dict(deck: Deck) -> dict[str, Any]:
    data: dict[str, Any] = _plain(deck)
    for printout in ("print_cards", "print_quiz"):  # present only when the deck asks for it
        if data[printout] is None:
            del data[printout]
    if not deck.math:  # present only in a deck with formulas
        del data["math"]
    if not deck.source_path:  # present only in a deck that asks for it
        del data["source_path"]
    for section_data, section in zip(data["sections"], deck.sections, strict=True):
        section_data["anchor"] = section.anchor
        if not section.deck_path:  # present only for a vault's subdecks
            del section_data["deck_path"]
        for card_data, card in zip(section_data["cards"], section.cards, strict=True):
            card_data["anchor"] = card.anchor
            if not card.link:  # present only when the card links back to its note
                del card_data["link"]
            if card.guid is None:  # only cards that set one carry it (docs/json.md)
                del card_data["guid"]
    return {"schema": SCHEMA_VERSION, "card_count": deck.card_count, "deck": data}


def render(deck: Deck, context: RenderContext, out: Path) -> None:
    data = deck_to_dict(deck)
    data["generator"] = f"cardpress {context.version}"
    out.write_text(json_text.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
