"""The single-file HTML one-pager.

Everything the page needs is inlined at build time (CSS, JavaScript, images as data:
URIs, the search index), so it opens from ``file://`` on any device and makes no
request. A Content-Security-Policy with build-time hashes lets only our own style and
scripts run, so content that slipped past the parser's sanitiser still cannot execute.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from markupsafe import Markup

from cardpress.errors import BuildError
from cardpress.markup import cloze
from cardpress.markup.formula_svg import math_css
from cardpress.model import Card, Deck, Fragment, Section
from cardpress.renderers import RenderContext
from cardpress.renderers.html.assets import PageAssets, load_assets
from cardpress.renderers.html.media import MediaInliner
from cardpress.renderers.html.study import card_fingerprint, typed_answer
from cardpress.templates import environment

PAGE_TEMPLATE = "html/page.html.j2"
LAZY_LAYOUT_CARDS = 300
"""Above this many cards the browser lays out only the cards near the window (style.css,
``.lazy-cards``): a smaller page is laid out whole, as it always was."""

CALLOUT_LABELS = {
    "note": "Note",
    "tip": "Tip",
    "important": "Important",
    "warning": "Warning",
    "caution": "Caution",
}


def render(deck: Deck, context: RenderContext, out: Path) -> None:
    """Write the one-pager for ``deck`` to ``out``."""
    out.write_bytes(render_page(deck, context).encode("utf-8"))


def render_page(deck: Deck, context: RenderContext) -> str:
    """The complete page as text; identical input gives identical text."""
    env = environment(context.templates_dir)
    inliner = MediaInliner(deck, context)
    env.filters["fragment"] = _fragment_filter(inliner)
    env.filters["cloze"] = _cloze_filter(inliner)
    env.filters["card_tags"] = _card_tags_filter(deck)
    assets: PageAssets = load_assets(env, math_css(deck, scroll=True))
    try:
        template = env.get_template(PAGE_TEMPLATE)
        return template.render(
            deck=deck,
            assets=assets,
            version=context.version,
            callout_labels=CALLOUT_LABELS,
            tag_counts=tag_counts(deck),
            search_index=Markup(search_index_json(deck)),
            lazy_layout=deck.card_count > LAZY_LAYOUT_CARDS,
        )
    except BuildError:
        raise
    except Exception as error:  # a template bug: report it as a build failure
        raise BuildError(f"{deck.key}: cannot render the HTML page: {error}") from error


def _fragment_filter(inliner: MediaInliner) -> Callable[[Fragment], Markup]:
    def fragment(value: Fragment) -> Markup:
        if not isinstance(value, Fragment):
            raise TypeError(f"the fragment filter takes a Fragment, not {type(value).__name__}")
        return Markup(inliner.inline(value.html))

    return fragment


def _cloze_filter(inliner: MediaInliner) -> Callable[[Fragment], Markup]:
    def cloze(value: Fragment) -> Markup:
        return Markup(inliner.inline(cloze_spans(value.html)))

    return cloze


def cloze_spans(cloze_html: str) -> str:
    """Deletions as spans the page can hide, like ``cloze.as_spans`` with the answers shown.

    A hint gets an element of its own next to the answer, stacked in one grid cell, so
    the blank is as wide as the longer of the two and revealing the answer moves nothing.
    """

    def span(marker: cloze.Marker) -> str:
        if not marker.hint:
            return f'<span class="cloze" data-cloze="{marker.label}">{marker.answer}</span>'
        return (
            f'<span class="cloze cloze-hinted" data-cloze="{marker.label}">'
            f'<span class="cloze-answer">{marker.answer}</span>'
            f'<span class="cloze-hint">{marker.hint}</span></span>'
        )

    return cloze.finish(cloze_html, span)


def _card_tags_filter(deck: Deck) -> Callable[[Card, Section], list[str]]:
    """The tags a card shows: its own, since deck and section tags are shown once above."""

    def card_tags(card: Card, section: Section) -> list[str]:
        shared = set(deck.tags) | set(section.tags) | {section.key}
        return [tag for tag in card.tags if tag not in shared]

    return card_tags


def tag_counts(deck: Deck) -> list[tuple[str, int]]:
    """Every tag with its number of cards, sorted by name, for the tag filter."""
    counts: dict[str, int] = {}
    for card in deck.cards():
        for tag in card.tags:
            counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts.items())


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


_ACCENTS = re.compile("[\u0300-\u036f]")


def search_index_json(deck: Deck) -> str:
    """The search and study index as JSON, safe inside ``<script type="application/json">``."""
    index: dict[str, Any] = {
        "deck": deck.key,
        "cards": [
            {
                "id": card.anchor,
                "section": section.key,
                "tags": list(card.tags),
                "text": search_key(card_search_text(card)),
                "fp": card_fingerprint(card),
                **({"expect": typed_answer(card)} if card.type_in else {}),
            }
            for section in deck.sections
            for card in section.cards
        ],
    }
    return script_safe_json(index)


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
