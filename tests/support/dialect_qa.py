"""An example dialect: '## Section' headings, then cards as 'Q: ...' / 'A: ...' paragraphs.

Not shipped: tests/parse/test_dialects.py adds its row to DIALECTS to show that a dialect is
one module plus one row (docs/architecture.md)."""

from __future__ import annotations

from markdown_it.token import Token

from cardpress.content.files import SourceFile
from cardpress.errors import Reporter
from cardpress.markup import html as markup
from cardpress.parse.drafts import CardDraft, FileDraft, SectionDraft, top_level_blocks


def read(source: SourceFile, tokens: list[Token], report: Reporter) -> FileDraft:
    draft = FileDraft(source)
    section: SectionDraft | None = None
    for block in top_level_blocks(tokens):
        first = block[0]
        line = first.map[0] + 1 if first.map else 1
        if first.type == "heading_open" and first.tag == "h2":
            section = SectionDraft(line, source, block[1])
            draft.sections.append(section)
            continue
        if first.type == "paragraph_open" and block[1].content.startswith("Q:"):
            if section is None:
                report.error(source.location(line, 1), "question before the first '## Section'")
                continue
            question, _, answer = block[1].content[2:].partition("\nA:")
            card = CardDraft(first, _inline(question.strip(), first.map), source)
            if answer.strip():
                card.body.append(_paragraph(answer.strip(), first.map))
            section.cards.append(card)
            continue
        (section.intro if section is not None else draft.intro).append(block)
    return draft


def _inline(text: str, line_map: list[int] | None) -> Token:
    md = markup.markdown()
    token = Token("inline", "", 0, content=text, map=line_map)
    token.children = []
    md.inline.parse(text, md, {}, token.children)
    return token


def _paragraph(text: str, line_map: list[int] | None) -> list[Token]:
    opening = Token("paragraph_open", "p", 1, map=line_map, block=True)
    closing = Token("paragraph_close", "p", -1, block=True)
    return [opening, _inline(text, line_map), closing]
