"""The printouts' layout rules that need no layout: the running header of each page from
where the sections start, which tables must break their words, and the printed cards'
numbers and type sizes."""

from __future__ import annotations

from cardpress.print_options import CardSheet, card_size
from cardpress.renderers.pdf.cards_html import (
    BACK_SIZES,
    FRONT_SIZES,
    SMALLEST_PT,
    card_sides,
    first_level,
    level_sizes,
)
from cardpress.renderers.pdf.html import CONTENT_TOP_PT, LEFT_MARGIN_PT, running_heads
from cardpress.renderers.pdf.tables import can_fit, squeeze_wide_tables, whole_words_fit
from tests.support.pdf_support import make_card, make_deck, make_section

HEIGHT = 841.89
TOP = HEIGHT - CONTENT_TOP_PT  # a section that opens a page starts here
RIGHT = 306.0  # the right column's left edge


def _deck(*titles: str):
    return make_deck(
        [
            make_section(f"s{n}", title, [make_card(f"c{n}", "Q?", "A.")])
            for n, title in enumerate(titles)
        ]
    )


def test_the_header_names_the_first_and_last_section_on_the_page() -> None:
    deck = _deck("Alpha", "Beta", "Gamma", "Delta")
    starts = {
        "section-s0": (0, LEFT_MARGIN_PT, 600.0),  # under the title block
        "section-s1": (1, RIGHT, TOP),  # the right column's top: Alpha goes on on the left
        "section-s2": (1, LEFT_MARGIN_PT, 300.0),
        "section-s3": (3, LEFT_MARGIN_PT, TOP),  # opens page 4
    }
    heads = running_heads(deck, starts, 5, HEIGHT)
    assert heads == ["", "Alpha – Gamma", "Gamma", "Delta", "Delta"]


def test_tables_too_wide_for_whole_words_are_squeezed() -> None:
    narrow = "<table><tr><th>Key</th><th>Value</th></tr><tr><td>a</td><td>b</td></tr></table>"
    cells = "".join(f"<td>column-number-{n}</td>" for n in range(8))
    wide = f"<table><tr>{cells}</tr></table>"
    many = "<table><tr>" + "<td>x</td>" * 30 + "</tr></table>"
    assert whole_words_fit(narrow) and not whole_words_fit(wide)
    assert can_fit(wide) and not can_fit(many)
    page = squeeze_wide_tables(f"<p>x</p>{narrow}{wide}")
    assert page == f'<p>x</p>{narrow}<table class="squeeze">{wide[7:]}'


def test_cards_are_numbered_not_named_and_start_large() -> None:
    cards = [make_card(f"a-long-card-id-{n}", f"Question {n}?", "Answer.") for n in range(12)]
    deck = make_deck([make_section("s", "Section", cards)])
    pairs = card_sides(deck)
    assert [front.label for front, _ in pairs] == [f"{n:02d}" for n in range(1, 13)]
    sheet = CardSheet(card_size("a7"), "duplex-long", (0.0, 0.0), False)
    front, back = pairs[0]
    assert first_level(front, sheet) == first_level(back, sheet) == 0
    assert FRONT_SIZES[0] == 18.0 and BACK_SIZES[0] == 14.0
    assert all(
        min(level.values()) >= SMALLEST_PT and level["front"] > level["back"] - 0.01
        for level in level_sizes()
    )
