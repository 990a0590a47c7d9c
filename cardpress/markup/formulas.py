"""Math formulas: a marker in card HTML that every output finishes its own way.

A deck with ``math: true`` in its front matter has formulas (``$...$``, ``$$...$$``,
``\\(...\\)``, ``\\[...\\]``); any other deck has none, and its bytes do not change.
The marker follows the same protocol as cloze deletions:

1. **One module owns the marker**: this one, for both sides. The parser reads formulas
   with ``add_rule`` (a markdown-it inline rule), checks them with ``check`` and writes
   them with ``marker``; outputs find them only through ``finish`` and ``formulas``.
2. **The model holds the marker in Anki's form**: ``\\(TeX\\)`` inline, ``\\[TeX\\]``
   display, the TeX HTML-escaped and its braces written as ``&#123;``/``&#125;`` (so a
   formula's ``{{`` or ``}}`` is never taken for a cloze deletion; MathJax reads the
   text, where they are braces again). Anki takes the marker as it is; the page and the
   printed outputs replace each by an SVG (``cardpress.markup.formula_svg``).
3. **Only formulas look like markers**: in a math deck every other backslash in the
   HTML is written ``&#92;`` (and one before a bracket is split from it by an empty
   span, so not even MathJax sees a delimiter in text), so ``MARKER_RE`` (linear)
   finds exactly the parser's formulas.
4. **Plain text holds the TeX without delimiters**, so search finds a formula by it.
"""

from __future__ import annotations

import bisect
import difflib
import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the outputs use this module too, and read no Markdown
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline

MAX_FORMULA_CHARS = 2000
"""Longer formulas are refused: a page of TeX is no card, and rendering it takes seconds."""
MAX_FORMULA_NESTING = 12
"""Braces, ``\\left`` and ``\\begin`` nested deeper are refused (the renderer recurses)."""
ENVIRONMENTS = [
    "matrix",
    "pmatrix",
    "bmatrix",
    "Bmatrix",
    "vmatrix",
    "Vmatrix",
    "smallmatrix",
    "cases",
    "aligned",
    "align",
    "align*",
    "array",
    "split",
]
"""``\\begin{...}`` environments both the SVG renderer and Anki's MathJax draw."""
REFUSED = frozenset(
    [
        r"\href",
        r"\class",
        r"\style",
        r"\cssId",
        r"\unicode",
        r"\def",
        r"\newcommand",
        r"\newenvironment",
        r"\renewcommand",
        r"\DeclareMathOperator",
        r"\verb",
        r"\color",
        r"\textcolor",
        r"\colorbox",
        r"\fcolorbox",
        r"\require",
        r"\begin",
        r"\end",
    ]
)
"""Commands a formula may not use: links and styles (unsafe in Anki's MathJax, or
against the theme's colours), definitions; ``\\begin`` and ``\\end`` are checked with
their environment."""
TOKEN = "math"
"""The markdown-it token type of a formula; ``markup`` draws nothing else with it."""

_COMMAND_RE = re.compile(r"\\(?:[A-Za-z]+\*?|.)", re.DOTALL)
_TEXT_ARG_RE = re.compile(r"\\(?:text[a-z]*|mbox|hbox)\s*\{[^{}<&]*([<&])")
_ENV_RE = re.compile(r"\\(begin|end)\s*\{([^{}]*)\}")
_MARKER_BODY = r"((?:[^\\]|\\[^\\()\[\]]|\\\\)*+)"
# \( or \[, then the TeX (a backslash always with the character after it), then the closer
MARKER_RE = re.compile(r"\\\(" + _MARKER_BODY + r"\\\)|\\\[" + _MARKER_BODY + r"\\\]")
_TRAILING = r"((?:[.,;:!?)\]\u2019\u201d\u2026\u00bb]|&quot;|&#39;|&#x27;)+)?"
MARKER_THEN_PUNCTUATION = re.compile(f"(?:{MARKER_RE.pattern}){_TRAILING}")
"""A marker and the punctuation right after it (group 3), which stays on its line."""
NOWRAP = "white-space: nowrap"
_DELIMITED = (("\\(", "\\)", False), ("\\[", "\\]", True), ("$$", "$$", True))


@dataclass(frozen=True)
class Formula:
    """One formula as the model holds it."""

    tex: str
    """The TeX as written, between the delimiters."""
    display: bool
    """Set apart and centred (``$$``, ``\\[``), rather than in the line."""


# -- parsing: the markdown-it rule --------------------------------------------------------


def add_rule(md: MarkdownIt) -> None:
    """Read formulas in inline text, before backslash escapes are."""
    md.inline.ruler.before("escape", TOKEN, _formula_rule)


def _formula_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] not in "$\\":
        return False
    closers = state.env.setdefault(_CLOSERS, {}).get(src)
    if closers is None:
        closers = state.env[_CLOSERS][src] = _Closers(src)
    found = _delimited(closers, pos) or _dollar(closers, pos)
    if found is None:
        return False
    opener, tex, closer, display = found
    if not silent:
        token = state.push(TOKEN, "", 0)
        token.content = tex
        token.markup = opener
        token.info = "display" if display else "inline"
    state.pos = pos + len(opener) + len(tex) + len(closer)
    return True


_CLOSERS = "cardpress_formula_closers"
_UNESCAPED = {  # a closer after an even run of backslashes (a backslash escapes the next)
    "\\)": re.compile(r"(?<!\\)(?:\\\\)*(\\\))"),
    "\\]": re.compile(r"(?<!\\)(?:\\\\)*(\\\])"),
    "$$": re.compile(r"(?<!\\)(?:\\\\)*(\$\$)"),
    "$": re.compile(r"(?<!\\)(?:\\\\)*(\$)(?![0-9])"),
}


class _Closers:
    """Where each closer stands in one inline text, found once per text: looking from
    every opener afresh would be quadratic on text such as ``$a $a $a ...``."""

    def __init__(self, src: str):
        self.src = src
        self.found: dict[str, list[int]] = {}
        self.ticks = [match.start() for match in re.finditer("`", src)]

    def next(self, closer: str, start: int) -> int | None:
        """The first unescaped ``closer`` at or after ``start``, unless a backtick (a
        code span, where nothing is math) comes first."""
        if closer not in self.found:
            found = [m.start(1) for m in _UNESCAPED[closer].finditer(self.src)]
            if closer == "$":  # a closing dollar has no space before it
                found = [at for at in found if self.src[at - 1] not in " \t\n"]
            self.found[closer] = found
        positions = self.found[closer]
        index = bisect.bisect_left(positions, start)
        if index == len(positions):
            return None
        end = positions[index]
        tick = bisect.bisect_left(self.ticks, start)
        if tick < len(self.ticks) and self.ticks[tick] < end:
            return None
        return end


def _delimited(closers: _Closers, pos: int) -> tuple[str, str, str, bool] | None:
    """``\\(...\\)``, ``\\[...\\]`` or ``$$...$$`` at ``pos``: opener, TeX, closer, display."""
    src = closers.src
    for opener, closer, display in _DELIMITED:
        if not src.startswith(opener, pos):
            continue
        start = pos + len(opener)
        end = closers.next(closer, start)
        if end is None or not src[start:end].strip():
            return None
        return opener, src[start:end], closer, display
    return None


def _dollar(closers: _Closers, pos: int) -> tuple[str, str, str, bool] | None:
    """``$...$``: no space right inside either dollar, no digit right after the closing
    one (so ``$5 and $10`` stays text), within the length limit."""
    src = closers.src
    if src[pos] != "$" or pos + 1 >= len(src) or src[pos + 1] in " \t\n$":
        return None
    end = closers.next("$", pos + 2)
    if end is None or end - pos > MAX_FORMULA_CHARS + 200:
        return None
    return "$", src[pos + 1 : end], "$", False


# -- checking ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def supported_commands() -> frozenset[str]:
    """The commands the SVG renderer draws: latex2mathml's (which ziamath reads TeX
    with), its symbols, without ``REFUSED``. Imported only for a deck with math."""
    import latex2mathml.commands as commands
    from latex2mathml.symbols_parser import SYMBOLS

    names: set[str] = set()

    def collect(value: object) -> None:
        if isinstance(value, str):
            if _COMMAND_RE.fullmatch(value):
                names.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                collect(key)
                collect(item)
        elif isinstance(value, tuple | list | set | frozenset):
            for item in value:
                collect(item)

    for name, value in vars(commands).items():
        if not name.startswith("_"):
            collect(value)
    names.update(name for name in SYMBOLS if _COMMAND_RE.fullmatch(name))
    return frozenset(names - REFUSED)


def problems(tex: str) -> Iterator[tuple[int, str]]:
    """What is wrong with a formula: (offset in the TeX, message), in order."""
    if len(tex) > MAX_FORMULA_CHARS:
        yield (
            0,
            (
                f"formula is {len(tex)} characters long, over the limit of {MAX_FORMULA_CHARS}: "
                "split it"
            ),
        )
        return
    if re.search(r"\{\{c\d+::", tex):
        yield (
            tex.index("{{"),
            (
                "a cloze deletion inside a formula is not supported: put the whole formula "
                "in the deletion, as {{c1::$...$}}"
            ),
        )
        return
    text_arg = _TEXT_ARG_RE.search(tex)
    if text_arg:
        yield (
            text_arg.start(1),
            (
                f"'{text_arg.group(1)}' inside '\\text{{...}}' cannot be drawn: "
                "write it outside the text (\\lt, \\gt, \\&)"
            ),
        )
        return
    known = supported_commands()
    depth = 0
    environments = 0
    opened: list[int] = []
    for match in re.finditer(r"\\(?:[A-Za-z]+\*?|.)|[{}&]", tex, re.DOTALL):
        text, at = match.group(0), match.start()
        if text == "&":
            if not environments:
                yield (
                    at,
                    (
                        "'&' separates columns, only inside an environment such as "
                        "\\begin{aligned}: write '\\&' for an ampersand"
                    ),
                )
                return
        elif text == "{":
            opened.append(at)
        elif text == "}":
            if not opened:
                yield at, "unbalanced braces: '}' closes nothing; write '\\}' for a brace"
                return
            opened.pop()
        elif text in (r"\begin", r"\end"):
            env = _ENV_RE.match(tex, at)
            if env is None or env.group(2) not in ENVIRONMENTS:
                name = env.group(2) if env else ""
                yield (
                    at,
                    (
                        f"unknown environment '{name}' in '{text}{{...}}' "
                        f"(known: {', '.join(ENVIRONMENTS)})"
                    ),
                )
                return
            step = 1 if text == r"\begin" else -1
            depth += step
            environments += step
        elif text == r"\left":
            depth += 1
        elif text == r"\right":
            depth -= 1
        elif text[1:2].isalpha() and text not in known:
            yield at, _unknown_command(text, known)
            return
        if len(opened) + max(depth, 0) > MAX_FORMULA_NESTING:
            yield at, f"formula nests more than {MAX_FORMULA_NESTING} levels deep"
            return
    if opened:
        yield opened[-1], "unbalanced braces: '{' is never closed; write '\\{' for a brace"
    elif depth > 0:
        yield 0, "'\\left' or '\\begin' is never closed by '\\right' or '\\end'"
    else:
        yield from drawing_problems(tex)


def drawing_problems(tex: str) -> Iterator[tuple[int, str]]:
    """What the drawing of a formula would run into: a length too large to draw, work
    beyond ``formula_limits.MAX_WORK``, a construct the renderer cannot read."""
    from cardpress.markup import formula_limits, formula_tex

    try:
        tree = formula_tex.mathml(tex, display=True)
    except formula_tex.TooLarge as error:
        number = re.match(r"[+-]?([0-9.]*)", error.written)
        at = tex.find(number.group(1)) if number and number.group(1) else -1
        yield max(at, 0), f"{error}: formulas cannot draw spaces, rules or shifts that large"
        return
    except Exception as error:  # latex2mathml's own failure, on content
        yield 0, formula_limits.failure(Formula(tex, True), error)
        return
    missing = formula_limits.incomplete(tree)
    if missing:
        yield 0, formula_limits.failure(Formula(tex, True), ValueError(missing))
    elif formula_limits.work(tree) > formula_limits.MAX_WORK:
        yield 0, formula_limits.too_complex(tex)


# -- the marker ------------------------------------------------------------------------


def marker(tex: str, display: bool) -> str:
    """The formula as the model's HTML holds it."""
    return f"\\[{safe(tex)}\\]" if display else f"\\({safe(tex)}\\)"


def safe(text: str, *, quote: bool = False) -> str:
    """Text escaped for HTML, with no brace or colon left to look like a cloze deletion."""
    escaped = html.escape(text, quote=quote)
    return escaped.replace("{", "&#123;").replace("}", "&#125;").replace(":", "&#58;")


def neutral(text: str, *, split: bool) -> str:
    """HTML outside formulas in a math deck: no backslash that a marker could start with;
    in text (``split``), one before a bracket is also kept apart from it by an empty
    span, so that Anki's MathJax does not take it for a delimiter either."""
    if "\\" not in text:
        return text
    if split:
        text = re.sub(r"\\(?=[()\[\]])", "&#92;<span></span>", text)
    return text.replace("\\", "&#92;")


def formula_of(match: re.Match[str]) -> Formula:
    """The formula a match of ``MARKER_RE`` (or a pattern that begins with it) found."""
    inline = match.group(1)
    body = inline if inline is not None else match.group(2)
    return Formula(html.unescape(body), display=inline is None)


def formulas(html_text: str) -> Iterator[Formula]:
    """The formulas of a math deck's HTML, in order."""
    return (formula_of(match) for match in MARKER_RE.finditer(html_text))


def finish(html_text: str, render: Callable[[Formula], str]) -> str:
    """The HTML with each formula replaced by what ``render`` makes of it."""
    if "\\" not in html_text:
        return html_text
    return MARKER_RE.sub(lambda match: render(formula_of(match)), html_text)


def punctuation_kept(html_text: str) -> str:
    """Anki's form with each inline formula and the punctuation after it in a span that
    does not wrap: MathJax draws the formula as a box, and a line may otherwise break
    between it and its period (the note type's stylesheet stays as it is)."""
    if "\\)" not in html_text:
        return html_text

    def keep(match: re.Match[str]) -> str:
        if match.group(1) is None or not match.group(3):
            return match.group(0)
        return f'<span style="{NOWRAP}">{match.group(0)}</span>'

    return MARKER_THEN_PUNCTUATION.sub(keep, html_text)


def as_text(html_text: str) -> str:
    """The HTML with each formula as its TeX (escaped), for plain text and search."""
    return finish(html_text, lambda formula: html.escape(formula.tex, quote=False))


def _unknown_command(command: str, known: frozenset[str]) -> str:
    """The error for a command the renderer does not draw, with the nearest one it does."""
    if command in REFUSED:
        return f"unknown math command '{command}' (not allowed in cards)"
    near = difflib.get_close_matches(command, sorted(known), n=1, cutoff=0.75)
    return f"unknown math command '{command}'" + (f": did you mean '{near[0]}'?" if near else "")
