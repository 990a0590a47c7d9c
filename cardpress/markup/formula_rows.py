"""ziamath's rows laid out once where a second layout changes nothing.

ziamath lays out every row's children twice: once without their stretchy operators, to
learn how far the row's own fences and bars must stretch, then for real. Rows nest (a
matrix is a row of rows of cells), so a node is laid out twice per row it is in: a
matrix between its delimiters, with TeX's strut in its cells, took three times as long
as without them. The first layout is only read by stretchy operators that take their
size from that row: an operator of the row, or one inside a script or a fraction of it
(anything but another row, which measures its own). A row with none of them skips it;
what is drawn is the same, node for node (tests/markup/test_formula_tex.py compares drawings
with and without this).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache
from typing import Any

_ROWS = frozenset(["mrow", "merror", "mpadded", "mphantom", "math", "mtd", "mtr", "none"])
"""Elements ziamath lays out as rows of their own (``Mnode.fromelement``)."""
VERSIONS = ("0.13",)
"""The ziamath versions whose rows this was written against; others are left alone."""


@lru_cache(maxsize=1)
def _stretchy() -> frozenset[str]:
    """Operators ziamath's dictionary stretches, in any form."""
    from ziamath import operators

    table = operators.operators.items()
    return frozenset(name for (name, _), params in table if params.get("stretchy") == "true")


def _may_stretch(element: ET.Element) -> bool:
    """Whether an operator may stretch to its row (as ``Moperator`` decides)."""
    stretchy = element.get("stretchy")
    if stretchy is not None:
        return stretchy != "false"
    text = "".join(element.itertext())
    return text in _stretchy() or any(char in _stretchy() for char in text)


def reads_row_height(element: ET.Element, known: frozenset[str]) -> bool:
    """Whether a stretchy operator in ``element`` takes its size from the row around it."""
    from ziamath import operators

    tag = element.tag
    if tag == "mo" or (tag == "mi" and "".join(element.itertext()) in operators.names):
        return _may_stretch(element)
    if tag in _ROWS or tag not in known:  # ziamath lays out an unknown element as a row
        return False
    return any(reads_row_height(child, known) for child in element)


def install() -> None:
    """Make ziamath skip the first layout of rows that nothing reads it from (once)."""
    import ziamath
    from ziamath.nodes import mnode, mrow

    row: Any = mrow.Mrow
    if getattr(row, "_cardpress_once", False) or ziamath.__version__ not in VERSIONS:
        return
    known = frozenset(mnode._node_classes)
    measure = row._get_height_nostretch

    def height_without_stretch(self: Any, line: list[ET.Element], **kwargs: Any) -> Any:
        if any(reads_row_height(child, known) for child in line):
            return measure(self, line, **kwargs)
        return 0.0, 0.0  # read by no operator of the row

    row._cardpress_measure = measure  # ziamath's own, for the test that compares
    row._get_height_nostretch = height_without_stretch
    row._cardpress_once = True
