"""Section titles from a source's headings: Markdown or HTML, outside code, nested.

A section is named by the path of headings above its questions ("Junior Sysadmin ›
System Questions"), never by a ``# comment`` inside a code block, which the callers
know to skip (``fences``). The file's own title (its first ``#`` heading) and the
table of contents are not levels. A section's key leaves out what upstream bumps as it
grows (a count in brackets), so it stays when a question is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cardpress.importers.writer import ascii_slug

SEPARATOR = " › "
_MD_HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_HTML_HEADING_RE = re.compile(r"^[ \t]*<h([1-6])\b[^>]*>(.*?)</h\1[ \t]*>[ \t]*$", re.I)
_CONTENTS_RE = re.compile(r"^\W*(?:table of contents|contents|toc|index)\W*$", re.I)
_COUNT_RE = re.compile(r"\s*[(\[]\s*\d+(?:\s*\w+)?\s*[)\]]\s*$")
_HEADING_LEVELS_IN_KEY = 2


def heading(line: str) -> tuple[int, str] | None:
    """``(level, raw title)`` when ``line`` is a Markdown or HTML heading (not code)."""
    first = line.lstrip()[:2].lower()
    if not first.startswith("#") and first != "<h":
        return None
    match = _MD_HEADING_RE.match(line) or _HTML_HEADING_RE.match(line)
    if match is None or not match.group(2).strip():
        return None
    return len(match.group(1)) if match.group(1).startswith("#") else int(match.group(1)), (
        match.group(2).strip()
    )


def is_contents(title: str) -> bool:
    """A table of contents: a list of links, not a section of questions."""
    return bool(_CONTENTS_RE.match(re.sub(r"<[^<>]*>|[*_`]", "", title)))


def without_count(title: str) -> str:
    """A title less the count upstream bumps ("Network Questions (23)")."""
    return _COUNT_RE.sub("", title)


@dataclass
class SectionPath:
    """The headings above the current line, one per level."""

    file_title: str
    levels: list[tuple[int, str]] = field(default_factory=list)
    line: int = 1
    """Source line of the last heading (1-based)."""

    def push(self, level: int, title: str, line: int) -> None:
        while self.levels and self.levels[-1][0] >= level:
            self.levels.pop()
        self.line = line
        if is_contents(title) or (level == 1 and title.lower() == self.file_title.lower()):
            return
        self.levels.append((level, title))

    def titles(self) -> list[str]:
        return [title for _, title in self.levels if title]

    def title(self) -> str:
        return SEPARATOR.join(self.titles())

    def key(self) -> str:
        """The section id's own part: the last levels' slugs, counts left out."""
        parts = [ascii_slug(without_count(t), 30) for t in self.titles()]
        return ".".join(p for p in parts[-_HEADING_LEVELS_IN_KEY:] if p)
