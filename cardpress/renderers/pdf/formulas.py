"""Display formulas on paper: never below the smallest type, never past their column.

A display formula is drawn as pieces (``formula_svg``: broken where TeX may break a
long display), each sized in ``ex`` so that its x-height is the text's. On paper a piece
wider than its column is scaled down to fit it (``max-width: 100%``); scaled below
``MIN_PT`` its symbols would be smaller than the smallest text of the printouts. Before
layout each piece's width at that smallest size is known from its drawing, so:

- on the cheat sheet, a card holding a piece that would shrink below ``MIN_PT`` in a
  column spans both columns; one that would shrink below it even across the page (or in
  its column, in an introduction, which spans nothing) is reported at its card
  (``path:line:col``) and set as large as the room allows;
- on a printed card, a side holding a piece wider than its card at ``MIN_PT`` starts at
  the smallest size and is cut before that formula, continued on the cheat sheet, with a
  warning at its card (``cards``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cardpress.errors import Diagnostic
from cardpress.model import Card, Deck
from cardpress.papers import PAPERS

MIN_PT = 8.0
"""The smallest type of the printouts: a formula's x-height is never below this size's."""
X_HEIGHT = 0.547
"""DejaVu Sans Condensed's x-height in em (the printouts' text): 1 ex at 8 pt is 4.4 pt."""
PT_PER_MM = 72 / 25.4
SIDE_MARGIN_MM = 10.0
COLUMN_GAP_MM = 6.0
"""The cheat sheet's side margins and column gap (pdf/cheatsheet.css.j2)."""
INDENT_MM = 5.0
"""Room kept for what a formula may stand in: a list's indent, a callout's padding."""
OVER = "math-over"
"""The class of a display formula too wide for a printed card at ``MIN_PT``."""

_PIECE_RE = re.compile(r'<svg class="math math-display[^"]*"[^>]*? width="([0-9.]+)ex"')
_BLOCK_RE = re.compile(r'<span class="math-block">(.*?)</span>', re.DOTALL)


def narrowest_mm(html: str) -> float:
    """How wide the widest display piece in ``html`` is at ``MIN_PT``, in mm (0: none)."""
    if "math-display" not in html:
        return 0.0
    widest = max((float(width) for width in _PIECE_RE.findall(html)), default=0.0)
    return widest * MIN_PT * X_HEIGHT / PT_PER_MM


def _card_html(card: Card) -> Iterator[str]:
    yield from (card.question.html, card.answer.html, card.details.html, card.cloze.html)
    yield from (callout.body.html for callout in card.callouts)


def column_mm(paper: str) -> float:
    """The room a formula has in a column of the cheat sheet, in mm."""
    return (_page_mm(paper) - COLUMN_GAP_MM) / 2 - INDENT_MM


def page_mm(paper: str) -> float:
    """The room a formula has across both columns of the cheat sheet, in mm."""
    return _page_mm(paper) - INDENT_MM


def _page_mm(paper: str) -> float:
    return PAPERS[paper].mm[0] - 2 * SIDE_MARGIN_MM


def spanning_cards(deck: Deck, paper: str) -> frozenset[str]:
    """The cards (by id) whose formulas would shrink below ``MIN_PT`` in a column."""
    if not deck.math:
        return frozenset()
    column = column_mm(paper)
    return frozenset(
        card.id
        for card in deck.cards()
        if max(narrowest_mm(html) for html in _card_html(card)) > column
    )


def too_wide_formulas(deck: Deck, paper: str) -> list[Diagnostic]:
    """A warning for each card (or introduction) with a display formula that would shrink
    below ``MIN_PT`` even across the page."""
    if not deck.math:
        return []
    column, page = column_mm(paper), page_mm(paper)
    places = [(deck.location, [deck.intro.html], column)]  # an introduction spans nothing
    for section in deck.sections:
        places.append((section.location, [section.intro.html], column))
        places += [(card.location, list(_card_html(card)), page) for card in section.cards]
    found = []
    for location, htmls, room in places:
        widest = max(narrowest_mm(html) for html in htmls)
        if widest > room:
            found.append(
                Diagnostic(
                    location,
                    "warning",
                    f"a display formula is {widest:.0f} mm wide at the smallest type "
                    f"({MIN_PT:g} pt), wider than the {_room(room, page)} "
                    f"({room:.0f} mm), so it is printed smaller: break it into lines "
                    "(\\begin{aligned} ... \\\\ ... \\end{aligned}) or split it",
                )
            )
    return found


def _room(room: float, page: float) -> str:
    return "PDF's page across both columns" if room == page else "PDF's column"


def mark_over_wide(html: str, room_mm: float) -> str:
    """``html`` with the class ``OVER`` on each display formula with a piece wider than
    ``room_mm`` at ``MIN_PT``."""
    if "math-block" not in html:
        return html

    def mark(match: re.Match[str]) -> str:
        if narrowest_mm(match.group(0)) <= room_mm:
            return match.group(0)
        return f'<span class="math-block {OVER}">{match.group(1)}</span>'

    return _BLOCK_RE.sub(mark, html)
