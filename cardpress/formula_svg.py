"""Formulas drawn as SVG at build time, for the page and the printed outputs.

ziamath (pure Python, its own STIX Two Math font) draws each formula as paths; nothing
runs in the page or in WeasyPrint, and no TeX installation is needed. ziamath is
imported only when a formula has to be drawn.

Each drawing is kept in the build's cache folder as plain data (JSON: a box and a list
of shapes with numeric attributes), keyed by the formula's content hash, and checked
again when read: an entry that is not exactly such data is drawn afresh, so nothing in
the cache can put markup into an output. A cold deck's formulas are drawn on both cores.

In the output each formula is an ``<svg>`` with ``role="img"`` and its TeX as the
accessible label, its size in ``em`` (so it follows the text size), filled with
``currentColor`` (so it follows the theme, dark mode included), and a class from
``depth_css`` that sets it on the baseline (the page refuses style attributes).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import importlib.metadata
import json
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from cardpress import atomic, formula_tex, formulas
from cardpress import formula_limits as limits
from cardpress.errors import ContentError, Diagnostic
from cardpress.formulas import Formula
from cardpress.model import Callout, Card, Deck, Fragment, Section, SourceLocation

FORMAT_VERSION = "2"
"""Bumped whenever drawings change: part of every cache key."""
SIZE = 16.0
"""ziamath draws at this many pixels to the em; sizes are written in em."""
DEPTH_STEPS = 40
"""Baseline offsets are rounded to 1/40 em (under half a pixel at 16 px)."""
MAX_DEPTH_CLASS = 160
"""Inline formulas reach at most 4 em below the baseline; deeper ones are set at 4 em."""
PARALLEL_FROM = 24
"""Fewer formulas to draw than this are drawn here: starting another process costs more."""

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

    @property
    def depth(self) -> float:
        """How far the drawing reaches below the baseline, in em."""
        return max(0.0, (self.box[1] + self.box[3]) / SIZE)


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
    if not isinstance(data, dict) or set(data) != {"box", "shapes"}:
        raise ValueError("not a drawing")
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
    return Drawing(tuple(float(v) for v in box), tuple(shapes))  # type: ignore[arg-type]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e6


def _plain(drawing: Drawing) -> dict[str, Any]:
    return {"box": list(drawing.box), "shapes": [[n, dict(a)] for n, a in drawing.shapes]}


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
    try:
        tree = formula_tex.mathml(formula.tex, formula.display)
    except Exception as error:  # latex2mathml's own failure, on content: reported
        raise NotDrawn(limits.failure(formula, error), formula) from None
    if formula_tex.work(tree) > limits.MAX_WORK:
        raise NotDrawn(limits.too_complex(formula.tex), formula)
    try:
        with limits.cpu_limit(limits.formula_cpu_seconds()):
            svg = Math(tree, size=SIZE).svgxml()
    except limits.DrawingTooSlow:
        raise NotDrawn(limits.too_slow(formula), formula) from None
    except Exception as error:  # the renderer's own failure, on content: reported
        raise NotDrawn(limits.failure(formula, error), formula) from None
    box = [float(v) for v in svg.attrib["viewBox"].split()]
    shapes: list[list[Any]] = []
    _collect(svg, "", shapes)
    try:
        return checked({"box": box, "shapes": shapes})
    except ValueError as error:
        raise NotDrawn(limits.too_large(formula, error), formula) from None


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


def _draw_many(
    items: list[tuple[str, str, bool]], seconds: float
) -> list[tuple[str, dict[str, Any]]]:
    """Runs in a worker too: (key, TeX, display) to (key, plain drawing), within
    ``seconds`` of processor time."""
    started = time.process_time()
    drawn = []
    for key, tex, display in items:
        formula = Formula(tex, display)
        drawn.append((key, _plain(draw(formula))))
        if time.process_time() - started > seconds:
            raise NotDrawn(limits.deck_too_slow(formula, seconds), formula)
    return drawn


class FormulaCache:
    """Drawings kept between builds, one JSON file per formula, in the build's cache.

    An entry a build uses is touched; ``sweep`` drops those no build has used for
    ``KEEP_DAYS`` (a deck whose outputs are up to date draws nothing, so use is not
    known per build)."""

    KEEP_DAYS = 30

    def __init__(self, folder: Path | None):
        self.folder = folder

    def get(self, key: str) -> Drawing | None:
        if self.folder is None:
            return None
        path = self.folder / f"{key}.json"
        try:
            drawing = checked(json.loads(path.read_bytes()))
            os.utime(path)
        except (OSError, ValueError, RecursionError):
            return None
        return drawing

    def sweep(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        oldest = time.time() - self.KEEP_DAYS * 86400
        for entry in self.folder.iterdir():
            with contextlib.suppress(OSError):
                if entry.stat().st_mtime < oldest:
                    entry.unlink()

    def put(self, key: str, drawing: Drawing) -> None:
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            data = json.dumps(_plain(drawing), separators=(",", ":")).encode()
            atomic.replace_unsynced(self.folder / f"{key}.json", data)
        except OSError:
            pass  # only the next build draws it again


def draw_all(found: Iterable[Formula], cache: FormulaCache) -> dict[Formula, Drawing]:
    """Every formula drawn, from the cache where it can be; the rest on both cores."""
    drawn: dict[Formula, Drawing] = {}
    missing: dict[str, Formula] = {}
    for formula in dict.fromkeys(found):
        key = cache_key(formula)
        cached = cache.get(key)
        if cached is not None:
            drawn[formula] = cached
        else:
            missing[key] = formula
    items = [(key, f.tex, f.display) for key, f in missing.items()]
    seconds = limits.deck_cpu_seconds(len(items))
    if len(items) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1:
        half = len(items) // 2
        import ziamath.zmath  # noqa: F401 (first: the forked worker inherits the import)

        from cardpress.processes import worker_pool

        with worker_pool(1) as pool:
            later = pool.submit(_draw_many, items[half:], seconds / 2)
            results = _draw_many(items[:half], seconds / 2) + later.result()
    else:
        results = _draw_many(items, seconds)
    for key, plain in results:
        drawing = checked(plain)
        cache.put(key, drawing)
        drawn[missing[key]] = drawing
    return drawn


# -- the HTML ------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def svg_html(formula: Formula, drawing: Drawing) -> str:
    """The formula as inline SVG: sized in em, on the baseline, labelled with its TeX."""
    x, y, width, height = drawing.box
    step = min(MAX_DEPTH_CLASS, round(drawing.depth * DEPTH_STEPS))
    kind = "math-display" if formula.display else f"math-inline math-d{step}"
    label = formulas.safe(formula.tex.strip(), quote=True)
    shapes = "".join(
        "<" + name + "".join(f' {key}="{html.escape(value)}"' for key, value in attrs) + "/>"
        for name, attrs in drawing.shapes
    )
    svg = (
        f'<svg class="math {kind}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{label}" width="{_number(width / SIZE)}em" '
        f'height="{_number(height / SIZE)}em" '
        f'viewBox="{_number(x)} {_number(y)} {_number(width)} {_number(height)}">'
        f"<title>{label}</title>{shapes}</svg>"
    )
    if formula.display:
        return f'<span class="math-block">{svg}</span>'
    return svg


def math_css(deck: Deck, *, scroll: bool = False) -> str:
    """``depth_css`` for a deck with math, else nothing (its outputs stay as they were)."""
    return depth_css(scroll=scroll) if deck.math else ""


def depth_css(*, scroll: bool = False) -> str:
    """The rules that set inline formulas on the baseline, and display ones apart: a
    display formula wider than its column scrolls sideways (``scroll``, in the page) or
    is scaled down to fit (on paper)."""
    fit = "overflow-x: auto; overflow-y: hidden;" if scroll else ""
    size = "" if scroll else " max-width: 100%; height: auto;"
    rules = [
        "svg.math { overflow: visible; fill: currentColor; }",
        f".math-block {{ display: block; text-align: center; margin: 0.4em 0; {fit} }}",
        f".math-block svg.math {{ display: inline-block;{size} }}",
    ]
    rules += [
        f"svg.math-d{step} {{ vertical-align: -{_number(step / DEPTH_STEPS)}em; }}"
        for step in range(MAX_DEPTH_CLASS + 1)
    ]
    return "\n".join(rules) + "\n"


def _fragment(fragment: Fragment, drawn: dict[Formula, Drawing]) -> Fragment:
    if "\\" not in fragment.html:
        return fragment
    finished = formulas.finish(fragment.html, lambda f: svg_html(f, drawn[f]))
    return replace(fragment, html=finished)


def _card(card: Card, drawn: dict[Formula, Drawing]) -> Card:
    return replace(
        card,
        question=_fragment(card.question, drawn),
        answer=_fragment(card.answer, drawn),
        details=_fragment(card.details, drawn),
        cloze=_fragment(card.cloze, drawn),
        callouts=tuple(Callout(c.kind, _fragment(c.body, drawn)) for c in card.callouts),
    )


def _section(section: Section, drawn: dict[Formula, Drawing]) -> Section:
    return replace(
        section,
        title=_fragment(section.title, drawn),
        intro=_fragment(section.intro, drawn),
        cards=tuple(_card(card, drawn) for card in section.cards),
    )


def fragments(deck: Deck) -> Iterable[Fragment]:
    """Every piece of the deck's HTML that may hold a formula."""
    yield deck.intro
    for section in deck.sections:
        yield from (section.title, section.intro)
        for card in section.cards:
            yield from fragments_of(card)


def where(deck: Deck, formula: Formula) -> SourceLocation:
    """Where a formula was written: the card (or section, or deck intro) that holds it."""
    places: list[tuple[SourceLocation, Iterable[Fragment]]] = [(deck.location, [deck.intro])]
    for section in deck.sections:
        places.append((section.location, [section.title, section.intro]))
        places += [(card.location, fragments_of(card)) for card in section.cards]
    for location, held in places:
        if any(formula in formulas.formulas(f.html) for f in held):
            return location
    return deck.location


def fragments_of(card: Card) -> Iterable[Fragment]:
    yield from (card.question, card.answer, card.details, card.cloze)
    yield from (callout.body for callout in card.callouts)


def with_svg(deck: Deck, cache: FormulaCache) -> Deck:
    """The deck with each formula drawn as SVG, for outputs that cannot run MathJax."""
    found = (f for fragment in fragments(deck) for f in formulas.formulas(fragment.html))
    try:
        drawn = draw_all(found, cache)
    except NotDrawn as problem:
        failed = Diagnostic(where(deck, problem.formula), "error", str(problem))
        raise ContentError([failed]) from None
    cache.sweep()
    return replace(
        deck,
        intro=_fragment(deck.intro, drawn),
        sections=tuple(_section(section, drawn) for section in deck.sections),
    )
