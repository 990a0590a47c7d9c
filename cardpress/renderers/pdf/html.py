"""The cheat sheet as HTML, and the rule for which files WeasyPrint may read.

Everything the PDF renderer does before WeasyPrint lives here, so that this module never
imports WeasyPrint and everything it hands over (an HTML string, a ``FetchPolicy``) is
plain picklable data that a worker process can lay out on its own.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from jinja2 import Environment
from markupsafe import Markup

from cardpress import template_folders
from cardpress.errors import BuildError
from cardpress.markup import cloze
from cardpress.markup.formula_svg import math_css
from cardpress.markup.highlight import highlight_css
from cardpress.model import Card, Deck, Fragment, Section
from cardpress.papers import DEFAULT_PAPER, PAPERS
from cardpress.renderers import RenderContext
from cardpress.renderers.pdf.code import mark_code_breaks
from cardpress.renderers.pdf.formulas import spanning_cards
from cardpress.renderers.pdf.tables import squeeze_wide_tables
from cardpress.templates import environment

TEMPLATE = "pdf/cheatsheet.html.j2"
PAGE_FOOTERS_TEMPLATE = "pdf/page-footers.html.j2"
# Black and white with bold and italics: stays readable when printed in grayscale.
CODE_STYLE = "bw"
# Card HTML names images by their bare media name; they resolve against this made-up
# origin (the .invalid domain never exists), which the fetcher maps to the deck's files.
MEDIA_BASE_URL = "https://media.cardpress.invalid/"
PAGE_SIZES = {name: paper.css_size for name, paper in PAPERS.items()}


def paper_of(deck: Deck, context: RenderContext) -> str:
    """The paper the sheet is set on: the command line wins over the deck's setting."""
    paper = (context.paper_for(deck) or DEFAULT_PAPER).lower()
    if paper not in PAGE_SIZES:
        known = ", ".join(PAGE_SIZES)
        raise BuildError(f"{deck.key}: unknown paper size {paper!r} (use one of: {known})")
    return paper


@dataclass(frozen=True)
class SheetPart:
    """A run of sections laid out as one document.

    The whole sheet is one part. Rendering sections as separate documents (to use
    several cores, or to re-render only what changed) means several parts: the first
    carries the title block, each later one starts at ``first_page``, and ``toc_pages``
    gives the contents their page numbers when the sections are not in the same
    document (otherwise CSS ``target-counter`` finds them).
    """

    sections: tuple[Section, ...]
    title_block: bool = True
    first_page: int = 1
    toc_pages: Mapping[str, int] = field(default_factory=dict)
    # False when the footer (page number, build date) is stamped on after merging.
    page_footer: bool = True
    # False for a part that another follows: its last page need not be balanced.
    balance_columns: bool = True

    @property
    def section_keys(self) -> frozenset[str]:
        return frozenset(section.key for section in self.sections)


def whole_sheet(deck: Deck) -> SheetPart:
    return SheetPart(sections=deck.sections)


def build_date(context: RenderContext) -> datetime:
    return datetime.fromtimestamp(context.build_time, UTC)


def _cloze_revealed(fragment: Fragment) -> Markup:
    """The cloze text with every deletion shown and marked (a sheet is read, not quizzed)."""
    return Markup(cloze.as_spans(fragment.html, reveal=True))


def _runs(cards: tuple[Card, ...], spanning: frozenset[str]) -> list[tuple[bool, list[Card]]]:
    """A section's cards as runs: (False, cards set in the columns) and (True, [one card
    set across them]); the first run is always in the columns (it holds the heading)."""
    runs: list[tuple[bool, list[Card]]] = [(False, [])]
    for card in cards:
        if card.id in spanning:
            runs.append((True, [card]))
        elif runs[-1][0]:
            runs.append((False, [card]))
        else:
            runs[-1][1].append(card)
    return runs


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@functools.lru_cache(maxsize=4)
def _environment(templates_dir: Path) -> Environment:
    """One environment per templates folder, so a sheet laid out in parts compiles its
    templates once (Jinja still reloads a template whose file changed)."""
    env = environment(templates_dir)
    env.filters["cloze_revealed"] = _cloze_revealed
    env.filters["plural"] = _plural
    env.filters["runs"] = _runs
    env.globals["template_url"] = lambda name: _template_url(templates_dir, name)
    return env


def _template_url(templates_dir: Path, name: str) -> str:
    found = template_folders.find(templates_dir, name)
    if found is None:
        looked = template_folders.looked_in(templates_dir)
        raise BuildError(f"template {name} not found (looked in {looked})")
    return found.resolve().as_uri()


def environment_for(templates_dir: Path) -> Environment:
    """The PDF templates' environment, shared by every printout (cached per folder)."""
    return _environment(templates_dir)


def sheet_html(deck: Deck, context: RenderContext, part: SheetPart | None = None) -> str:
    """Render the Jinja template for ``part`` of the deck's sheet (all of it by default)."""
    part = part or whole_sheet(deck)
    env = _environment(context.templates_dir)
    built = build_date(context)
    template = env.get_template(TEMPLATE)
    return squeeze_wide_tables(
        mark_code_breaks(
            template.render(
                deck=deck,
                part=part,
                paper=paper_of(deck, context),
                page_size=PAGE_SIZES[paper_of(deck, context)],
                spanning=spanning_cards(deck, paper_of(deck, context)),
                keywords=deck.all_tags() or deck.tags,
                build_day=built.strftime("%Y-%m-%d"),
                build_stamp=built.strftime("%Y-%m-%dT%H:%M:%SZ"),
                version=context.version,
                # Generated by Pygments from a fixed style name: no content reaches it, and CSS
                # inside <style> must not be entity-escaped.
                code_css=Markup(highlight_css(CODE_STYLE, ".sheet") + math_css(deck)),
            )
        )
    )


def page_footers_html(
    deck: Deck, context: RenderContext, heads: list[str], footers: bool = True
) -> str:
    """A document of blank pages carrying only their furniture: page ``i`` the running
    header ``heads[i]`` (with the deck's title; none when empty) and, with ``footers``,
    the page number and build date."""
    template = _environment(context.templates_dir).get_template(PAGE_FOOTERS_TEMPLATE)
    return template.render(
        deck=deck,
        heads=heads,
        footers=footers,
        page_size=PAGE_SIZES[paper_of(deck, context)],
        build_day=build_date(context).strftime("%Y-%m-%d"),
    )


# Where a sheet's content starts below the top of the page (its top margin), in points.
CONTENT_TOP_PT = 12 * 72 / 25.4
LEFT_MARGIN_PT = 10 * 72 / 25.4


def page_height(deck: Deck, context: RenderContext) -> float:
    """The height of the sheet's pages, in points."""
    return PAPERS[paper_of(deck, context)].mm[1] * 72 / 25.4


def running_heads(
    deck: Deck, starts: Mapping[str, tuple[int, float, float]], pages: int, height: float
) -> list[str]:
    """The running header of each page, as a dictionary has it: the section the page opens
    with, and the last section that starts on it when that is another ("IAM – Containers").

    ``starts`` gives where each section starts, by anchor: (0-based page, left, top in
    points from the bottom); ``height`` is the page's. The title page has none."""
    opening: dict[int, list[str]] = {}
    at_top: dict[int, str] = {}
    for section in deck.sections:
        if section.anchor not in starts:
            continue
        page, left, top = starts[section.anchor]
        opening.setdefault(page, []).append(section.title.text)
        if top >= height - CONTENT_TOP_PT - 2 and left <= LEFT_MARGIN_PT + 2:
            at_top[page] = section.title.text
    heads: list[str] = []
    current = ""
    for page in range(pages):
        first = at_top.get(page, current)
        titles = opening.get(page, [])
        last = titles[-1] if titles else first
        current = last
        if not first:
            heads.append(last)
        else:
            heads.append(first if first == last else f"{first} – {last}")
    if deck.sections and pages:
        heads[0] = ""  # the title page
    return heads


class RefusedReference(Exception):
    """The sheet asked for a file it may not read; ``url`` is what it asked for."""

    def __init__(self, url: str, reason: str, via: str | None = None):
        self.url = url
        self.reason = reason
        self.via = via  # the image that referred to it, when not the sheet itself
        super().__init__(f"{url}: {reason}")

    def __reduce__(self) -> tuple[type, tuple[str, str, str | None]]:
        # Raised in worker processes: travels back to the build as itself.
        return (RefusedReference, (self.url, self.reason, self.via))


@dataclass(frozen=True)
class FetchPolicy:
    """Which URLs the PDF may load: the deck's media files and files of the templates folder.

    Nothing else is read: not the network, not ``file:`` URLs outside the templates
    folder. (``data:image/`` URLs inside an SVG image are decoded by the fetcher.)
    """

    media: Mapping[str, bytes]  # media name -> the bytes the parser checked
    templates_dir: Path

    @classmethod
    def for_deck(cls, deck: Deck, context: RenderContext) -> FetchPolicy:
        media = {item.name: context.media_data(item.name) for item in deck.media}
        return cls(media, context.templates_dir)

    def load(self, url: str) -> bytes:
        """The bytes behind ``url``; ``RefusedReference`` when it is not one we may read.

        A deck's image is served from the bytes the parser checked, never read again."""
        if url.startswith(MEDIA_BASE_URL):
            name = unquote(urlsplit(url).path.removeprefix("/"))
            if name not in self.media:
                raise RefusedReference(url, f"{name!r} is not a media file of the deck")
            return self.media[name]
        return self.resolve(url).read_bytes()

    def resolve(self, url: str) -> Path:
        """The template file behind a ``file:`` URL; ``RefusedReference`` for any other."""
        if urlsplit(url).scheme == "file":
            path = Path(url2pathname(urlsplit(url).path))
            folders = template_folders.search_path(self.templates_dir)
            inside = next((f for f in folders if path.resolve().is_relative_to(f)), folders[0])
            return self._inside(url, path, inside)
        raise RefusedReference(url, "only the deck's media and template files may be read")

    @staticmethod
    def _inside(url: str, path: Path, folder: Path) -> Path:
        real = path.resolve()
        if not real.is_relative_to(folder.resolve()):
            raise RefusedReference(url, f"{path} is outside {folder}")
        if not real.is_file():
            raise RefusedReference(url, f"{path} does not exist")
        return real


def where_referenced(deck: Deck, url: str) -> str:
    """Which card (by source line) refers to ``url``, for a clear error message."""
    name = unquote(url.removeprefix(MEDIA_BASE_URL))
    needles = (f'src="{name}"', f'src="{url}"')
    for section in deck.sections:
        if any(n in section.intro.html for n in needles):
            return f"{section.location}"
        for card in section.cards:
            fragments = (card.question, card.answer, card.details, card.cloze)
            htmls = [f.html for f in fragments] + [c.body.html for c in card.callouts]
            if any(n in html for html in htmls for n in needles):
                return f"{card.location}"
    if any(n in deck.intro.html for n in needles):
        return f"{deck.location}"
    return "the PDF templates"  # nothing in the content refers to it
