"""Bounds on drawing one formula, and what to say when a formula cannot be drawn.

Drawing is bounded three ways: the checks of ``cardpress.markup.formulas`` (length, nesting,
sizes) where the formula was written; ``work``, an estimate of the renderer's
work, before drawing; and processor time while drawing, as the PDF layout is bounded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from cardpress.content.files import shown
from cardpress.markup import formula_tex
from cardpress.markup.formulas import Formula

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

MAX_WORK = 10_000
"""``work`` above this is refused: the usual formulas are under 500, and
drawing takes about 0.1 to 0.2 ms per unit (eight ``\\left`` groups nested take 2 s)."""
FORMULA_CPU_SECONDS = 5.0
"""Processor time one formula may take to draw (the usual ones take 10 to 50 ms)."""
DECK_CPU_SECONDS = 30.0
DECK_CPU_SECONDS_PER_FORMULA = 0.1
"""Processor time all of a deck's formulas may take to draw: a base, plus some for each
(a cold deck of 500 formulas takes about 8 s)."""
CPU_SECONDS_VARIABLE = "CARDPRESS_FORMULA_CPU_SECONDS"  # replaces both limits, for tests

REASONS = {  # latex2mathml's and ziamath's errors that carry no message of their own
    "AssertionError": "the renderer could not lay it out",
    "IndexError": "something in it has nothing to apply to",
    "KeyError": "the renderer does not know a symbol in it",
    "RecursionError": "it is nested too deeply",
    "NumeratorNotFoundError": "a fraction has no numerator",
    "DenominatorNotFoundError": "a fraction has no denominator",
    "ExtraLeftOrMissingRightError": "a '\\left' has no '\\right'",
    "MissingSuperScriptOrSubscriptError": "a '^' or '_' has nothing after it",
    "DoubleSubscriptsError": "two subscripts on one base",
    "DoubleSuperscriptsError": "two superscripts on one base",
    "NoAvailableTokensError": "a command is missing its argument",
    "MissingEndError": "an environment is never ended",
    "InvalidAlignmentError": "an array's column alignment is not l, c or r",
    "InvalidWidthError": "a width cannot be read",
    "LimitsMustFollowMathOperatorError": "'\\limits' follows no operator",
}
REWRITES = (
    ("two superscripts", "put one in braces: {x^a}^b"),
    ("two subscripts", "put one in braces: {x_a}_b"),
    ("nothing after it", "give the script an argument: x^{2}, or write \\^{} for a caret"),
    ("no numerator", "write \\frac{a}{b}"),
    ("no denominator", "write \\frac{a}{b}"),
    ("a fraction is missing", "write \\frac{a}{b}"),
    ("a root is missing", "write \\sqrt{x} or \\sqrt[n]{x}"),
    ("missing its argument", "give the command its argument in braces: \\sqrt{x}"),
    ("has no '\\right'", "close each \\left with a \\right (\\right. for none)"),
)
"""A rewrite that draws what was meant, for a reason (as ``REASONS`` words it)."""


class DrawingTooSlow(Exception):
    """A formula used up its processor time."""


def _given() -> float | None:
    with contextlib.suppress(ValueError):
        return float(os.environ.get(CPU_SECONDS_VARIABLE, "")) or None
    return None


def formula_cpu_seconds() -> float:
    """Processor seconds one formula may take to draw."""
    return _given() or FORMULA_CPU_SECONDS


def deck_cpu_seconds(formulas: int) -> float:
    """Processor seconds drawing ``formulas`` formulas may take."""
    return _given() or DECK_CPU_SECONDS + DECK_CPU_SECONDS_PER_FORMULA * formulas


@contextmanager
def cpu_limit(seconds: float) -> Iterator[None]:
    """Raise DrawingTooSlow once this process has used ``seconds`` more processor time.
    Only where a timer signal can be caught: the main thread, on systems that have one."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise DrawingTooSlow

    previous = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def failure(formula: Formula, error: BaseException) -> str:
    """Why a formula could not be drawn, and the rewrite that works where one is known."""
    name = type(error).__name__
    reason = REASONS.get(name) or str(error).strip().split("\n")[0][:160] or name
    rewrite = next((fix for known, fix in REWRITES if known in reason), "")
    rewrite = rewrite or "rewrite it with simpler commands, or show it as code in backticks"
    return f"formula '{shown(formula.tex)}' cannot be drawn ({reason}): {rewrite}"


def too_complex(tex: str) -> str:
    return (
        f"formula '{shown(tex)}' is too deeply nested or too long to draw in reasonable "
        "time (roots, fractions and groups inside one another): nest fewer, or split it"
    )


def too_slow(formula: Formula) -> str:
    return (
        f"formula '{shown(formula.tex)}' took more than {formula_cpu_seconds():g} s of "
        "processor time to draw: split or simplify it"
    )


def too_large(formula: Formula, error: BaseException) -> str:
    return (
        f"formula '{shown(formula.tex)}' cannot be drawn ({error}): a size, space or "
        "shift in it is too large: make it smaller"
    )


def deck_too_slow(formula: Formula, seconds: float) -> str:
    return (
        f"drawing the deck's formulas took more than {seconds:g} s of processor time, "
        f"the last one '{shown(formula.tex)}': simplify the deepest ones, or split the deck"
    )


ROW_SQUARE = 50
WORK_GROWTH = 2.3
"""How much more a node costs the renderer for each row it is nested in: a row lays out
each of its children twice (once to measure how far its delimiters stretch)."""


_ARITY = {**formula_tex.SCRIPTED, "mfrac": 2, "mroot": 2}
_PARTS = {"mfrac": "a fraction", "mroot": "a root", "msub": "a subscript", "msup": "a superscript"}


def incomplete(root: ET.Element) -> str | None:
    """A construct with a part missing (``\\frac{a}``), which ziamath cannot lay out."""
    for element in root.iter():
        arity = _ARITY.get(element.tag)
        if arity is not None and len(element) != arity:
            what = _PARTS.get(element.tag, "a script or limit")
            return f"{what} is missing a part"
    return None


def work(root: ET.Element) -> int:
    """About how much the renderer does for the tree, in nodes: each node counts
    ``WORK_GROWTH`` to the power of the rows it is nested in, so nested roots, fractions
    and ``\\left`` groups grow exponentially, as drawing them does; and a row of n
    elements counts n * n / ``ROW_SQUARE`` more, as ziamath places each against all."""

    def cost(element: ET.Element, depth: int) -> float:
        inner = depth + (element.tag == "mrow")
        own = WORK_GROWTH**depth + len(element) ** 2 / ROW_SQUARE
        return own + sum(cost(child, inner) for child in element)

    return round(cost(root, 0))
