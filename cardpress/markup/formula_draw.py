"""One formula drawn: TeX to checked plain data (a box, shapes, and where it may break).

ziamath (pure Python, its own STIX Two Math font) draws each formula as paths from the
MathML ``formula_tex`` makes (spaced by TeX's rules), within ``formula_limits``; ziamath
is imported only when a formula has to be drawn. A drawing is plain data, checked
whenever it is read (from the cache too), so nothing can put markup into an output.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cardpress.markup import formula_limits as limits
from cardpress.markup import formula_rows, formula_tex
from cardpress.markup.formulas import Formula

FORMAT_VERSION = "2"
"""Bumped whenever drawings change: part of every cache key."""
SIZE = 16.0
"""ziamath draws at this many pixels to the em."""
X_HEIGHT = 0.473
"""STIX Two Math's x-height in em (its OS/2 table): drawings are sized in ``ex`` with
it, so a formula's x-height is the surrounding text's, whatever its font."""

_SHAPES = {
    "path": ("d",),
    "rect": ("x", "y", "width", "height"),
    "circle": ("cx", "cy", "r"),
    "ellipse": ("cx", "cy", "rx", "ry"),
    "polygon": ("points",),
    "line": ("x1", "y1", "x2", "y2"),
}
_OPTIONAL = ("transform", "stroke-width", "opacity")
_PAINT = ("fill", "stroke")
_NUMBERS_RE = re.compile(r"^[0-9eE.,\s+\-MmLlHhVvCcSsQqTtAaZz]*$")
_TRANSFORM_RE = re.compile(r"^(?:\s*(?:translate|scale|rotate|matrix)\([0-9eE.,\s+\-]*\))*\s*$")


@dataclass(frozen=True)
class Drawing:
    """One formula drawn: plain data, checked whenever it is read."""

    box: tuple[float, float, float, float]
    """The viewBox, in ziamath's pixels at ``SIZE``; y grows downwards, 0 is the baseline."""
    shapes: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    """Each shape's element name and attributes, paint already ``currentColor``."""
    breaks: tuple[float, ...] = ()
    """Where a display formula may be broken across lines (before each relation and
    binary operator of its top level), in the viewBox's x, left to right."""

    @property
    def depth(self) -> float:
        """How far the drawing reaches below the baseline, in ex."""
        return max(0.0, (self.box[1] + self.box[3]) / (SIZE * X_HEIGHT))


@lru_cache(maxsize=1)
def _renderer_version() -> str:
    try:
        return importlib.metadata.version("ziamath")
    except importlib.metadata.PackageNotFoundError:
        return "?"


def cache_key(formula: Formula) -> str:
    mode = "display" if formula.display else "inline"
    text = f"{FORMAT_VERSION}\0{_renderer_version()}\0{mode}\0{formula.tex}"
    return hashlib.sha256(text.encode()).hexdigest()


def checked(data: Any) -> Drawing:
    """A drawing from plain data; ValueError unless it is exactly numbers and shapes."""
    if not isinstance(data, dict) or set(data) != {"box", "shapes", "breaks"}:
        raise ValueError("not a drawing")
    breaks = data["breaks"]
    if not (isinstance(breaks, list) and all(_is_number(v) for v in breaks)):
        raise ValueError("bad breaks")
    box = data["box"]
    if not (isinstance(box, list) and len(box) == 4 and all(_is_number(v) for v in box)):
        raise ValueError("bad box")
    shapes = []
    if not isinstance(data["shapes"], list):
        raise ValueError("bad shapes")
    for shape in data["shapes"]:
        if not (isinstance(shape, list) and len(shape) == 2 and shape[0] in _SHAPES):
            raise ValueError("bad shape")
        name, attrs = shape
        if not isinstance(attrs, dict):
            raise ValueError("bad attributes")
        allowed = {*_SHAPES[name], *_OPTIONAL, *_PAINT}
        for key, value in attrs.items():
            if key not in allowed or not isinstance(value, str):
                raise ValueError(f"attribute {key!r}")
            if key in _PAINT:
                if value not in ("none", "currentColor"):
                    raise ValueError("paint")
            elif key == "transform":
                if not _TRANSFORM_RE.match(value):
                    raise ValueError("transform")
            elif not _NUMBERS_RE.match(value):
                raise ValueError(f"value of {key!r}")
        shapes.append((name, tuple(sorted(attrs.items()))))
    box_numbers = tuple(float(v) for v in box)
    return Drawing(box_numbers, tuple(shapes), tuple(float(v) for v in breaks))  # type: ignore[arg-type]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e6


def plain(drawing: Drawing) -> dict[str, Any]:
    """The drawing as JSON data."""
    shapes = [[n, dict(a)] for n, a in drawing.shapes]
    return {"box": list(drawing.box), "shapes": shapes, "breaks": list(drawing.breaks)}


class NotDrawn(ValueError):
    """The renderer failed on a formula the parser's checks let through."""

    def __init__(self, message: str, formula: Formula):
        super().__init__(message, formula)
        self.message = message
        self.formula = formula

    def __str__(self) -> str:
        return self.message


def draw(formula: Formula) -> Drawing:
    """Draw one formula with ziamath (imported here, only when there is one to draw),
    from the MathML ``formula_tex`` spaces by TeX's rules, within ``formula_limits``."""
    from ziamath.config import config
    from ziamath.zmath import Math

    config.svg2 = False  # plain paths: no ids, which would clash on one page
    formula_rows.install()
    try:
        tree = formula_tex.mathml(formula.tex, formula.display)
    except Exception as error:  # latex2mathml's own failure, on content: reported
        raise NotDrawn(limits.failure(formula, error), formula) from None
    if limits.work(tree) > limits.MAX_WORK:
        raise NotDrawn(limits.too_complex(formula.tex), formula)
    try:
        with limits.cpu_limit(limits.formula_cpu_seconds()):
            drawn = Math(tree, size=SIZE)
            svg = drawn.svgxml()
    except limits.DrawingTooSlow:
        raise NotDrawn(limits.too_slow(formula), formula) from None
    except Exception as error:  # the renderer's own failure, on content: reported
        raise NotDrawn(limits.failure(formula, error), formula) from None
    box = [float(v) for v in svg.attrib["viewBox"].split()]
    shapes: list[list[Any]] = []
    _collect(svg, "", shapes)
    breaks = _breaks(drawn) if formula.display else []
    try:
        return checked({"box": box, "shapes": shapes, "breaks": breaks})
    except ValueError as error:
        raise NotDrawn(limits.too_large(formula, error), formula) from None


def _breaks(drawn: Any) -> list[float]:
    """Where ziamath put the top level's atoms that ``formula_tex`` marked as places to
    break a line (ziamath's layout, read where it keeps it: none if it is not there)."""
    try:
        row, (x0, _) = drawn.node.nodes[0], drawn.node.nodexy[0]
        return [
            round(x0 + x, 3)
            for node, (x, _) in zip(row.nodes, row.nodexy, strict=True)
            if node.element.get("linebreak") == "goodbreak"
        ]
    except (AttributeError, IndexError, TypeError, ValueError):
        return []


def _collect(element: Any, transform: str, shapes: list[list[Any]]) -> None:
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1]
        inner = " ".join(t for t in (transform, child.attrib.get("transform", "")) if t)
        if tag == "g":
            _collect(child, inner, shapes)
            continue
        if tag not in _SHAPES:
            continue  # a title or metadata: the label is ours
        attrs = {k: v for k, v in child.attrib.items() if k in (*_SHAPES[tag], *_OPTIONAL)}
        if inner:
            attrs["transform"] = inner
        for paint in _PAINT:
            if paint in child.attrib:
                attrs[paint] = "none" if child.attrib[paint] == "none" else "currentColor"
        if "fill" not in attrs:
            attrs["fill"] = "currentColor"
        shapes.append([tag, attrs])


def draw_many(
    items: list[tuple[str, str, bool]], seconds: float
) -> list[tuple[str, dict[str, Any]]]:
    """Runs in a worker too: (key, TeX, display) to (key, plain drawing), within
    ``seconds`` of processor time."""
    started = time.process_time()
    drawn = []
    for key, tex, display in items:
        formula = Formula(tex, display)
        drawn.append((key, plain(draw(formula))))
        if time.process_time() - started > seconds:
            raise NotDrawn(limits.deck_too_slow(formula, seconds), formula)
    return drawn
