"""One numbered item's text to a card: trailers dropped, lists placed, details split off."""

from __future__ import annotations

import re
from pathlib import Path

from cardpress.importers.common import prompt_inline
from cardpress.importers.draft import DraftCard, Skip
from cardpress.importers.images import ImageCopier
from cardpress.importers.indent import normalise
from cardpress.markup.convert import as_blocks, convert_markdown, one_line
from cardpress.model import SourceLocation

MERGED_QUESTION = 300
"""A question heading longer than this most likely swallowed the items after it."""
_EDGE_BREAKS_RE = re.compile(r"^(?:\s*(?:[-*_][ \t]*){3,}\n)+|(?:\n[ \t]*(?:[-*_][ \t]*){3,})+\s*$")
_DETAILS_RE = re.compile(
    r"<details\b[^>]*>\s*(?:<summary\b[^>]*>(.*?)</summary\s*>)?(.*?)</details\s*>", re.I | re.S
)


def card_from_item(
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
    text = _EDGE_BREAKS_RE.sub("", normalise("\n".join(kept)).strip("\n"))
    card = DraftCard(question=question, answer="", location=where, source_text="\n".join(body))

    def image(src: str, alt: str) -> str:
        return images.markdown(src, alt, base, where, card.images)

    deep = _DETAILS_RE.search(text)
    answer_text, details_text = text, ""
    if deep:
        answer_text = text[: deep.start()] + text[deep.end() :]
        summary = one_line(convert_markdown(deep.group(1) or "", lambda src, alt: alt))
        summary = re.sub(r"</?(?:b|strong|i|em)>|\*\*", "", summary)
        inner = normalise(deep.group(2))
        if summary.strip(" :").lower() == "answer":  # the hidden part is the answer itself:
            prompt = _EDGE_BREAKS_RE.sub("", answer_text.strip())  # it belongs to the question
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
