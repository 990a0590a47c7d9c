"""Math: each formula of a ``math: true`` deck checked where it was written (commands,
braces, environments, length and nesting), so no output meets one it cannot draw."""

from __future__ import annotations

from markdown_it.token import Token

from cardpress.content.files import Cursor
from cardpress.markup import formulas
from cardpress.model import SourceLocation
from cardpress.parse.deck_state import DeckState


def check_formula(token: Token, cursor: Cursor, deck: DeckState) -> None:
    tex, opener = token.content, token.markup
    first_line = tex.split("\n", 1)[0]
    start = cursor.find(opener + first_line)
    for offset, message in formulas.problems(tex):
        deck.report.error(_at(start, cursor, opener, tex, offset), message)


def _at(
    start: SourceLocation, cursor: Cursor, opener: str, tex: str, offset: int
) -> SourceLocation:
    """Where the ``offset``-th character of a formula that begins at ``start`` stands."""
    if start.col is None:
        return start
    before = tex[:offset]
    lines = before.count("\n")
    if not lines:
        return SourceLocation(start.path, start.line, start.col + len(opener) + offset)
    line = start.line + lines
    written = before.rsplit("\n", 1)[1]
    source_lines = cursor.source.lines
    text = source_lines[line - 1] if line - 1 < len(source_lines) else ""
    rest = tex[offset:].split("\n", 1)[0]
    found = text.find(written + rest) if written + rest else -1
    col = found + len(written) + 1 if found >= 0 else len(text) - len(rest) + 1
    return SourceLocation(start.path, line, max(col, 1))
