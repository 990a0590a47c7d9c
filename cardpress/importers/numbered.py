"""``numbered``: ``N. ### Question`` list items with the answer indented below them.

The shape of long single-README interview lists. Indentation varies inside one file
(0 to 8 spaces), so each item is dedented on its own instead of trusting CommonMark's
list nesting. Trailer lines ("Back to Top" links, and any ``--trailer`` pattern) are
dropped. A ``<details>`` block inside an answer (a "deep dive") becomes the card's
details, after the short answer. ``##`` headings outside items become sections.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from cardpress.errors import UsageError
from cardpress.importers import ImportOptions
from cardpress.importers.common import (
    file_drafts,
    file_title,
    heading_text,
    prompt_inline,
    section_key,
    unique,
)
from cardpress.importers.draft import DraftCard, DraftDeck, DraftFile, DraftSection, Skip
from cardpress.importers.images import ImageCopier
from cardpress.importers.markup_convert import as_blocks, convert_markdown, one_line
from cardpress.importers.source_files import SourceSet, image_root
from cardpress.model import SourceLocation

TRAILERS = (r"^\s*\**\s*\[\s*(?:⬆\s*)?back to top\s*\]\([^)]*\)\s*\**\s*$",)
_ITEM_RE = re.compile(r"^ {0,8}\d{1,9}[.)][ \t]+#{1,6}[ \t]+(.*?)[ \t#]*$")
_SECTION_RE = re.compile(r"^#{1,2}[ \t]+(.+?)[ \t#]*$")
_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
_DETAILS_RE = re.compile(
    r"<details\b[^>]*>\s*(?:<summary\b[^>]*>(.*?)</summary\s*>)?(.*?)</details\s*>", re.I | re.S
)


def read(sources: SourceSet, options: ImportOptions) -> DraftDeck:
    try:
        trailers = [re.compile(p, re.I) for p in (*TRAILERS, *options.trailers)]
    except re.error as exc:
        raise UsageError(f"--trailer is not a regular expression: {exc}") from None
    images = ImageCopier(image_root(sources.root))
    deck = DraftDeck(title="")
    for path, rel, text, slug, draft in file_drafts(sources, deck):
        _read_file(text, rel, path, slug, draft, deck, images, trailers)
    deck.missing_images = images.missing
    return deck


def _read_file(
    text: str,
    rel: str,
    path: Path,
    slug: str,
    draft: DraftFile,
    deck: DraftDeck,
    images: ImageCopier,
    trailers: list[re.Pattern[str]],
) -> None:
    title = file_title(path, text)
    lines = text.split("\n")
    heading, heading_line = "", 1
    section: DraftSection | None = None
    keys: set[str] = set()
    item: tuple[int, str] | None = None  # (line index, question)
    body: list[str] = []
    fence: str | None = None

    def close() -> None:
        nonlocal section
        if item is None:
            return
        where = SourceLocation(rel, item[0] + 1)
        card = _card(item[1], body, where, path.parent, images, trailers)
        if isinstance(card, Skip):
            deck.skipped.append(card)
            deck.empty_answers += card.reason == "empty answer"
            return
        if section is None:
            named = heading and heading.lower() != title.lower()
            key = unique(section_key(slug, heading if named else "", title), keys)
            section = DraftSection(
                title=heading if named else title,
                key=key,
                location=SourceLocation(rel, heading_line),
            )
            draft.sections.append(section)
        section.cards.append(card)

    for number, line in enumerate(lines):
        if fence is not None:
            body.append(line)
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            continue
        opened = _FENCE_RE.match(line)
        if opened and item is not None:
            fence = opened.group(1)[0] * len(opened.group(1))
            body.append(line)
            continue
        match = _ITEM_RE.match(line)
        section_match = None if match else _SECTION_RE.match(line)
        if match or section_match:
            close()
            item, body = None, []
        if match:
            item = (number, match.group(1))
        elif section_match:
            heading, heading_line, section = heading_text(section_match.group(1)), number + 1, None
        elif item is not None:
            body.append(line)
    close()


def _card(
    question_raw: str,
    body: list[str],
    where: SourceLocation,
    base: Path,
    images: ImageCopier,
    trailers: list[re.Pattern[str]],
) -> DraftCard | Skip:
    question = one_line(convert_markdown(question_raw, lambda src, alt: alt))
    if not question.strip("\\ "):
        return Skip(where, "empty question")
    kept = [line for line in body if not any(t.search(line) for t in trailers)]
    text = textwrap.dedent("\n".join(kept))
    card = DraftCard(question=question, answer="", location=where, source_text="\n".join(body))

    def image(src: str, alt: str) -> str:
        return images.markdown(src, alt, base, where, card.images)

    deep = _DETAILS_RE.search(text)
    answer_text, details_text = text, ""
    if deep:
        answer_text = text[: deep.start()] + text[deep.end() :]
        summary = one_line(convert_markdown(deep.group(1) or "", lambda src, alt: alt))
        summary = re.sub(r"</?(?:b|strong|i|em)>|\*\*", "", summary)
        inner = textwrap.dedent(deep.group(2))
        if summary.strip(" :").lower() == "answer":  # the hidden part is the answer itself:
            prompt = answer_text.strip()  # what comes before it belongs to the question
            if prompt:
                card.question += " " + prompt_inline(prompt)
            answer_text = inner
            details_text = f"The question's code:\n\n{prompt}" if "```" in prompt else ""
        else:
            details_text = (f"**{summary}**\n\n" if summary else "") + inner
    answer = as_blocks(convert_markdown(answer_text, image), allow_break=False)
    details = as_blocks(convert_markdown(details_text, image), allow_break=True)
    if not re.sub(r"<[^>]*>|\\", "", answer).strip():
        if not details.strip():
            return Skip(where, "empty answer")
        answer, details = details, ""
    card.answer, card.details = answer, details
    return card
