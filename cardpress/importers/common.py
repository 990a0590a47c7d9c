"""Pieces every Markdown importer shares: a file's title and name, section keys."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from cardpress.importers.draft import DraftDeck, DraftFile, DraftSection
from cardpress.importers.sections import SectionPath
from cardpress.importers.source_files import SourceSet
from cardpress.importers.writer import ascii_slug
from cardpress.markup.convert import code_span, convert_markdown, one_line
from cardpress.markup.fences import fences, strip_code
from cardpress.markup.from_html import strip_html
from cardpress.model import SourceLocation

_TITLE_RE = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.M)


def file_title(path: Path, text: str) -> str:
    """The file's ``#`` heading (outside code), else its folder's name for a README, else
    its name."""
    match = _TITLE_RE.search(strip_code(text))
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


def section_for(
    draft: DraftFile,
    rel: str,
    headings: SectionPath,
    slug: str,
    keys: set[str],
    prefix: str = "",
) -> DraftSection:
    """The section of the draft that the current heading path names (made once)."""
    where = SourceLocation(rel, headings.line)
    if draft.sections and draft.sections[-1].location == where:
        return draft.sections[-1]
    path = headings.title()
    title = f"{prefix}: {path}" if prefix and path else path or prefix or headings.file_title
    key = ".".join(p for p in (slug, headings.key()) if p)
    key = unique(key or ascii_slug(headings.file_title, 40) or "questions", keys)
    section = DraftSection(title=title, key=key, location=where)
    draft.sections.append(section)
    return section


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


def prompt_inline(prompt: str, *, text_first: bool = False) -> str:
    """What a question shows before its answer (code, options), on the heading's line:
    code as one inline span, other text joined."""
    lines = prompt.split("\n")
    blocks = [f for f in fences(lines) if f.close is not None]
    code = ["\n".join(lines[f.open + 1 : f.close]).strip("\n") for f in blocks]
    inside = {n for f in blocks for n in range(f.open, (f.close or 0) + 1)}
    rest = heading_text("\n".join(line for n, line in enumerate(lines) if n not in inside))
    parts = [code_span("; ".join(_code_line(c) for c in code))] if code else []
    if text_first:
        return " ".join([rest, *parts] if rest else parts)
    return " ".join([*parts, rest] if rest else parts)


def _code_line(code: str) -> str:
    """Code on one line for a heading, statements separated by '; ' where lines ended."""
    out = ""
    for raw in code.split("\n"):
        line = " ".join(raw.split())
        if not line:
            continue
        if (
            out
            and not out.endswith(("{", "(", "[", ",", ";"))
            and not line.startswith(("}", ")", "]", "."))
        ):
            out += ";"
        out = f"{out} {line}" if out else line
    return out


def file_drafts(
    sources: SourceSet, deck: DraftDeck
) -> Iterator[tuple[Path, str, str, str, DraftFile]]:
    """Each source file as ``(path, relative name, text, slug, empty draft)``: the slug is
    empty when there is one file, and the draft has a unique name. Once the caller has
    filled a draft, it joins the deck if it holds any section."""
    names: set[str] = set()
    for path in sources.files:
        rel = sources.relative(path)
        text = sources.read_text(path)
        deck.sources_read += 1
        slug = file_slug(path, rel) if len(sources.files) > 1 else ""
        draft = DraftFile(name=unique(slug or file_slug(path, rel), names) + ".md")
        yield path, rel, text, slug, draft
        if draft.sections:
            deck.files.append(draft)
