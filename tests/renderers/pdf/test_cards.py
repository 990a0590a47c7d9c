"""Printed flashcards read back with pdfplumber: backs behind fronts for every side mode,
size and paper, the back offset, cut marks, text inside its card, and overflow.

The sides of one card size are laid out once (the renderer's part cache, kept for the
module) and placed on sheets for every paper and side mode, so the matrix stays fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pdfplumber
import pytest

from cardpress.errors import BuildError
from cardpress.model import CardSettings, Deck
from cardpress.parse import load_content
from cardpress.print_options import PrintOptions
from cardpress.renderers import RenderContext
from cardpress.renderers.pdf import cards
from tests.conftest import TEMPLATES

MM = 25.4 / 72
TOLERANCE = 0.5  # mm: how far a back may be from behind its front
MARK_LENGTH = 4.0  # the cut marks are 4 mm hairlines (0.25 pt)

DECK = """---
title: Print Test
id: print-test
cards: {size: a7, sides: duplex-long}
---

# Print Test

## Alpha section

### What does q-one answer?
<!-- id: q-one -->

The first answer.

---

Details of the first answer, a sentence or two long.

### Term two
<!-- id: q-two; kind: reversed -->

The definition of the second term.

### Handshake
<!-- id: q-three; kind: cloze -->

First {{SYN}}, then {{SYN-ACK}}, then {{ACK::last}}.

## Beta section

### What does q-four answer?
<!-- id: q-four -->

Four, with `code` in it.

### What does q-five answer?
<!-- id: q-five -->

Five.

> [!TIP]
> A callout on the back.
"""
# A side's label: its section and the printed card's number (a cloze card is one printed
# card per deletion): q-one 1, q-two 2, q-three's deletions 3 to 5, q-four 6, q-five 7.
LABEL_RE = re.compile(r"·\s*(\d+)")
LABELS = {"1", "2", "3", "4", "5", "6", "7"}

Rect = tuple[float, float, float, float]  # x0, top, x1, bottom in mm from the top-left


@dataclass
class Page:
    width: float
    height: float
    marks: list[Rect]
    chars: list[tuple[str, Rect]]
    cells: list[Rect] = field(default_factory=list)

    def __post_init__(self) -> None:
        xs = sorted({round(m[0], 3) for m in self.marks if abs(m[0] - m[2]) < 0.01})
        ys = sorted({round(m[1], 3) for m in self.marks if abs(m[1] - m[3]) < 0.01})
        if not self.marks:  # one card per page: the page is the card
            xs, ys = [0.0, self.width], [0.0, self.height]
        self.cells = [(x0, y0, x1, y1) for x0, x1 in pairwise(xs) for y0, y1 in pairwise(ys)]

    def sides(self) -> list[tuple[str, Rect, Rect]]:
        """(label, its card's cell, the box of its text) of every side on the page; asserts
        that no text leaves its card and none is outside every card."""
        found = []
        for cell in self.cells:
            inside = [(t, r) for t, r in self.chars if _centre_in(r, cell)]
            if not inside:
                continue
            for _, rect in inside:
                assert _within(rect, cell), f"text at {rect} leaves its card {cell}"
            text = "".join(t for t, _ in inside)
            labels = LABEL_RE.findall(text)
            assert len(set(labels)) == 1, f"a card shows {labels!r}"
            box = (
                min(r[0] for _, r in inside),
                min(r[1] for _, r in inside),
                max(r[2] for _, r in inside),
                max(r[3] for _, r in inside),
            )
            found.append((labels[0], cell, box))
        outside = [t for t, r in self.chars if not any(_centre_in(r, c) for c in self.cells)]
        assert not outside, f"text outside every card: {''.join(outside)!r}"
        return found


def _centre_in(rect: Rect, cell: Rect) -> bool:
    x, y = (rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2
    return cell[0] <= x <= cell[2] and cell[1] <= y <= cell[3]


def divided(rect: Rect, unit: float) -> Rect:
    """``rect`` with each coordinate divided by ``unit`` (millimetres to points, say)."""
    x0, top, x1, bottom = rect
    return (x0 / unit, top / unit, x1 / unit, bottom / unit)


def _within(rect: Rect, cell: Rect, slack: float = 0.01) -> bool:
    return (
        rect[0] >= cell[0] - slack
        and rect[1] >= cell[1] - slack
        and rect[2] <= cell[2] + slack
        and rect[3] <= cell[3] + slack
    )


def read_pages(path: Path) -> list[Page]:
    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            marks = [
                (line["x0"] * MM, line["top"] * MM, line["x1"] * MM, line["bottom"] * MM)
                for line in page.lines
                if abs(line["linewidth"] - 0.25) < 1e-3
                and abs(max(line["width"], line["height"]) * MM - MARK_LENGTH) < 0.01
            ]
            chars = [
                (c["text"], (c["x0"] * MM, c["top"] * MM, c["x1"] * MM, c["bottom"] * MM))
                for c in page.chars
                if c["text"].strip()
            ]
            pages.append(Page(float(page.width) * MM, float(page.height) * MM, marks, chars))
    return pages


def flip(rect: Rect, page: Page, sides: str) -> Rect:
    """Where ``rect`` on the back ends up, seen from the front, once the sheet is turned
    over on the edge ``sides`` names (or folded along its middle)."""
    portrait = page.width <= page.height
    long_edge = sides != "duplex-short"
    across = long_edge == portrait  # the long edge of a portrait page is upright
    x0, y0, x1, y1 = rect
    if across:
        return (page.width - x1, y0, page.width - x0, y1)
    return (x0, page.height - y1, x1, page.height - y0)


def _by_label(found: list[tuple[str, Rect, Rect]]) -> dict[str, tuple[Rect, Rect]]:
    by_label = {label: (cell, box) for label, cell, box in found}
    assert len(by_label) == len(found), "a card is on the page twice"
    return by_label


def pairs(pages: list[Page], sides: str) -> list[tuple[Page, Page]]:
    """Each front page with the page its backs are on."""
    if sides == "fold":
        return [(page, page) for page in pages]
    if sides == "separate":
        half = len(pages) // 2
        return list(zip(pages[:half], pages[half:], strict=True))
    return list(zip(pages[::2], pages[1::2], strict=True))


Sides = dict[str, tuple[Rect, Rect]]


def fronts_and_backs(pages: list[Page], sides: str) -> list[tuple[Page, Sides, Page, Sides]]:
    """Each sheet's front page and its fronts, and back page and its backs (by label)."""
    result = []
    for front, back in pairs(pages, sides):
        if sides == "fold":  # one page: fronts on the left half, backs on the right
            found = front.sides()
            half = front.width / 2
            fronts = {label: (cell, box) for label, cell, box in found if cell[2] <= half + 0.01}
            backs = {label: (cell, box) for label, cell, box in found if cell[0] >= half - 0.01}
            result.append((front, fronts, back, backs))
        else:
            result.append((front, _by_label(front.sides()), back, _by_label(back.sides())))
    return result


# ---- Rendering ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> tuple[Deck, Path]:
    content = tmp_path_factory.mktemp("content")
    (content / "print-test.md").write_text(DECK, encoding="utf-8")
    return load_content(content)[0], content


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


def render_cards(
    deck: tuple[Deck, Path],
    cache: Path,
    out: Path,
    *,
    size: str,
    sides: str,
    paper: str = "a4",
    offset: tuple[float, float] | None = None,
    calibrate: bool = False,
) -> list[Page]:
    model, content = deck
    context = RenderContext(
        media={m.name: (content / m.path).read_bytes() for m in model.media},
        templates_dir=TEMPLATES,
        build_time=1_700_000_000,
        version="test",
        paper=paper,
        cache_dir=cache,
        printing=PrintOptions(
            cards=CardSettings(size=size, sides=sides, back_offset=offset), calibrate=calibrate
        ),
    )
    cards.render(model, context, out)
    return read_pages(out)


SHEET_SIZES = {"a7": 4, "business": 10, "90x60mm": 8, "60x40mm": 21}
ONE_PER_PAGE = {"3x5in": (127.0, 76.2), "4x6in": (152.4, 101.6)}
SIDES = ("duplex-long", "duplex-short", "fold", "separate")


def check_backs_behind_fronts(
    pages: list[Page], sides: str, offset: tuple[float, float] = (0.0, 0.0)
) -> set[str]:
    """Every card's back lies behind its front once turned over (after taking the offset
    away again); returns the labels of the cards seen."""
    seen = set()
    for front, fronts, back, backs in fronts_and_backs(pages, sides):
        assert set(fronts) == set(backs), "a sheet's fronts and backs are different cards"
        for label, (front_cell, _) in fronts.items():
            cell, text = backs[label]
            dx, dy = offset if back.marks else (0.0, 0.0)  # else the card is the page
            unmoved = (cell[0] - dx, cell[1] - dy, cell[2] - dx, cell[3] - dy)
            turned = flip(unmoved, back, sides)
            for got, want in zip(turned, front_cell, strict=True):
                assert abs(got - want) < TOLERANCE, f"{label}: back {turned}, front {front_cell}"
            assert _within(text, cell)
            seen.add(label)
        check_marks(front, back, sides, offset)
    return seen


def check_marks(front: Page, back: Page, sides: str, offset: tuple[float, float]) -> None:
    """Cut marks are in line with card edges and at least 1 mm clear of every card, every
    card edge has its marks, and the marks on a back page lie behind those on its front."""
    if not front.marks:
        return
    for page in (front, back):
        xs = {c[0] for c in page.cells} | {c[2] for c in page.cells}
        ys = {c[1] for c in page.cells} | {c[3] for c in page.cells}
        for mark in page.marks:
            if abs(mark[0] - mark[2]) < 0.01:
                assert any(abs(mark[0] - x) < 0.01 for x in xs), f"mark {mark} is on no edge"
            else:
                assert any(abs(mark[1] - y) < 0.01 for y in ys), f"mark {mark} is on no edge"
            for cell in page.cells:
                dx = max(cell[0] - mark[2], mark[0] - cell[2], 0.0)
                dy = max(cell[1] - mark[3], mark[1] - cell[3], 0.0)
                assert (dx * dx + dy * dy) ** 0.5 >= 1.0, f"mark {mark} touches card {cell}"
        for x in xs:
            assert any(abs(m[0] - x) < 0.01 and abs(m[0] - m[2]) < 0.01 for m in page.marks)
        for y in ys:
            assert any(abs(m[1] - y) < 0.01 and abs(m[1] - m[3]) < 0.01 for m in page.marks)
    if sides == "fold":
        return
    for mark in back.marks:
        unmoved = (
            mark[0] - offset[0],
            mark[1] - offset[1],
            mark[2] - offset[0],
            mark[3] - offset[1],
        )
        x0, y0, x1, y1 = flip(unmoved, back, sides)
        assert any(
            abs(min(x0, x1) - f[0]) < TOLERANCE and abs(min(y0, y1) - f[1]) < TOLERANCE
            for f in front.marks
        ), f"back mark {mark} is behind no front mark"


# ---- The matrix -----------------------------------------------------------------------


@pytest.mark.parametrize("size", list(SHEET_SIZES))
def test_backs_lie_behind_fronts_on_every_paper_and_side_mode(
    deck: tuple[Deck, Path], cache: Path, tmp_path: Path, size: str
) -> None:
    for paper in ("a4", "letter"):
        width = 210.0 if paper == "a4" else 215.9
        for sides in SIDES:
            pages = render_cards(
                deck, cache, tmp_path / "c.pdf", size=size, sides=sides, paper=paper
            )
            assert all(abs(p.width - width) < 0.1 for p in pages)
            assert check_backs_behind_fronts(pages, sides) == LABELS, (paper, sides)


@pytest.mark.parametrize("size", list(ONE_PER_PAGE))
def test_index_cards_print_one_per_page(
    deck: tuple[Deck, Path], cache: Path, tmp_path: Path, size: str
) -> None:
    width, height = ONE_PER_PAGE[size]
    for sides in ("duplex-long", "duplex-short", "separate"):
        pages = render_cards(deck, cache, tmp_path / "c.pdf", size=size, sides=sides)
        assert len(pages) == 2 * len(LABELS)
        assert all(abs(p.width - width) < 0.1 and abs(p.height - height) < 0.1 for p in pages)
        assert not any(p.marks for p in pages)
        assert check_backs_behind_fronts(pages, sides) == LABELS
    with pytest.raises(BuildError, match="cannot be folded"):
        render_cards(deck, cache, tmp_path / "c.pdf", size=size, sides="fold")


@pytest.mark.parametrize(("size", "sides"), [("a7", s) for s in SIDES] + [("3x5in", "duplex-long")])
def test_back_offset_moves_backs_by_exactly_that(
    deck: tuple[Deck, Path], cache: Path, tmp_path: Path, size: str, sides: str
) -> None:
    offset = (1.75, -0.5)
    # folded cards print on one side: nothing to correct
    offset_applies = (0.0, 0.0) if sides == "fold" else offset
    plain = render_cards(deck, cache, tmp_path / "a.pdf", size=size, sides=sides)
    moved = render_cards(deck, cache, tmp_path / "b.pdf", size=size, sides=sides, offset=offset)
    assert check_backs_behind_fronts(moved, sides, offset_applies) == LABELS
    back_pages = {id(back) for _, back in pairs(plain, sides)}
    for before, after in zip(plain, moved, strict=True):
        assert len(before.chars) == len(after.chars)
        shifted = id(before) in back_pages
        for (text, a), (same, b) in zip(before.chars, after.chars, strict=True):
            assert text == same
            dx, dy = offset_applies if shifted else (0.0, 0.0)
            assert abs(b[0] - a[0] - dx) < 0.01 and abs(b[1] - a[1] - dy) < 0.01


def test_sides_hold_question_answer_section_and_id(
    deck: tuple[Deck, Path], cache: Path, tmp_path: Path
) -> None:
    pages = render_cards(deck, cache, tmp_path / "c.pdf", size="a7", sides="separate")
    text = {}
    half = len(pages) // 2
    for number, page in enumerate(pages):
        for label, cell, _ in page.sides():
            inside = [t for t, r in page.chars if _centre_in(r, cell)]
            text[label, number < half] = "".join(inside)
    assert "Whatdoesq-oneanswer?" in text["1", True]
    assert "ALPHASECTION" in text["1", True]
    assert "Thefirstanswer." in text["1", False]
    assert "Detailsofthefirstanswer" in text["1", False]
    assert "Thefirstanswer" not in text["1", True]
    # one card per deletion: that deletion blanked on the front, shown on the back
    assert "First[…],thenSYN-ACK,thenACK." in text["3", True]
    assert "FirstSYN,then[…],thenACK." in text["4", True]
    assert "FirstSYN,thenSYN-ACK,then[last]." in text["5", True]
    assert "FirstSYN,thenSYN-ACK,thenACK." in text["5", False]
    assert "Acalloutontheback." in text["7", False]
    assert not any("continued" in t for t in text.values())


def test_calibration_sheet_comes_first_with_crosses_behind_each_other(
    deck: tuple[Deck, Path], cache: Path, tmp_path: Path
) -> None:
    offset = (1.0, 2.0)
    pages = render_cards(
        deck, cache, tmp_path / "c.pdf", size="a7", sides="duplex-long", offset=offset,
        calibrate=True,
    )  # fmt: skip
    plain = render_cards(deck, cache, tmp_path / "p.pdf", size="a7", sides="duplex-long")
    assert len(pages) == len(plain) + 2
    with pdfplumber.open(tmp_path / "c.pdf") as pdf:
        front, back = pdf.pages[0], pdf.pages[1]
        assert "Calibration sheet, front" in (front.extract_text() or "")
        assert "offset now 1.0,2.0" in (back.extract_text() or "")
        width = float(front.width) * MM

        def crosses(page: pdfplumber.page.Page, long: float) -> list[tuple[float, float]]:
            return sorted(
                (
                    round((r["x0"] + r["x1"]) / 2 * MM, 2),
                    round((r["top"] + r["bottom"]) / 2 * MM, 2),
                )
                for r in page.rects
                if abs(r["width"] * MM - long) < 0.01
            )

        fronts = crosses(front, 12.0)
        backs = crosses(back, 20.0)
    assert len(fronts) == len(backs) == 5
    turned = sorted((round(width - x + offset[0], 2), round(y + offset[1], 2)) for x, y in fronts)
    for (a, b), (c, d) in zip(turned, backs, strict=True):
        assert abs(a - c) < 0.05 and abs(b - d) < 0.05


OVERFLOW_DECK = """---
title: Long Answers
id: long-answers
cards: {size: a7}
---

# Long Answers

## Section

### What fits?
<!-- id: id-fits -->

Short.

### What fits when smaller?
<!-- id: id-smaller -->

LONGER

### What never fits?
<!-- id: id-never -->

The start of a very long answer.

---

DETAILS
"""


def test_overflow_shrinks_then_cuts_with_a_continuation_line_and_a_warning(
    run_cli, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    longer = " ".join(f"word{n}" for n in range(95))
    details = "\n\n".join(f"Paragraph {n}: " + "lorem ipsum dolor " * 12 for n in range(20))
    text = OVERFLOW_DECK.replace("LONGER", longer).replace("DETAILS", details)
    (content / "long.md").write_text(text, encoding="utf-8")
    out = tmp_path / "dist"
    result = run_cli("--content", content, "--out", out, "--only", "cards,pdf")
    assert result.status == 0, result.err
    line = text.splitlines().index("### What never fits?") + 1
    assert result.err.splitlines() == [
        f"long.md:{line}:1: warning: answer too long for a 74x105 mm card"
    ]
    again = run_cli("--content", content, "--out", out, "--only", "cards,pdf")
    assert "nothing to do" in again.out
    assert again.err == result.err  # repeated while the cards are up to date
    with pdfplumber.open(out / "long-answers.pdf") as sheet:
        page = next(
            n
            for n, p in enumerate(sheet.pages, 1)
            if "What never fits?" in (p.extract_text() or "")
        )
    pages = read_pages(out / "long-answers-cards.pdf")
    sizes: dict[str, float] = {}
    continued = []
    with pdfplumber.open(out / "long-answers-cards.pdf") as pdf:
        for number, (found, plumbed) in enumerate(zip(pages, pdf.pages, strict=True)):
            for label, cell, box in found.sides():
                assert _within(box, cell)
                crop = plumbed.crop(divided(cell, MM))
                words = crop.extract_text() or ""
                if "continued on" in words:
                    continued.append((label, number % 2))
                    assert f"continued on cheat sheet p. {page}" in words
                if number % 2 == 1:  # the backs
                    body = [c["size"] for c in crop.chars if c["text"].startswith("w")]
                    sizes[label] = max(body) if body else sizes.get(label, 0.0)
    assert continued == [("3", 1)]
    assert 8.0 <= sizes["2"] < 14.0  # shrunk to fit, not cut


def test_strict_makes_an_overflow_an_error_and_writes_nothing(run_cli, tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    details = "\n\n".join("lorem ipsum dolor " * 12 for _ in range(20))
    text = OVERFLOW_DECK.replace("LONGER", "x").replace("DETAILS", details)
    (content / "long.md").write_text(text, encoding="utf-8")
    out = tmp_path / "dist"
    result = run_cli("--content", content, "--out", out, "--only", "cards", "--strict")
    assert result.status == 1
    assert "error: answer too long for a 74x105 mm card" in result.err
    assert not (out / "long-answers-cards.pdf").exists()
