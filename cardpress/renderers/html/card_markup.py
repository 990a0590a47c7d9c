"""A card's markup on the page, rendered once a process while the card stays the same.

``serve`` and ``--watch`` render the page again after every edit, and an edit changes a
card or a few: the rest of the page's cards have the same markup as the round before.
The packaged card template reads only the card, its section's key and tags, the deck's
tags, the callout labels and its images (inlined from their bytes), so its markup is
kept under exactly those: an equal card (every field compared, not only its id) in an
equal section of a deck with the same tags and images, rendered by the same compiled
template (Jinja makes a new one when its file changes). A card template from the
user's folder may read anything of the page, so it is always included as it is.
"""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup

from cardpress.model import Card, Deck, Section
from cardpress.template_folders import find, packaged_folder

CARD_TEMPLATE = "html/card.html.j2"

_kept: tuple[tuple[Any, ...], dict[tuple[Any, ...], str]] | None = None
"""What the last page of this process rendered: its setting, and each card's markup."""


class CardMarkup:
    """The ``card_markup(card, section)`` of one render of the page."""

    def __init__(self, env: jinja2.Environment, deck: Deck, labels: dict[str, str]):
        self.template = env.get_template(CARD_TEMPLATE)
        self.labels = labels
        media = tuple((m.name, m.sha256) for m in deck.media)
        setting = (env, self.template, deck.key, deck.tags, media, tuple(labels.items()))
        global _kept
        if _kept is None or _kept[0] != setting:
            _kept = (setting, {})
        self.earlier = _kept[1]
        self.now: dict[tuple[Any, ...], str] = {}
        _kept = (setting, self.now)  # only the cards of this page stay kept

    def __call__(self, card: Card, section: Section) -> Markup:
        key = (card, section.key, section.tags)
        html = self.now.get(key) or self.earlier.get(key)
        if html is None:
            html = self.template.render(card=card, section=section, callout_labels=self.labels)
        self.now[key] = html
        return Markup(html)


def packaged_card_template(templates_dir: Any) -> bool:
    """Whether the page's card template is the packaged one (not the user's own)."""
    found = find(templates_dir, CARD_TEMPLATE)
    return found is not None and found.resolve() == (packaged_folder() / CARD_TEMPLATE).resolve()
