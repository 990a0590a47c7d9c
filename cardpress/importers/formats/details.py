"""``details``: ``<details><summary>QUESTION</summary>ANSWER</details>`` under headings.

The shape of the big interview repositories: the headings above a block (Markdown or
HTML, outside code, every level) name its section ("Junior Sysadmin › System
Questions"), qualified by its file when there are several; the summary becomes the
question (on one line, its inline HTML as Markdown), and the answer loses the
``<br><b>...</b>`` wrapper most of them carry. A block that is never closed ends at the
next ``<details>`` or heading and is reported as repaired; empty answers, and bold list
items that ask a question no block answers, are skipped and counted. ``$VAR`` stays
shell: dollars are escaped.
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
    prompt_inline,
    section_for,
)
from cardpress.importers.draft import DraftCard, DraftDeck, DraftFile, Skip
from cardpress.importers.images import ImageCopier
from cardpress.importers.indent import normalise
from cardpress.importers.sections import SectionPath, heading
from cardpress.importers.source_files import SourceSet, image_root
from cardpress.markup.convert import as_blocks, convert_markdown, one_line
from cardpress.markup.fences import FenceTracker, fences
from cardpress.model import SourceLocation

MERGED_QUESTION = 300
_OPEN_RE = re.compile(r"<details\b[^>]*>", re.I)
_CLOSE_RE = re.compile(r"</details\s*>", re.I)
_SUMMARY_RE = re.compile(r"<summary\b[^>]*>(.*?)</summary\s*>", re.I | re.S)
_WRAPPER_START_RE = re.compile(r"^\s*(?:<br\s*/?>\s*)*(?:<b>)?", re.I)
_WRAPPER_END_RE = re.compile(r"(?:</b>)?\s*(?:<br\s*/?>\s*)*$", re.I)
_BARE_SUMMARY_RE = re.compile(r"^[ \t]*<summary\b", re.I)
_UNANSWERED_RE = re.compile(r"^[ \t]*[-*+][ \t]+(?:<b>(.+?)</b>|\*\*(.+?)\*\*)[ \t]*$", re.I)


def read(sources: SourceSet, options: ImportOptions) -> DraftDeck:
    images = ImageCopier(image_root(sources.root))
    deck = DraftDeck(title="")
    several = len(sources.files) > 1
    for path, rel, text, slug, draft in file_drafts(sources, deck):
        title = file_title(path, text)
        headings = SectionPath(title)
        _read_file(text.split("\n"), rel, path.parent, slug, headings, several, draft, deck, images)
    deck.missing_images = images.missing
    return deck


def _read_file(
    lines: list[str],
    rel: str,
    base: Path,
    slug: str,
    headings: SectionPath,
    several: bool,
    draft: DraftFile,
    deck: DraftDeck,
    images: ImageCopier,
) -> None:
    keys: set[str] = set()
    fences = FenceTracker()
    i = 0
    while i < len(lines):
        line = lines[i]
        if fences.feed(i, line):
            i += 1
            continue
        found = heading(line)
        if found is not None:
            headings.push(found[0], heading_text(found[1]), i + 1)
            i += 1
            continue
        bare = not _OPEN_RE.search(line) and bool(_BARE_SUMMARY_RE.match(line))
        if not _OPEN_RE.search(line) and not bare:
            if _unanswered(lines, i):
                deck.skipped.append(Skip(SourceLocation(rel, i + 1), "question without an answer"))
            i += 1
            continue
        where = SourceLocation(rel, i + 1)
        level = headings.levels[-1][0] if headings.levels else 0
        end, repair = _block_end(lines, i, level, 1 if bare else 0)
        if bare:
            repair = "<summary> without <details>: read as one" + (f"; {repair}" if repair else "")
        block = "\n".join(lines[i:end])
        i = end
        closed = bool(re.search(r"</details\s*>\s*\Z", block, re.I))
        card = _card(block, where, base, images, closed=closed)
        if isinstance(card, Skip):
            deck.skipped.append(card)
            deck.empty_answers += card.reason == "empty answer"
            continue
        if repair:
            deck.repaired.append(Skip(where, repair))
        asked = len(re.sub(r"`[^`]*`", "", card.question))  # code asked about is no merge
        inner = max(0, len(_OPEN_RE.findall(card.source_text)) - (not bare))
        if asked > MERGED_QUESTION:
            why = f"a question heading of {asked} characters: blocks merged?"
            deck.suspects.append(Skip(where, why))
        elif inner:
            deck.suspects.append(Skip(where, f"the answer holds {inner} other <details>"))
        prefix = headings.file_title if several or not headings.levels else ""
        section_for(draft, rel, headings, slug, keys, prefix).cards.append(card)


def _unanswered(lines: list[str], i: int) -> bool:
    """A bold list item that asks something, with no answer below it."""
    match = _UNANSWERED_RE.match(lines[i])
    if match is None:
        return False
    text = (match.group(1) or match.group(2)).strip()
    if len(text.split()) < 3 or not ("?" in text or text.endswith(".")):
        return False
    following = next((line for line in lines[i + 1 :] if line.strip()), "")
    return not following.startswith((" ", "\t")) or bool(_UNANSWERED_RE.match(following))


def _block_end(lines: list[str], start: int, level: int, depth: int = 0) -> tuple[int, str]:
    """The line after the ``</details>`` that closes the block opened on ``start``, and
    what was repaired when it never closes (it ends at the next ``<details>`` opened at
    its own depth, else at the next heading of its section's level or higher)."""
    fences = FenceTracker()
    next_block: int | None = None
    j = start
    while j < len(lines):
        line = lines[j]
        if j > start and fences.feed(j, line):
            j += 1
            continue
        if j > start:
            found = heading(line)
            if found is not None and level and found[0] <= level:
                break
            if depth == 1 and next_block is None and _OPEN_RE.search(line):
                next_block = j
        depth += len(_OPEN_RE.findall(line)) - len(_CLOSE_RE.findall(line))
        j += 1
        if depth <= 0:
            return j, ""
    if next_block is not None:
        return next_block, "<details> is never closed: ended where the next <details> starts"
    return j, "<details> is never closed: ended at the next heading"


def _card(
    block: str, where: SourceLocation, base: Path, images: ImageCopier, *, closed: bool
) -> DraftCard | Skip:
    summary = _SUMMARY_RE.search(block)
    if summary is None:
        return Skip(where, "details block without a <summary>")
    closes = list(_CLOSE_RE.finditer(block))
    body = block[summary.end() : closes[-1].start() if closes and closed else len(block)]
    body = _WRAPPER_END_RE.sub("", _WRAPPER_START_RE.sub("", body, count=1), count=1)
    card = DraftCard(question="", answer="", location=where, source_text=block)
    asked = summary.group(1)
    has_code = "\n" in asked and any(True for _ in fences(asked.split("\n")))
    if has_code:
        asked = normalise(textwrap.dedent(asked).strip("\n"))
    if has_code:  # code asked about: inline on the heading, and as written in the details
        question = prompt_inline(asked.strip(), text_first=True)
    else:
        question = one_line(convert_markdown(asked, lambda src, alt: alt))
    whole = re.fullmatch(r"<(b|strong)>(.*)</\1>|\*\*(.*)\*\*", question)
    if whole and not re.search(r"</?(?:b|strong)>|\*\*", whole.group(2) or whole.group(3)):
        question = whole.group(2) or whole.group(3)  # bold all through: a question anyway
    if not question.strip("\\ "):
        return Skip(where, "empty question")

    def image(src: str, alt: str) -> str:
        return images.markdown(src, alt, base, where, card.images)

    answer = as_blocks(convert_markdown(normalise(body), image), allow_break=True)
    if not re.sub(r"<[^>]*>|\\", "", answer).strip():
        return Skip(where, "empty answer")
    card.question, card.answer = question, answer
    if has_code:
        lines = asked.split("\n")
        code = "\n\n".join(
            "\n".join(lines[f.open : (f.close if f.close is not None else len(lines)) + 1])
            for f in fences(lines)
        )
        card.details = "The question's code:\n\n" + as_blocks(code, allow_break=False)
    return card
