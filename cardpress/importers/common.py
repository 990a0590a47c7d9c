"""Pieces every Markdown importer shares: a file's title and name, section keys."""

from __future__ import annotations

import re
from pathlib import Path

from cardpress.importers.html_markdown import strip_html
from cardpress.importers.markup_convert import convert_markdown, one_line
from cardpress.importers.writer import ascii_slug

_TITLE_RE = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.M)


def file_title(path: Path, text: str) -> str:
    """The file's ``#`` heading, else its folder's name for a README, else its name."""
    match = _TITLE_RE.search(text)
    if match:
        title = heading_text(match.group(1))
        if title:
            return title
    return path.parent.name if path.stem.lower() == "readme" else path.stem


def heading_text(raw: str) -> str:
    """A heading of the source as inline cardpress Markdown (images dropped)."""
    return one_line(convert_markdown(raw, lambda src, alt: alt))


def file_slug(path: Path, rel: str) -> str:
    """A short stable name for a source file: its folder for a README, else its name."""
    name = path.parent.name if path.stem.lower() == "readme" else path.stem
    return ascii_slug(name, 40) or "file"


def section_key(file_part: str, heading: str, title: str) -> str:
    """A section id: the file's slug (when there are several files) and the heading's."""
    parts = [p for p in (file_part, ascii_slug(heading, 40)) if p]
    return ".".join(parts) or ascii_slug(title, 40) or "questions"


def unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate


def cloze_title(text: str) -> str:
    """A heading for a cloze card: its first words, deletions shown as [...]."""
    plain = strip_html(re.sub(r"\{\{c\d+::.*?\}\}", "[...]", text))
    words = plain.split()
    title = " ".join(words[:10]) + (" ..." if len(words) > 10 else "")
    return one_line(convert_markdown(title, lambda src, alt: alt)) or "Cloze"
