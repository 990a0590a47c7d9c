"""The headings dialect: '## Section', '### Question', settings in '<!-- key: value -->'.

A '#' heading may open a file; text before the first section is the deck's (or the
file's) introduction; a settings comment counts only right below a heading.
"""

from __future__ import annotations

import re

from markdown_it.token import Token

from cardpress.content.files import SourceFile, shown
from cardpress.errors import Reporter
from cardpress.markup import html as markup
from cardpress.parse.drafts import CardDraft, FileDraft, SectionDraft, Settings, top_level_blocks

_SETTING_RE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*:(.*)$")  # no backtracking on spaces
_KEYS = {"id", "kind", "tags", "guid", "answer", "was"}
"""The settings of cards and sections: a comment of these alone is meant as settings."""


def read(source: SourceFile, tokens: list[Token], report: Reporter) -> FileDraft:
    """One file's sections and cards, in order; problems of structure are reported."""
    draft = FileDraft(source)
    section: SectionDraft | None = None
    card: CardDraft | None = None
    settings_line = -1  # the line right after the last heading, where settings go
    for block in top_level_blocks(tokens):
        first = block[0]
        line = first.map[0] + 1 if first.map else 1
        after_heading = first.map is not None and first.map[0] == settings_line
        settings_line = -1
        if first.type == "heading_open":
            level = int(first.tag[1])
            inline = block[1]
            if level == 1:
                if draft.sections:
                    report.error(
                        source.location(line, 1),
                        "'#' heading after the first section: use '##' for a section "
                        "and '###' for a card",
                    )
                continue
            if (
                card is not None
                and first.markup in ("-", "=")
                and _underlined_answer(block, card, source, report)
            ):
                card.body.append(block)  # reported: not also "card has no answer"
                continue
            if level == 2:
                card = None
                section = SectionDraft(line, source, inline)
                draft.sections.append(section)
                settings_line = first.map[1] if first.map else -1
                continue
            if level == 3:
                card = None
                if section is None:
                    report.error(
                        source.location(line, 1),
                        "card is not inside a section: add a '## Section' heading above it",
                    )
                    continue
                card = CardDraft(first, inline, source)
                section.cards.append(card)
                settings_line = first.map[1] if first.map else -1
                continue
        if first.type == "heading_open" and (card is not None or section is not None):
            _check_swallowed_question(block, source, report, card is not None)
        if first.type == "html_block" and markup.is_comment(first.content):
            target = card if card is not None else section
            if after_heading and target is not None:
                target.settings = _settings(first, source, report)
            elif _looks_like_settings(first.content):
                _misplaced_settings(first, source, report, target)
            continue
        if first.type == "html_block":
            report.warning(
                source.find(line, "<"),
                f"raw HTML '{shown(first.content.strip(), 40)}' is shown as text; "
                "use Markdown instead",
            )
        if card is not None:
            card.body.append(block)
        elif section is not None:
            section.intro.append(block)
        else:
            draft.intro.append(block)
    for section in draft.sections:
        if not section.cards:
            _check_cardless_section(section, source, report)
    return draft


def _underlined_answer(
    block: list[Token], card: CardDraft, source: SourceFile, report: Reporter
) -> bool:
    """An answer with '---' (or '===') on the next line is a Markdown underlined heading,
    which would end the card and open a section: say so. True when the card had no other
    answer (an error, reported here instead of "card has no answer")."""
    underline = block[0].map[1] if block[0].map else 1
    text = shown(markup.render_inline(block[1]).text.strip())
    level = "'##' section" if block[0].markup == "-" else "'#'"
    if not card.body:
        report.error(
            source.location(underline, 1),
            f"'{block[0].markup * 3}' right below the answer '{text}' makes it a {level} "
            "heading (Markdown's underlined heading), so the card has no answer: "
            f"leave a blank line before '{block[0].markup * 3}'",
        )
        return True
    if block[0].markup == "-":
        report.warning(
            source.location(underline, 1),
            f"'---' right below '{text}' makes it a '##' section heading (Markdown's "
            "underlined heading), which ends the card above: leave a blank line before "
            "'---' to separate the answer from the details",
        )
    return False


def _looks_like_settings(comment: str) -> bool:
    """Whether a comment holds only ``key: value`` pairs of known settings."""
    body = comment.strip().removeprefix("<!--").removesuffix("-->")
    parts = [part for line in body.split("\n") for part in line.split(";") if part.strip()]
    matches = [_SETTING_RE.match(part) for part in parts]
    return bool(parts) and all(m is not None and m.group(1).lower() in _KEYS for m in matches)


def _misplaced_settings(
    token: Token, source: SourceFile, report: Reporter, target: CardDraft | SectionDraft | None
) -> None:
    line = token.map[0] + 1 if token.map else 1
    if target is None:
        where = "right below the '##' or '###' heading they are for"
    else:
        if isinstance(target, SectionDraft):
            heading = target.heading_line
        else:
            heading = target.heading.map[0] + 1 if target.heading.map else 1
        where = f"right below the heading on line {heading}, with no blank line between"
    report.warning(
        source.find(line, "<!--"),
        f"settings '{shown(token.content.strip(), 60)}' are ignored here: settings go {where}",
    )


def _check_swallowed_question(
    block: list[Token], source: SourceFile, report: Reporter, in_card: bool
) -> None:
    """A '####' question is read as part of what comes before it: say so."""
    text = markup.render_inline(block[1]).text.strip()
    if not text.endswith("?"):
        return
    line = block[0].map[0] + 1 if block[0].map else 1
    where = "the answer of the card above" if in_card else "the section's introduction"
    report.warning(
        source.location(line, 1),
        f"'{block[0].markup}' heading '{shown(text)}' looks like a question but is part of "
        f"{where}: questions are '###' headings",
    )


def _check_cardless_section(section: SectionDraft, source: SourceFile, report: Reporter) -> None:
    """A section with no card whose introduction has headings used them as questions.

    Its deeper headings are then the only level used under the section, so each is
    named, not only those ending in '?' (which the check above names already).
    """
    for block in section.intro:
        if block[0].type != "heading_open":
            continue
        text = markup.render_inline(block[1]).text.strip()
        if text.endswith("?"):
            continue
        line = block[0].map[0] + 1 if block[0].map else 1
        report.warning(
            source.location(line, 1),
            f"'{block[0].markup}' heading '{shown(text)}' is part of the section's "
            "introduction and the section has no cards: questions are '###' headings",
        )


def _settings(token: Token, source: SourceFile, report: Reporter) -> Settings:
    """``key: value`` pairs of a settings comment, separated by ';' or new lines."""
    line = token.map[0] + 1 if token.map else 1
    body = token.content.strip()
    body = body[4:] if body.startswith("<!--") else body
    body = body[:-3] if body.endswith("-->") else body
    settings: Settings = {}
    for offset, raw_line in enumerate(body.split("\n")):
        cursor = source.cursor(line + offset)
        for part in raw_line.split(";"):
            if not part.strip():
                continue
            where = cursor.find(part.strip())
            match = _SETTING_RE.match(part)
            if not match:
                report.error(
                    where, f"cannot read setting '{shown(part.strip())}': write 'key: value'"
                )
                continue
            settings[match.group(1).lower()] = (match.group(2).strip(), where)
    return settings
