"""The printed cards' sides as HTML: one card-sized page per side, at a chosen text size.

No WeasyPrint here: the sides are plain strings that a worker process lays out. Every side
is a ``<section>`` that starts a page; ``FRONT_SIZES`` and ``BACK_SIZES`` are the text
sizes a side may be set at (code and details never below ``SMALLEST_PT``), and a side is
set at the largest one at which it fits on its card, in height and in width (see
``cards``). A side that fits at none is laid out once more as ``cut``, on a page whose
margin says where it continues (page margin boxes cost WeasyPrint about a third more
per page, so only those pages have them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from cardpress.markup import cloze
from cardpress.model import Card, Deck, Section
from cardpress.print_options import CardSheet
from cardpress.renderers import RenderContext
from cardpress.renderers.pdf import formulas as pdf_math
from cardpress.renderers.pdf.code import mark_code_breaks
from cardpress.renderers.pdf.html import (
    CODE_STYLE,
    build_date,
    environment_for,
    paper_of,
)

TEMPLATE = "pdf/cards.html.j2"
CALIBRATION_TEMPLATE = "pdf/cards-calibration.html.j2"
# The text sizes a side is tried at, largest first (pt): a question is read at arm's
# length, an answer is studied; a side comes down only as far as its text needs.
FRONT_SIZES = (18.0, 16.0, 14.0, 12.5, 11.0, 10.0, 9.0)
BACK_SIZES = (14.0, 12.5, 11.0, 10.0, 9.0, 8.5, 8.0)
SMALLEST_PT = 8.0  # code, details, callouts and tables: never smaller
SMALLER = 0.88  # code, details and callouts, relative to the side's text
LEVELS = len(FRONT_SIZES)
PADDING_MM = 4.5  # inside the card, on every side (equal, so a flipped card lines up)
# How much of its card a side's text covers, as characters times the square of the text
# size: the estimate that picks the first size worth trying (fewer layouts to find it).
MM2_PER_CHARACTER_PT2 = 0.075
_SIDE_OPENING = '<section class="side level-0'


@dataclass(frozen=True)
class Side:
    """One face of one printed card."""

    card: Card
    front: bool
    label: str  # printed in small type: the printed card's number in the deck, to sort by
    section: Section
    body: str  # safe HTML
    text_length: int

    @property
    def what(self) -> str:
        """What the side holds, for the warning when it does not fit."""
        if self.card.kind.has_deletions:
            return "cloze text" if self.front else "cloze answer"
        return "question" if self.front else "answer"


def _cloze_side(html: str, number: int, front: bool) -> str:
    """The cloze text with deletion ``number`` blanked (front) or marked (back); the others
    shown as plain text, as Anki shows them."""

    def side(marker: cloze.Marker) -> str:
        if marker.number != number:
            return marker.answer
        if front:
            return f'<span class="cloze-blank">[{marker.hint or "…"}]</span>'
        return f'<span class="cloze-answer">{marker.answer}</span>'

    return cloze.finish(html, side)


def _text_length(html: str) -> int:
    return len(re.sub(r"<[^>]*>", "", html))


def _back_extra(card: Card) -> str:
    parts = []
    if card.details:
        parts.append(f'<div class="details">{card.details.html}</div>')
    for callout in card.callouts:
        kind = callout.kind.value
        parts.append(
            f'<aside class="callout callout-{kind}"><span class="callout-label">'
            f"{kind.capitalize()}</span> {callout.body.html}</aside>"
        )
    return "".join(parts)


def card_sides(deck: Deck) -> list[tuple[Side, Side]]:
    """Each printed card's front and back, in deck order; a cloze card gives one printed
    card per deletion, like Anki. Printed cards are numbered from 1 (zero-padded, so the
    numbers sort as text too)."""
    bodies: list[tuple[Card, Section, str, str]] = []
    for section in deck.sections:
        for card in section.cards:
            extra = _back_extra(card)
            if card.kind.has_deletions:
                heading = f'<h3 class="q">{card.question.html}</h3>' if card.question else ""
                for number in cloze.numbers(card.cloze.html):
                    blanked = _cloze_side(card.cloze.html, number, True)
                    front = f'{heading}<div class="cloze-text">{blanked}</div>'
                    back = (
                        f'<div class="cloze-text">{_cloze_side(card.cloze.html, number, False)}'
                        f"</div>{extra}"
                    )
                    bodies.append((card, section, front, back))
                continue
            front = f'<h3 class="q">{card.question.html}</h3>'
            answer = f'<div class="a">{card.answer.html}</div>' if card.answer else ""
            bodies.append((card, section, front, answer + extra))
    digits = len(str(len(bodies)))
    return [
        _pair(card, section, f"{number:0{digits}d}", front, back)
        for number, (card, section, front, back) in enumerate(bodies, 1)
    ]


def _pair(card: Card, section: Section, label: str, front: str, back: str) -> tuple[Side, Side]:
    return (
        Side(card, True, label, section, front, _text_length(front)),
        Side(card, False, label, section, back, _text_length(back)),
    )


def formula_room_mm(sheet: CardSheet) -> float:
    """The width a display formula has on a card, in mm."""
    return sheet.size.width - 2 * PADDING_MM - pdf_math.INDENT_MM


def formula_too_wide(side: Side, sheet: CardSheet) -> bool:
    """Whether the side holds a display formula wider than its card at the smallest type:
    the side is cut before it, and continues on the cheat sheet."""
    return pdf_math.narrowest_mm(side.body) > formula_room_mm(sheet)


def first_level(side: Side, sheet: CardSheet) -> int:
    """The first text size worth trying: the largest at which the side's text could cover
    no more than its card (an estimate; the layout decides); the smallest for a side with
    a formula too wide for its card at any size."""
    if formula_too_wide(side, sheet):
        return LEVELS - 1
    area = (sheet.size.width - 2 * PADDING_MM) * (sheet.size.height - 2 * PADDING_MM)
    sizes = FRONT_SIZES if side.front else BACK_SIZES
    for level, size in enumerate(sizes):
        if side.text_length * size * size * MM2_PER_CHARACTER_PT2 <= area:
            return level
    return LEVELS - 1


def level_sizes() -> list[dict[str, float]]:
    """Per level, the sizes the stylesheet sets: each side's text, and the smaller text
    (code, details, callouts, tables) beside it, never under ``SMALLEST_PT``."""
    return [
        {
            "front": front,
            "back": back,
            "front_small": max(SMALLEST_PT, round(front * SMALLER, 2)),
            "back_small": max(SMALLEST_PT, round(back * SMALLER, 2)),
        }
        for front, back in zip(FRONT_SIZES, BACK_SIZES, strict=True)
    ]


@dataclass(frozen=True)
class SidesDocument:
    """The document the sides are laid out in: ``head + blocks + tail``."""

    head: str
    blocks: tuple[str, ...]
    tail: str

    def html(self, indexes: list[int], levels: list[int], cut: bool = False) -> str:
        """The document holding only the sides ``indexes``, at their ``levels``; ``cut``:
        on pages that say in their margin where the side continues."""
        extra = " cut" if cut else ""
        body = "".join(
            f'<section class="side level-{levels[i]}{extra}' + self.blocks[i][len(_SIDE_OPENING) :]
            for i in indexes
        )
        return self.head + body + self.tail


def sides_document(
    deck: Deck,
    context: RenderContext,
    sheet: CardSheet,
    sides: list[Side],
    sheet_pages: dict[str, int],
) -> SidesDocument:
    """The sides' document; ``sheet_pages`` gives the cheat-sheet page of each card (by id)
    for the line that says where an overflowing side continues."""
    from cardpress.markup.formula_svg import math_css
    from cardpress.markup.highlight import highlight_css

    env = environment_for(context.templates_dir)
    html = env.get_template(TEMPLATE).render(
        deck=deck,
        sheet=sheet,
        padding=PADDING_MM,
        levels=level_sizes(),
        code_css=Markup(highlight_css(CODE_STYLE, ".side") + math_css(deck)),
        build_stamp=build_date(context).strftime("%Y-%m-%dT%H:%M:%SZ"),
        version=context.version,
        keywords=deck.all_tags() or deck.tags,
    )
    head, marker, tail = html.partition("<!-- sides -->")
    assert marker, f"{TEMPLATE} lost its <!-- sides --> marker"
    blocks = []
    for index, side in enumerate(sides):
        page = sheet_pages.get(side.card.id)
        more = f"continued on cheat sheet p. {page}" if page else "continued on the cheat sheet"
        blocks.append(
            f'{_SIDE_OPENING} side-{"front" if side.front else "back"}" id="side-{index}" '
            f'data-more="{escape(more)}">'
            f'<p class="section-label">{escape(side.section.title.text)}'
            f'<span class="card-number"> · {escape(side.label)}</span></p>'
            f'<div class="body {"front" if side.front else "back"}">'
            f"{pdf_math.mark_over_wide(side.body, formula_room_mm(sheet))}</div></section>"
        )
    return SidesDocument(head, tuple(mark_code_breaks(block) for block in blocks), tail)


def calibration_html(
    context: RenderContext, sheet: CardSheet, width: float, height: float, marks: object
) -> str:
    env = environment_for(context.templates_dir)
    return env.get_template(CALIBRATION_TEMPLATE).render(
        width=width, height=height, sheet=sheet, marks=marks
    )


__all__ = ["Side", "SidesDocument", "card_sides", "first_level", "paper_of", "sides_document"]
