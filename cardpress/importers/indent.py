"""An item's answer with its indentation made consistent, so its lists stay lists.

Sources indent by eye: an item whose text starts at column 0 nests its list at five
spaces, the next one writes everything at eight. Read as CommonMark, a list item four
or more columns deeper than the text before it is indented code. Here each list item
is placed from the structure the author meant instead: a marker deeper than the item
before it nests under that item (at its content column), else it starts a list or is
a sibling; text lines follow the item they continue; fenced code moves with its fence
and keeps its own indentation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cardpress.markup.fences import FenceTracker, indent_of

_MARKER_RE = re.compile(r"^[ \t]*([-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_NESTED_BY = 2  # columns deeper than its parent's marker that make a marker nest under it


@dataclass
class _Item:
    marker_indent: int
    """Where the item's marker stood in the source."""
    content: int
    """The column its content gets in the output."""


def normalise(text: str) -> str:
    """``text`` with lists nested as meant and no line made code by its indentation."""
    out: list[str] = []
    stack: list[_Item] = []
    tracker = FenceTracker()
    fence_shift = (0, 0)  # (source indent of the open fence, its indent in the output)
    previous_blank = True
    for number, line in enumerate(text.split("\n")):
        in_fence = tracker.open
        is_code = tracker.feed(number, line)
        if in_fence:  # fence content and its closing line move with the opening line
            source, placed = fence_shift
            body = line[min(source, len(line) - len(line.lstrip(" \t"))) :]
            out.append(" " * placed + body if body.strip() else "")
            continue
        if not line.strip():
            out.append("")
            previous_blank = True
            continue
        column = indent_of(line)
        marker = None if is_code else _MARKER_RE.match(line)
        if marker is not None:
            while stack and column < stack[-1].marker_indent + _NESTED_BY:
                stack.pop()
            placed = stack[-1].content if stack else 0
            width = len(marker.group(0).lstrip(" \t"))
            stack.append(_Item(column, placed + max(width, len(marker.group(1)) + 1)))
        else:
            if previous_blank:
                while stack and column <= stack[-1].marker_indent:
                    stack.pop()
            placed = stack[-1].content if stack else 0
        if is_code:
            fence_shift = (column, placed)
        out.append(" " * placed + line.lstrip(" \t"))
        previous_blank = False
    return "\n".join(out)
