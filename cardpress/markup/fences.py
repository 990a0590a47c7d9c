"""Code fences in sources someone else wrote: the one rule every importer reads them by.

Sources indent fences anywhere (list items at 0 to 8 spaces, answers inside HTML), so a
fence opens on any line whose first non-blank characters are three or more backticks
or tildes (a backtick fence's info string holds no backtick), and closes on a line of
at least as many of the same character and nothing else. Inside a fence nothing is
Markdown: no heading, no item marker, no ``<details>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_OPEN_RE = re.compile(r"^([ \t]*)(`{3,}|~{3,})(.*)$")


def opens(line: str) -> str | None:
    """The fence marker (e.g. ``"```"``) when ``line`` opens a fence, else None."""
    if "```" not in line and "~~~" not in line:  # most lines: no regex needed
        return None
    match = _OPEN_RE.match(line)
    if match is None or (match.group(2)[0] == "`" and "`" in match.group(3)):
        return None
    return match.group(2)


def closes(line: str, marker: str) -> bool:
    """Whether ``line`` closes a fence opened with ``marker``."""
    stripped = line.strip()
    return stripped.startswith(marker) and not stripped.strip(marker[0])


def indent_of(line: str) -> int:
    """The columns of a line's leading white space (a tab counts as 4)."""
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


@dataclass(frozen=True)
class Fence:
    """One fenced block: the lines it spans (``close`` is None while it never closes)."""

    open: int
    close: int | None
    marker: str
    indent: int


class FenceTracker:
    """Reads lines one at a time and says which ones are code (fence lines included)."""

    def __init__(self) -> None:
        self.fence: Fence | None = None

    @property
    def open(self) -> bool:
        return self.fence is not None

    def feed(self, number: int, line: str) -> bool:
        """Whether line ``number`` is code; opens and closes fences as it goes."""
        if self.fence is not None:
            if closes(line, self.fence.marker):
                self.fence = None
            return True
        marker = opens(line)
        if marker is not None:
            self.fence = Fence(number, None, marker, indent_of(line))
            return True
        return False

    def cut(self) -> Fence | None:
        """Close the open fence here (the item it belongs to ended); the fence it was."""
        fence, self.fence = self.fence, None
        return fence


def code_lines(lines: list[str]) -> list[bool]:
    """For each line, whether it is code (a fence line or inside a fence)."""
    tracker = FenceTracker()
    return [tracker.feed(number, line) for number, line in enumerate(lines)]


def fences(lines: list[str]) -> Iterator[Fence]:
    """The fenced blocks of ``lines``, in order; the last may never close."""
    current: tuple[int, str, int] | None = None
    for number, line in enumerate(lines):
        if current is not None:
            if closes(line, current[1]):
                yield Fence(current[0], number, current[1], current[2])
                current = None
            continue
        marker = opens(line)
        if marker is not None:
            current = (number, marker, indent_of(line))
    if current is not None:
        yield Fence(current[0], None, current[1], current[2])


def strip_code(text: str) -> str:
    """``text`` with its fenced blocks left out (to look for headings and markers)."""
    lines = text.split("\n")
    return "\n".join(line for line, code in zip(lines, code_lines(lines), strict=True) if not code)
