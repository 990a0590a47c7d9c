"""Column balancing: the same layout as WeasyPrint's own, in a few trial layouts.

WeasyPrint 70 balances a last page's columns 1 px at a time; ``pdf/columns.py`` answers
its passes from a doubling-then-halving search. The sheet it lays out must be the one
WeasyPrint lays out without it, down to the bytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import weasyprint
from weasyprint.layout import block

from cardpress.renderers.pdf import columns
from cardpress.renderers.pdf import sheet as pdf
from cardpress.renderers.pdf.html import sheet_html
from tests.support.pdf_support import make_card, make_context, make_deck, make_section

LONG_ANSWER = "<p>" + " ".join(["A long answer that must move whole."] * 12) + "</p>"


def test_the_search_is_in_use_over_the_pinned_weasyprint() -> None:
    assert weasyprint.__version__ == columns.PINNED
    assert pdf.BALANCED_COLUMNS
    assert block.columns_layout is columns.balanced_columns_layout


def test_another_weasyprint_keeps_its_own_balancing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(block, "columns_layout", columns._real_columns_layout)
    monkeypatch.setattr(block, "block_box_layout", columns._real_block_box_layout)
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    assert not columns.install()
    assert block.columns_layout is columns._real_columns_layout
    assert block.block_box_layout is columns._real_block_box_layout


def _search(heights: list[float], threshold: float) -> tuple[float | None, list[float]]:
    tried: list[float] = []

    def fits(height: float) -> bool:
        tried.append(height)
        return height >= threshold

    found = columns.BalancingSearch(element=None, count=2, heights=heights)._search(fits)
    return found, tried


@pytest.mark.parametrize("threshold", [12.0, 13.0, 57.0, 400.0, 1000.0])
def test_the_search_finds_the_lowest_height_the_loop_would_reach(threshold: float) -> None:
    # WeasyPrint's passes: the full height, then 10, 11, 12, ... one pixel at a time.
    found, tried = _search([1000.0, 10.0, 11.0, 12.0], threshold)
    assert found == threshold
    assert len(tried) <= 2 * 10 + 2  # log2 of the 988 heights, twice


def test_the_search_follows_the_loops_own_step() -> None:
    found, _ = _search([500.0, 100.0, 130.0, 160.0], 171.0)
    assert found == 190.0  # 160 + 30: the next height the loop would try


def test_nothing_fitting_up_to_the_full_height_is_none() -> None:
    found, tried = _search([300.0, 10.0, 11.0, 12.0], 301.0)
    assert found is None
    assert tried[-1] == 300.0  # the last height the loop tries: the full one


def _sheet(cards: int) -> str:
    section = make_section(
        "s",
        "Section",
        [make_card(f"c{n}", f"Question {n}?", answer=LONG_ANSWER) for n in range(cards)],
    )
    deck = make_deck([section], intro="<p>One line of introduction.</p>")
    return sheet_html(deck, make_context(Path(".")))


def _pdf(html: str) -> bytes:
    data: bytes = weasyprint.HTML(string=html).write_pdf()
    return data


# A heading kept with a card that must move to the first column whole: WeasyPrint's
# slowest case, in a page of its own.
COLUMNS = (
    '<div style="columns: 2; column-gap: 6mm; font-size: 9pt"><p>One line.</p>'
    '<section><h2 style="break-after: avoid">A section</h2>'
    '<article style="break-inside: avoid">' + LONG_ANSWER + "</article></section></div>"
)


@pytest.mark.parametrize(
    "cards", [0, pytest.param(1, marks=pytest.mark.slow), pytest.param(3, marks=pytest.mark.slow)]
)
def test_a_balanced_sheet_is_the_one_weasyprint_lays_out(
    cards: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0: the bare columns; 1 and 3: a whole sheet of that many cards (slow: WeasyPrint's
    own balancing of a one-card sheet takes seconds)."""
    html = _sheet(cards) if cards else COLUMNS
    searches: list[columns.BalancingSearch] = []
    real_search = columns.BalancingSearch._search

    def counted(search: columns.BalancingSearch, fits: object) -> float | None:
        searches.append(search)
        return real_search(search, fits)  # type: ignore[arg-type]

    monkeypatch.setattr(columns.BalancingSearch, "_search", counted)
    ours = _pdf(html)
    monkeypatch.setattr(block, "columns_layout", columns._real_columns_layout)
    monkeypatch.setattr(block, "block_box_layout", columns._real_block_box_layout)
    assert _pdf(html) == ours
    if cards < 2:  # the card must move whole to the first column: a long search
        assert searches
        assert all(search.trials <= 20 for search in searches)
