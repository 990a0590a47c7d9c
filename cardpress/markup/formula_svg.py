"""Formulas drawn as SVG at build time, for the page and the printed outputs.

``cardpress.markup.formula_draw`` draws each formula as paths (ziamath, pure Python, its own
STIX Two Math font); nothing runs in the page or in WeasyPrint, and no TeX installation
is needed. Each drawing is kept in the build's cache folder as plain data (JSON: a box,
a list of shapes with numeric attributes, where it may break), keyed by the formula's
content hash, and checked again when read: an entry that is not exactly such data is
drawn afresh, so nothing in the cache can put markup into an output. A cold deck's
formulas are drawn on both cores, within ``formula_limits``; a formula that cannot be
drawn is an error at the card that holds it.

In the output each formula is an ``<svg>`` with ``role="img"`` and its TeX as the
accessible label, its size in ``ex`` (so its x-height is the text's, and it follows the
text size), filled with ``currentColor`` (so it follows the theme, dark mode included),
and a class from ``depth_css`` that sets it on the baseline (the page refuses style
attributes). Punctuation right after an inline formula is kept on its line.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from cardpress import atomic
from cardpress.errors import ContentError, Diagnostic
from cardpress.markup import formula_limits as limits
from cardpress.markup import formulas
from cardpress.markup.formula_draw import (
    SIZE,
    X_HEIGHT,
    Drawing,
    NotDrawn,
    cache_key,
    checked,
    draw_many,
    plain,
)
from cardpress.markup.formulas import Formula
from cardpress.model import Callout, Card, Deck, Fragment, Section, SourceLocation

PARALLEL_FROM = 24
"""Fewer formulas to draw than this are drawn here: starting another process costs more."""
DEPTH_STEPS = 20
"""Baseline offsets are rounded to 1/20 ex (under half a pixel at 16 px)."""
MAX_DEPTH_CLASS = 160
"""Inline formulas reach at most 8 ex below the baseline; deeper ones are set at 8 ex."""
_ZERO_WIDTH_SPACE = "\u200b"


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
            data = json.dumps(plain(drawing), separators=(",", ":")).encode()
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
            later = pool.submit(draw_many, items[half:], seconds / 2)
            results = draw_many(items[:half], seconds / 2) + later.result()
    else:
        results = draw_many(items, seconds)
    for key, data in results:
        drawing = checked(data)
        cache.put(key, drawing)
        drawn[missing[key]] = drawing
    return drawn


# -- the HTML ------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


CONTINUED = "(the formula continued)"


def svg_html(formula: Formula, drawing: Drawing) -> str:
    """The formula as inline SVG: sized in ex (its x-height is the text's), on the
    baseline, labelled with its TeX. A display formula with places to break is as many
    SVGs side by side as it has pieces, so a narrow column wraps it there."""
    x, y, width, height = drawing.box
    label = formulas.safe(formula.tex.strip(), quote=True)
    if not formula.display:
        step = min(MAX_DEPTH_CLASS, round(drawing.depth * DEPTH_STEPS))
        return _svg(f"math-inline math-d{step}", drawing.shapes, drawing.box, label)
    edges = [x, *(b for b in drawing.breaks if x < b < x + width), x + width]
    pieces: list[list[tuple[str, tuple[tuple[str, str], ...]]]] = [[] for _ in edges[1:]]
    for shape in drawing.shapes:
        left = _left_edge(shape)
        pieces[max(0, sum(left >= edge for edge in edges[1:-1]))].append(shape)
    ex = SIZE * X_HEIGHT
    svgs = []
    for index, shapes in enumerate(pieces):
        start, end = edges[index], edges[index + 1]
        top, bottom = y, y + height
        if len(pieces) > 1 and shapes:  # a line of its own may be as tall as its piece
            extents = [_vertical_extent(shape) for shape in shapes]
            top = max(y, min(t for t, _ in extents) - 1)
            bottom = min(y + height, max(b for _, b in extents) + 1)
        step = min(MAX_DEPTH_CLASS, round(max(0.0, bottom) / ex * DEPTH_STEPS))
        kind = f"math-display math-d{step}"
        box = (start, top, end - start, bottom - top)
        svgs.append(_svg(kind, tuple(shapes), box, label if index == 0 else None))
    return f'<span class="math-block">{_ZERO_WIDTH_SPACE.join(svgs)}</span>'


def _svg(
    kind: str,
    shapes: tuple[tuple[str, tuple[tuple[str, str], ...]], ...],
    box: tuple[float, float, float, float],
    label: str | None,
) -> str:
    x, y, width, height = box
    ex = SIZE * X_HEIGHT
    named = f'role="img" aria-label="{label}"' if label is not None else 'aria-hidden="true"'
    drawn = "".join(
        "<" + name + "".join(f' {key}="{html.escape(value)}"' for key, value in attrs) + "/>"
        for name, attrs in shapes
    )
    # A tagged PDF makes every drawing a figure, which needs a text: a later piece of a
    # broken display says what it is (pages hide it from screen readers, aria-hidden).
    title = f"<title>{label if label is not None else CONTINUED}</title>"
    return (
        f'<svg class="math {kind}" xmlns="http://www.w3.org/2000/svg" {named} '
        f'width="{_number(width / ex)}ex" height="{_number(height / ex)}ex" '
        f'viewBox="{_number(x)} {_number(y)} {_number(width)} {_number(height)}">'
        f"{title}{drawn}</svg>"
    )


def _left_edge(shape: tuple[str, tuple[tuple[str, str], ...]]) -> float:
    """Where a shape starts, in the viewBox's x: the piece of a broken formula it is in."""
    name, attrs = shape
    values = dict(attrs)
    if name == "path":
        numbers = re.findall(r"-?[0-9.]+(?:[eE][-+]?[0-9]+)?", values.get("d", ""))
        xs = [float(n) for n in numbers[0::2]]
        return min(xs) if xs else 0.0
    for key in ("x", "x1", "cx"):
        if key in values:
            return float(values[key])
    return 0.0


def _vertical_extent(shape: tuple[str, tuple[tuple[str, str], ...]]) -> tuple[float, float]:
    """How high and how low a shape reaches, in the viewBox's y."""
    name, attrs = shape
    values = dict(attrs)
    if name == "path":
        numbers = re.findall(r"-?[0-9.]+(?:[eE][-+]?[0-9]+)?", values.get("d", ""))
        ys = [float(n) for n in numbers[1::2]]
        if ys:
            return min(ys), max(ys)
    if name == "rect":
        top = float(values.get("y", "0"))
        return top, top + float(values.get("height", "0"))
    return -1e6, 1e6  # unknown: the whole height


def math_css(deck: Deck, *, scroll: bool = False) -> str:
    """``depth_css`` for a deck with math, else nothing (its outputs stay as they were)."""
    return depth_css(scroll=scroll) if deck.math else ""


def depth_css(*, scroll: bool = False) -> str:
    """The rules that set formulas on the baseline, display ones apart, and punctuation
    with the formula it follows. A display formula wider than its column breaks where it
    may; a piece still too wide scrolls sideways (``scroll``, in the page) or is scaled
    down to fit (on paper, where ``renderers.pdf.formulas`` sees that it is not scaled below
    the smallest type)."""
    fit = "overflow-x: auto; overflow-y: hidden;" if scroll else ""
    size = "" if scroll else " max-width: 100%; height: auto;"
    # Every shape is painted currentColor already; browsers also take it from CSS, which
    # WeasyPrint does not know (it would warn on every printout).
    paint = " fill: currentColor;" if scroll else ""
    rules = [
        f"svg.math {{ overflow: visible;{paint} }}",
        ".math-nowrap { white-space: nowrap; }",
        ".math-block { display: block; text-align: center; margin: 0.4em 0; line-height: 1.8;"
        f" {fit} }}",
        f".math-block svg.math {{ display: inline-block;{size} }}",
    ]
    rules += [
        f"svg.math-d{step} {{ vertical-align: -{_number(step / DEPTH_STEPS)}ex; }}"
        for step in range(MAX_DEPTH_CLASS + 1)
    ]
    return "\n".join(rules) + "\n"


def _fragment(fragment: Fragment, drawn: dict[Formula, Drawing]) -> Fragment:
    if "\\" not in fragment.html:
        return fragment

    def finished(match: re.Match[str]) -> str:
        formula = formulas.formula_of(match)
        svg = svg_html(formula, drawn[formula])
        after: str | None = match.group(3)
        if not after:
            return svg
        if formula.display:
            return svg + after
        return f'<span class="math-nowrap">{svg}{after}</span>'

    return replace(fragment, html=formulas.MARKER_THEN_PUNCTUATION.sub(finished, fragment.html))


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
