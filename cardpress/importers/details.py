"""``details``: ``<details><summary>QUESTION</summary>ANSWER</details>`` under headings.

The shape of the big interview repositories: each ``##``/``###`` heading holding
blocks becomes a section (qualified by its file, as headings repeat across files), the
summary becomes the question (on one line, its inline HTML as Markdown), and the
answer loses the ``<br><b>...</b>`` wrapper most of them carry. Empty answers are
skipped and counted. ``$VAR`` stays shell: dollars are escaped.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from cardpress.importers import ImportOptions
from cardpress.importers.common import (
    file_drafts,
    file_title,
    heading_text,
    section_key,
    unique,
)
from cardpress.importers.draft import DraftCard, DraftDeck, DraftFile, DraftSection, Skip
from cardpress.importers.images import ImageCopier
from cardpress.importers.markup_convert import as_blocks, convert_markdown, one_line
from cardpress.importers.source_files import SourceSet, image_root
from cardpress.model import SourceLocation

_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
_HEADING_RE = re.compile(r"^(#{2,6})[ \t]+(.+?)[ \t#]*$")
_OPEN_RE = re.compile(r"<details\b[^>]*>", re.I)
_CLOSE_RE = re.compile(r"</details\s*>", re.I)
_SUMMARY_RE = re.compile(r"<summary\b[^>]*>(.*?)</summary\s*>", re.I | re.S)
_WRAPPER_START_RE = re.compile(r"^\s*(?:<br\s*/?>\s*)*(?:<b>)?", re.I)
_WRAPPER_END_RE = re.compile(r"(?:</b>)?\s*(?:<br\s*/?>\s*)*$", re.I)


def read(sources: SourceSet, options: ImportOptions) -> DraftDeck:
    images = ImageCopier(image_root(sources.root))
    deck = DraftDeck(title="")
    for path, rel, text, slug, draft in file_drafts(sources, deck):
        _read_file(text, rel, path.parent, slug, file_title(path, text), draft, deck, images)
    deck.missing_images = images.missing
    return deck


def _read_file(
    text: str,
    rel: str,
    base: Path,
    slug: str,
    title: str,
    draft: DraftFile,
    deck: DraftDeck,
    images: ImageCopier,
) -> None:
    lines = text.split("\n")
    heading, heading_line = "", 1
    section: DraftSection | None = None
    keys: set[str] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE_RE.match(line)
        if fence:
            i = _after_fence(lines, i, fence.group(1))
            continue
        match = _HEADING_RE.match(line)
        if match:
            heading, heading_line, section = heading_text(match.group(2)), i + 1, None
            i += 1
            continue
        if not _OPEN_RE.search(line):
            i += 1
            continue
        end = _block_end(lines, i)
        where = SourceLocation(rel, i + 1)
        if end is None:
            deck.skipped.append(Skip(where, "<details> is never closed"))
            i += 1
            continue
        block = "\n".join(lines[i:end])
        i = end
        card = _card(block, where, base, images)
        if isinstance(card, Skip):
            deck.skipped.append(card)
            deck.empty_answers += card.reason == "empty answer"
            continue
        if section is None:
            named = heading and heading.lower() != title.lower()
            key = unique(section_key(slug, heading if named else "", title), keys)
            section = DraftSection(
                title=f"{title}: {heading}" if named else title,
                key=key,
                location=SourceLocation(rel, heading_line),
            )
            draft.sections.append(section)
        section.cards.append(card)


def _after_fence(lines: list[str], start: int, marker: str) -> int:
    for j in range(start + 1, len(lines)):
        stripped = lines[j].strip()
        if stripped.startswith(marker[0] * len(marker)) and not stripped.strip(marker[0]):
            return j + 1
    return len(lines)


def _block_end(lines: list[str], start: int) -> int | None:
    """The line after the ``</details>`` that closes the block opened on ``start``."""
    depth = 0
    j = start
    while j < len(lines):
        fence = _FENCE_RE.match(lines[j]) if j > start else None
        if fence:
            j = _after_fence(lines, j, fence.group(1))
            continue
        depth += len(_OPEN_RE.findall(lines[j])) - len(_CLOSE_RE.findall(lines[j]))
        j += 1
        if depth <= 0:
            return j
    return None


def _card(block: str, where: SourceLocation, base: Path, images: ImageCopier) -> DraftCard | Skip:
    summary = _SUMMARY_RE.search(block)
    if summary is None:
        return Skip(where, "details block without a <summary>")
    closes = list(_CLOSE_RE.finditer(block))
    body = block[summary.end() : closes[-1].start() if closes else len(block)]
    body = _WRAPPER_END_RE.sub("", _WRAPPER_START_RE.sub("", body, count=1), count=1)
    card = DraftCard(question="", answer="", location=where, source_text=block)
    question = one_line(convert_markdown(summary.group(1), lambda src, alt: alt))
    if not question.strip("\\ "):
        return Skip(where, "empty question")

    def image(src: str, alt: str) -> str:
        return images.markdown(src, alt, base, where, card.images)

    answer = as_blocks(convert_markdown(textwrap.dedent(body), image), allow_break=True)
    if not re.sub(r"<[^>]*>|\\", "", answer).strip():
        return Skip(where, "empty answer")
    card.question, card.answer = question, answer
    return card
