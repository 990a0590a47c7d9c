"""Where printed cards go on a sheet, where their backs go, and where the cut marks go.

Plain geometry in millimetres from the page's top-left corner, no PDF and no WeasyPrint,
so that the rule that puts each back behind its front is written once and read easily:

- ``duplex-long``: the sheet turns over on its long edge, so a back sits at its front's
  place mirrored across the long axis (left-right on portrait paper);
- ``duplex-short``: mirrored across the short axis (top-bottom on portrait paper);
- ``separate``: all fronts, then all backs, for turning the stack over on its long edge
  by hand, so placed as for ``duplex-long``;
- ``fold``: fronts on the left half, backs on the right half, mirrored across the fold
  line in the middle of the page.

The backs are then moved by the back offset, which corrects a printer that does not
print its second side where it printed the first (folded cards print on one side only,
so the offset does not apply to them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from cardpress.errors import BuildError
from cardpress.papers import PAPERS
from cardpress.print_options import CardSheet

PAPERS_MM = {name: paper.mm for name, paper in PAPERS.items()}
MARGIN = 6.5  # the least margin around the cards: room for cut marks a printer can print
MARK_GAP = 1.5  # between a card's corner and its cut mark, so a mark never touches a card
MARK_LENGTH = 4.0


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    def moved(self, dx: float, dy: float) -> Box:
        return replace(self, x=self.x + dx, y=self.y + dy)


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    fold: bool = False  # a fold mark (dashed), not a cut mark

    def moved(self, dx: float, dy: float) -> Line:
        return replace(self, x1=self.x1 + dx, y1=self.y1 + dy, x2=self.x2 + dx, y2=self.y2 + dy)


@dataclass(frozen=True)
class SheetLayout:
    """One sheet of paper: the slots of its fronts and, in the same order, of their backs."""

    width: float
    height: float
    fronts: tuple[Box, ...]
    backs: tuple[Box, ...]
    front_marks: tuple[Line, ...]
    back_marks: tuple[Line, ...]
    backs_on_front_page: bool  # fold: one page holds both
    backs_after_fronts: bool  # separate: every front page first, then every back page

    @property
    def per_sheet(self) -> int:
        return len(self.fronts)


def _mirror(width: float, height: float, sides: str) -> tuple[bool, bool]:
    """Whether a back is mirrored left-right and whether top-bottom."""
    portrait = width <= height
    if sides == "duplex-short":
        return (not portrait, portrait)
    return (portrait, not portrait)  # duplex-long, separate and fold turn on the long edge


def flip_box(box: Box, width: float, height: float, sides: str) -> Box:
    across, down = _mirror(width, height, sides)
    x = width - box.x - box.width if across else box.x
    y = height - box.y - box.height if down else box.y
    return Box(x, y, box.width, box.height)


def flip_line(line: Line, width: float, height: float, sides: str) -> Line:
    across, down = _mirror(width, height, sides)
    x1, x2 = (width - line.x1, width - line.x2) if across else (line.x1, line.x2)
    y1, y2 = (height - line.y1, height - line.y2) if down else (line.y1, line.y2)
    return Line(x1, y1, x2, y2, line.fold)


def sheet_layout(sheet: CardSheet, paper: str) -> SheetLayout:
    """The slots for ``sheet``'s cards on ``paper``; ``BuildError`` when none fits."""
    size = sheet.size
    dx, dy = sheet.back_offset
    if size.one_per_page:
        if sheet.sides == "fold":
            raise BuildError(
                f"{size.label} cards print one per page, so they cannot be folded: "
                "use duplex-long, duplex-short or separate"
            )
        card = Box(0.0, 0.0, size.width, size.height)
        return SheetLayout(
            size.width, size.height, (card,), (card.moved(dx, dy),), (), (), False,
            sheet.sides == "separate",
        )  # fmt: skip
    width, height = PAPERS_MM[paper]
    fold = sheet.sides == "fold"
    area = width / 2 - MARGIN if fold else width - 2 * MARGIN
    columns = math.floor(area / size.width + 1e-9)
    rows = math.floor((height - 2 * MARGIN) / size.height + 1e-9)
    if columns < 1 or rows < 1:
        where = ("half of " if fold else "") + PAPERS[paper].label
        raise BuildError(
            f"a {size.label} card does not fit on {where} "
            f"paper with {MARGIN:g} mm margins for the cut marks: choose a smaller card size"
        )
    left = width / 2 - columns * size.width if fold else (width - columns * size.width) / 2
    top = (height - rows * size.height) / 2
    fronts = tuple(
        Box(left + column * size.width, top + row * size.height, size.width, size.height)
        for row in range(rows)
        for column in range(columns)
    )
    mirrored = tuple(flip_box(box, width, height, sheet.sides) for box in fronts)
    marks = cut_marks(fronts + mirrored if fold else fronts, fold_at=width / 2 if fold else None)
    if fold:  # printed on one side: no second side for a printer to misplace
        return SheetLayout(width, height, fronts, mirrored, marks, (), True, False)
    back_marks = tuple(flip_line(m, width, height, sheet.sides).moved(dx, dy) for m in marks)
    return SheetLayout(
        width,
        height,
        fronts,
        tuple(box.moved(dx, dy) for box in mirrored),
        marks,
        back_marks,
        False,
        sheet.sides == "separate",
    )


def cut_marks(cards: tuple[Box, ...], fold_at: float | None = None) -> tuple[Line, ...]:
    """Short lines in the margins, in line with every card edge and clear of every card."""
    xs = sorted({round(v, 4) for b in cards for v in (b.x, b.x + b.width)})
    ys = sorted({round(v, 4) for b in cards for v in (b.y, b.y + b.height)})
    top, bottom, left, right = ys[0], ys[-1], xs[0], xs[-1]
    marks: list[Line] = []
    for x in xs:
        fold = fold_at is not None and abs(x - fold_at) < 1e-6
        marks.append(Line(x, top - MARK_GAP - MARK_LENGTH, x, top - MARK_GAP, fold))
        marks.append(Line(x, bottom + MARK_GAP, x, bottom + MARK_GAP + MARK_LENGTH, fold))
    for y in ys:
        marks.append(Line(left - MARK_GAP - MARK_LENGTH, y, left - MARK_GAP, y))
        marks.append(Line(right + MARK_GAP, y, right + MARK_GAP + MARK_LENGTH, y))
    return tuple(marks)
