"""The single-file HTML one-pager.

Everything the page needs is inlined at build time (CSS, JavaScript, images as data:
URIs, the search index), so it opens from ``file://`` on any device and makes no
request. A Content-Security-Policy with build-time hashes lets only our own style and
scripts run, so content that slipped past the parser's sanitiser still cannot execute.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import jinja2
from markupsafe import Markup

from cardpress.errors import BuildError
from cardpress.markup import cloze
from cardpress.markup.formula_svg import math_css
from cardpress.model import Card, Deck, Fragment, Section
from cardpress.renderers import RenderContext
from cardpress.renderers.html.assets import CARDS_POLICY, PageAssets, load_assets
from cardpress.renderers.html.card_markup import CardMarkup, packaged_card_template
from cardpress.renderers.html.index import chunks, is_chunked, search_index_json
from cardpress.renderers.html.media import MediaInliner
from cardpress.template_folders import search_path
from cardpress.templates import environment

PAGE_TEMPLATE = "html/page.html.j2"
CHUNK_END = "</noscript"

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
    """The complete page as text; identical input gives identical text.

    A big deck's cards go into ``<noscript>`` chunks (index.py). Should a chunk's markup
    ever hold the text that ends one (a custom template could), that page is written
    with its cards in the document instead, as a small deck's is.
    """
    if is_chunked(deck):
        page, chunk_count = _render(deck, context, chunked=True)
        if page.lower().count(CHUNK_END) == chunk_count:
            return page
    return _render(deck, context, chunked=False)[0]


def _page_environment(templates_dir: Path | None) -> jinja2.Environment:
    """One environment per templates folder and process: the page's templates are
    compiled once (``serve`` and ``--watch`` render the page after every edit). Jinja
    reloads a template whose file changed; a template added to or removed from the
    user's folder makes a new environment. Its filters are set by each render."""
    return _environment_of(templates_dir, _user_templates(templates_dir))


@functools.lru_cache(maxsize=4)
def _environment_of(templates_dir: Path | None, _files: tuple[str, ...]) -> jinja2.Environment:
    return environment(templates_dir)


def _user_templates(templates_dir: Path | None) -> tuple[str, ...]:
    """The files of the user's templates folder (before the packaged one), sorted."""
    folders = search_path(templates_dir)[:-1]
    return tuple(sorted(str(p) for folder in folders for p in folder.rglob("*") if p.is_file()))


def _render(deck: Deck, context: RenderContext, *, chunked: bool) -> tuple[str, int]:
    """The page, and the number of chunks it was meant to have."""
    env = _page_environment(context.templates_dir)
    inliner = MediaInliner(deck, context)
    env.filters["fragment"] = _fragment_filter(inliner)
    env.filters["cloze"] = _cloze_filter(inliner)
    env.filters["card_tags"] = _card_tags_filter(deck)
    env.globals["chunks"] = chunks
    packaged = packaged_card_template(context.templates_dir)
    env.globals["card_markup"] = CardMarkup(env, deck, CALLOUT_LABELS) if packaged else None
    policies = [CARDS_POLICY] if chunked else []
    assets: PageAssets = load_assets(env, math_css(deck, scroll=True), policies)
    try:
        template = env.get_template(PAGE_TEMPLATE)
        page = template.render(
            deck=deck,
            assets=assets,
            version=context.version,
            callout_labels=CALLOUT_LABELS,
            tag_counts=tag_counts(deck),
            search_index=Markup(search_index_json(deck, chunked)),
            chunked=chunked,
        )
    except BuildError:
        raise
    except Exception as error:  # a template bug: report it as a build failure
        raise BuildError(f"{deck.key}: cannot render the HTML page: {error}") from error
    chunk_count = sum(len(chunks(section)) for section in deck.sections) if chunked else 0
    return page, chunk_count


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
