"""Columns of the shipped deck's cheat sheet are filled before a section moves on.

A section starting at the top of a column may leave the foot of the column before it
empty only when its heading, introduction and first card (which are kept together)
would not have fitted there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest

from cardpress.parse import load_content
from cardpress.renderers.pdf import sheet as pdf
from tests.support.paths import ROOT
from tests.support.pdf_support import MARGIN_BOTTOM, MARGIN_TOP, make_context

CONTENT = ROOT / "content"
SECTION_TITLE_SIZE = 11.0  # points, from the sheet's stylesheet
CARD_RULE = (0.733333, 0.733333, 0.733333)  # the gray line under each card (#bbb)
SLACK = 3.0  # points: the rule under a card and rounding


@dataclass(frozen=True)
class SectionStart:
    title: str
    page: int  # 0-based
    column: int  # 0 or 1
    gap: float  # empty points at the foot of the column before, when the section opens a column
    kept_together: float  # points from the section's heading to the rule under its first card


def _column(x: float, width: float) -> int:
    return 0 if x < width / 2 else 1


def section_starts(pdf_path: Path) -> list[SectionStart]:
    """Each section heading that opens a column, with the room left in the column before."""
    with pdfplumber.open(pdf_path) as document:
        pages = []
        for page in document.pages:
            words = page.extract_words(extra_attrs=["size"])
            body = [
                w
                for w in words
                if w["top"] >= MARGIN_TOP - 1 and w["bottom"] <= page.height - MARGIN_BOTTOM + 1
            ]
            rules = [
                r
                for r in page.rects
                if tuple(round(c, 6) for c in r.get("non_stroking_color") or ()) == CARD_RULE
            ]
            pages.append((page.width, page.height, body, rules))
    starts = []
    for number, (width, height, body, rules) in enumerate(pages):
        titles = [w for w in body if abs(w["size"] - SECTION_TITLE_SIZE) < 0.1]
        seen: set[tuple[float, int]] = set()
        for word in titles:
            column = _column(word["x0"], width)
            if (round(word["top"]), column) in seen:
                continue
            seen.add((round(word["top"]), column))
            above = [
                w
                for w in body
                if _column(w["x0"], width) == column and w["bottom"] < word["top"] - 1
            ]
            if above or (number == 0 and column == 0):
                continue
            before_page, before_column = (number, 0) if column == 1 else (number - 1, 1)
            before_width, before_height, before_body, _ = pages[before_page]
            foot = max(
                (
                    w["bottom"]
                    for w in before_body
                    if _column(w["x0"], before_width) == before_column
                ),
                default=MARGIN_TOP,
            )
            gap = before_height - MARGIN_BOTTOM - foot
            below = [
                r["top"]
                for r in rules
                if _column(r["x0"], width) == column and r["top"] > word["bottom"]
            ]
            kept = (min(below) if below else height - MARGIN_BOTTOM) - word["top"]
            title = " ".join(
                w["text"]
                for w in titles
                if abs(w["top"] - word["top"]) < 1 and _column(w["x0"], width) == column
            )
            starts.append(SectionStart(title, number, column, gap, kept))
    return starts


@pytest.fixture(scope="module")
def shipped_sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    (deck,) = load_content(CONTENT, strict=True)
    folder = tmp_path_factory.mktemp("shipped-pdf")
    out = folder / f"{deck.key}.pdf"
    pdf.render(deck, make_context(CONTENT, deck=deck), out)
    return out


def test_sections_that_open_a_column_are_found(shipped_sheet: Path) -> None:
    assert section_starts(shipped_sheet), "no section of the shipped deck opens a column"


def test_a_column_is_left_empty_only_for_a_section_that_would_not_fit(
    shipped_sheet: Path,
) -> None:
    for start in section_starts(shipped_sheet):
        assert start.gap <= start.kept_together + SLACK, (
            f"page {start.page + 1}: {start.gap:.0f} pt left empty before '{start.title}', "
            f"whose heading, introduction and first card take {start.kept_together:.0f} pt"
        )
