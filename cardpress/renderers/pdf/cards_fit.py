"""Whether a laid-out card side fits its card, read from WeasyPrint's laid-out boxes.

A side that runs onto a second page is too tall; one whose content reaches past the
page's right margin (a table, a formula, a word that would not break) is too wide, which
no second page shows. Both count as not fitting. The same boxes tell how much of the card
a fitting side leaves empty, so that a front can be centred on its card.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from weasyprint.formatting_structure import boxes

SLACK_PX = 0.75  # a quarter of a millimetre: rounding, a rule's half width
PX_TO_PT = 0.75
_FILLED = (boxes.LineBox, boxes.ReplacedBox, boxes.TableBox, boxes.AtomicInlineLevelBox)


def _content(page_box: Any) -> Iterator[Any]:
    """Every box on the page but the margin boxes (the "continued" line)."""
    stack = [child for child in page_box.children if not isinstance(child, boxes.MarginBox)]
    while stack:
        box = stack.pop()
        yield box
        if isinstance(box, boxes.ParentBox):
            stack.extend(box.children)


def too_wide(page: Any) -> bool:
    """Whether anything on ``page`` (a WeasyPrint ``Page``) reaches past its right margin."""
    page_box = page._page_box
    right = page_box.content_box_x() + page_box.width + SLACK_PX
    for box in _content(page_box):
        if isinstance(box, boxes.LineBox | boxes.BlockBox):
            continue  # as wide as their container by definition; their content is checked
        if box.position_x + box.margin_width() > right:
            return True
    return False


def free_height_pt(page: Any) -> float:
    """How far below the page's content the page's content area ends, in points."""
    page_box = page._page_box
    bottom = page_box.content_box_y() + page_box.height
    # The blocks stretch to the page; their lines, tables and images say where it ends.
    used = max(
        (
            box.position_y + box.margin_height()
            for box in _content(page_box)
            if isinstance(box, _FILLED)
        ),
        default=page_box.content_box_y(),
    )
    return float(max(0.0, bottom - used)) * PX_TO_PT
