"""Bounds on drawing one formula, and what to say when a formula cannot be drawn.

Drawing is bounded three ways: the checks of ``cardpress.formulas`` (length, nesting,
sizes) where the formula was written; ``formula_tex.work``, an estimate of the renderer's
work, before drawing; and processor time while drawing, as the PDF layout is bounded.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from cardpress.content_files import shown
from cardpress.formulas import Formula

MAX_WORK = 60_000
"""``formula_tex.work`` above this is refused: a long formula of the usual kinds is
under 5,000, and drawing a formula takes about a millisecond per 100."""
FORMULA_CPU_SECONDS = 5.0
"""Processor time one formula may take to draw (the usual ones take 10 to 50 ms)."""
CPU_SECONDS_VARIABLE = "CARDPRESS_FORMULA_CPU_SECONDS"  # replaces the limit, for tests

REWRITES = (
    (r"\\over\b|\\atop\b|\\choose\b", "write \\frac{a}{b} or \\binom{n}{k} instead"),
    (r"\\substack", "write the lines as a \\begin{matrix} instead"),
    (r"\\(?:left|right)\s*\\?[.]", "leave out the empty \\left. or \\right. delimiter"),
    (r"\\begin\{array\}", "write a \\begin{matrix} (or pmatrix) instead of the array"),
    (r"\\(?:middle)", "write the bar between two \\left...\\right pairs"),
    (r"\^\s*\^|_\s*_", "put a double script in braces: {x^a}^b"),
)
"""TeX the renderer is known to fail on, and a rewrite that draws the same."""


class DrawingTooSlow(Exception):
    """A formula used up its processor time."""


def formula_cpu_seconds() -> float:
    with contextlib.suppress(ValueError):
        return float(os.environ.get(CPU_SECONDS_VARIABLE, "")) or FORMULA_CPU_SECONDS
    return FORMULA_CPU_SECONDS


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
    reason = str(error).strip() or {
        "AssertionError": "the renderer could not lay it out",
        "IndexError": "something in it has nothing to apply to",
        "KeyError": "the renderer does not know a symbol in it",
        "RecursionError": "it is nested too deeply",
    }.get(type(error).__name__, type(error).__name__)
    reason = reason.splitlines()[0][:160]
    hint = next((fix for pattern, fix in REWRITES if re.search(pattern, formula.tex)), "")
    rewrite = hint or "rewrite it (docs/format.md lists what can be drawn)"
    return f"formula '{shown(formula.tex)}' cannot be drawn ({reason}): {rewrite}"


def too_complex(formula: Formula) -> str:
    return (
        f"formula '{shown(formula.tex)}' is too deeply nested to draw in reasonable time "
        "(roots, fractions and groups inside one another): nest fewer of them, or split it"
    )


def too_slow(formula: Formula) -> str:
    return (
        f"formula '{shown(formula.tex)}' took more than {formula_cpu_seconds():g} s of "
        "processor time to draw: split or simplify it"
    )


def too_large(formula: Formula, error: BaseException) -> str:
    return (
        f"formula '{shown(formula.tex)}' cannot be drawn ({error}): a size, space or "
        "shift in it is too large; keep dimensions under "
        "100em"
    )
