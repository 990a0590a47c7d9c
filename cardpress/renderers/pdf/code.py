"""Code in the printouts: every break inside a code line is marked, and its continuation
indented.

A column is narrow: ``asyncio.get_event_loop().run_until_complete(...)`` must break
somewhere, and in shell code a new line is a new command, so a reader must see where a
line was only wrapped. Two things make that visible:

- Each line of a code block becomes a ``<span class="code-line">``, which the stylesheets
  set as a block with a hanging indent: a wrapped line's continuation is indented.
- Every place a code block's line may break gets a soft hyphen, and the stylesheet sets
  ``hyphenate-character: "↩"`` for code, so a line broken there ends with the mark: after
  the spaces between words, after punctuation inside tokens longer than ``LONG_TOKEN``,
  and anywhere inside a run of more than ``LONG_RUN`` letters and digits. Every other
  place the line breaker would break on its own (after ``-``, ``/``, ``?``, ...) gets a
  word joiner, so no break is left unmarked.

Inline code (``<code>`` in running text) breaks between words as text does; its long
tokens get the same soft hyphens. Soft hyphens and word joiners draw nothing and are not
in the PDF's text.
"""

from __future__ import annotations

import html
import re

LONG_TOKEN = 20
LONG_RUN = 16
BREAK_AFTER = frozenset("./\\_-:,;=&?()[]{}<>|+*@#")
SOFT_HYPHEN = "\u00ad"
WORD_JOINER = "\u2060"
LINE_OPEN = '<span class="code-line">'

_PIECE_RE = re.compile(r"<[^>]*>|&[#\w]+;|[^<&]+|[<&]")
_TAG_NAME_RE = re.compile(r"<\s*(/?)\s*(pre|code)\b", re.IGNORECASE)
_PRE_RE = re.compile(r"(<pre\b[^>]*>)(.*?)(</pre\s*>)", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>")
_WHITESPACE_SPAN_RE = re.compile(r'<span class="w">([ \t]*)</span>')


def mark_code_breaks(page: str) -> str:
    """``page`` with its code blocks split into lines and break points marked in code;
    tags and everything outside code are left as they are."""
    page = _PRE_RE.sub(_split_lines, page)
    pieces: list[str] = []
    # (index in pieces, the character it shows, inside a code block)
    chars: list[tuple[int, str, bool]] = []
    code_depth = pre_depth = 0
    for match in _PIECE_RE.finditer(page):
        piece = match.group(0)
        tag = _TAG_NAME_RE.match(piece)
        if tag:
            step = -1 if tag.group(1) else 1
            code_depth = max(code_depth + step, 0)
            if tag.group(2).lower() == "pre":
                pre_depth = max(pre_depth + step, 0)
            chars.append((-1, "\n", False))  # a token ends with its element
        elif piece == LINE_OPEN:
            chars.append((-1, "\n", False))  # and with its line
        if piece.startswith("<") and len(piece) > 1:
            pieces.append(piece)
            continue
        if code_depth == 0:
            pieces.append(piece)
            continue
        if piece.startswith("&"):
            chars.append((len(pieces), html.unescape(piece), pre_depth > 0))
            pieces.append(piece)
            continue
        for character in piece:
            chars.append((len(pieces), character, pre_depth > 0))
            pieces.append(character)
    marks = _break_marks(chars)
    if not marks:
        return page
    for at, mark in marks.items():
        pieces[_inside_next_span(pieces, at)] += mark
    return "".join(pieces)


def _inside_next_span(pieces: list[str], at: int) -> int:
    """Where a mark after piece ``at`` goes: past the highlighting spans that close and
    open there, at the start of the next one's text. WeasyPrint cannot break a line at
    the boundary between two inline elements, only inside one (or at a space)."""
    found = at
    for later in range(at + 1, len(pieces)):
        piece = pieces[later]
        if piece == LINE_OPEN:
            return at
        if not (piece.startswith("<span") or piece.startswith("</span")):
            return found
        found = later
    return at


def _split_lines(match: re.Match[str]) -> str:
    """A code block's content as one ``code-line`` span per line; an element that runs
    over a line end (a multi-line string) is closed at it and opened again after it."""
    opening, body, closing = match.groups()
    body = _WHITESPACE_SPAN_RE.sub(r"\1", body)  # a break inside one would go unmarked
    lines: list[str] = [LINE_OPEN]
    stack: list[tuple[str, str]] = []  # open elements: (name, opening tag)
    for piece in re.split(r"(<[^>]*>|\n)", body.removesuffix("\n")):
        if piece == "\n":
            lines += [f"</{name}>" for name, _ in reversed(stack)]
            lines += ["</span>", LINE_OPEN, *(tag for _, tag in stack)]
            continue
        tag = _TAG_RE.fullmatch(piece)
        if tag and tag.group(1):
            if stack:
                stack.pop()
        elif tag and not piece.endswith("/>"):
            stack.append((tag.group(2), piece))
        lines.append(piece)
    lines.append("</span>")
    return opening + "".join(lines) + closing


def _break_marks(chars: list[tuple[int, str, bool]]) -> dict[int, str]:
    """What to put after each piece: a soft hyphen where a code line may break (and so is
    marked), a word joiner where the line breaker must not break on its own."""
    marks: dict[int, str] = {}
    run: list[tuple[int, str, bool]] = []
    line_start = True
    for item in [*chars, (-1, "\n", False)]:
        at, character, in_block = item
        if not character.isspace():
            run.append(item)
            line_start = False
            continue
        _mark_token(run, marks)
        run = []
        if character == "\n" and at < 0:
            line_start = True
        elif in_block and at >= 0:
            # Between words of a code line: a marked break; not in the indentation.
            marks[at] = WORD_JOINER if line_start else WORD_JOINER + SOFT_HYPHEN
    return marks


def _mark_token(run: list[tuple[int, str, bool]], marks: dict[int, str]) -> None:
    if not run:
        return
    in_block = run[0][2]
    long_token = len(run) > LONG_TOKEN
    letters: list[int] = []  # the current run of letters and digits
    for index, (at, character, _) in enumerate(run):
        last = index == len(run) - 1
        if character.isalnum():
            letters.append(at)
            if last:
                _mark_letters(letters, marks)
            continue
        _mark_letters(letters, marks)
        letters = []
        if last:
            if in_block:
                marks[at] = WORD_JOINER
        elif long_token and character in BREAK_AFTER:
            marks[at] = SOFT_HYPHEN
        elif in_block:
            marks[at] = WORD_JOINER


def _mark_letters(letters: list[int], marks: dict[int, str]) -> None:
    """A run of letters too long for any line breaks anywhere, marked."""
    if len(letters) > LONG_RUN:
        for at in letters[:-1]:
            marks[at] = SOFT_HYPHEN
