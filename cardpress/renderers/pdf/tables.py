"""Tables on the cheat sheet fit their column: whole words where they can, broken words
where the columns are too many for whole words.

WeasyPrint sizes a table's columns from their content: each column at least as wide as
its longest word. A table whose longest words add up to more than a sheet column would
run past it (over the other column, or off the paper). Before layout, each table's
narrowest width with whole words is estimated from its words; a table that cannot fit
so gets the class ``squeeze`` (its words break anywhere, hyphenated where a dictionary
knows how), and one that could not fit even with a letter a column is reported.
"""

from __future__ import annotations

import html
import re

from cardpress.errors import Diagnostic
from cardpress.model import Deck

COLUMN_PT = 92 * 72 / 25.4  # a sheet column on A4 (Letter's is 3 mm wider)
CHARACTER_PT = 4.6  # an 8 pt character, bold or monospaced: the wide end
CELL_PT = 6.5  # a cell's padding and rules
SQUEEZE = "squeeze"

_TABLE_RE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.IGNORECASE | re.DOTALL)
_ROW_RE = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.IGNORECASE | re.DOTALL)
_CELL_RE = re.compile(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")


def _columns(table: str) -> list[int]:
    """The longest word of each column, in characters."""
    longest: list[int] = []
    for row in _ROW_RE.findall(table):
        for index, cell in enumerate(_CELL_RE.findall(row)):
            text = html.unescape(_TAG_RE.sub(" ", cell))
            word = max((len(w) for w in text.split()), default=0)
            if index == len(longest):
                longest.append(word)
            else:
                longest[index] = max(longest[index], word)
    return longest


def whole_words_fit(table: str) -> bool:
    return sum(w * CHARACTER_PT + CELL_PT for w in _columns(table)) <= COLUMN_PT


def can_fit(table: str) -> bool:
    return len(_columns(table)) * (CHARACTER_PT + CELL_PT) <= COLUMN_PT


def squeeze_wide_tables(page: str) -> str:
    """``page`` with the class ``squeeze`` on every table too wide for whole words."""

    def mark(match: re.Match[str]) -> str:
        attributes, body = match.groups()
        if whole_words_fit(body):
            return match.group(0)
        return f'<table class="{SQUEEZE}"{attributes}>{body}</table>'

    return _TABLE_RE.sub(mark, page) if "<table" in page else page


def too_wide_tables(deck: Deck) -> list[Diagnostic]:
    """A warning for each table with more columns than a sheet column can hold."""
    found = []
    for section in deck.sections:
        places = [(section.location, section.intro.html)]
        for card in section.cards:
            htmls = [card.answer.html, card.details.html] + [c.body.html for c in card.callouts]
            places += [(card.location, text) for text in htmls]
        for location, text in places:
            for match in _TABLE_RE.finditer(text):
                columns = len(_columns(match.group(2)))
                if not can_fit(match.group(2)):
                    found.append(
                        Diagnostic(
                            location,
                            "warning",
                            f"a table of {columns} columns is too wide for a column of the "
                            "PDF, even with its words broken: split it into narrower tables",
                        )
                    )
    return found
