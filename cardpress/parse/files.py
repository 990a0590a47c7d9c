"""One file's text to model sections: its dialect reads it, then the rules run in order.

The order of the rules is listed here and only here. Card rules read and fill a
``CardWork`` in turn; each reports its own problems and may mark the card as failed.
"""

from __future__ import annotations

from collections.abc import Callable

from cardpress.content.files import SourceFile
from cardpress.markup import html as markup
from cardpress.model import Card, Fragment, Section
from cardpress.parse import DIALECTS, dialect_for
from cardpress.parse.deck_state import DeckState
from cardpress.parse.drafts import CardDraft, SectionDraft
from cardpress.parse.rules import answer, callouts, card_count, cloze, question, settings
from cardpress.parse.rules.callouts import render_intro
from cardpress.parse.rules.card import CardWork
from cardpress.parse.rules.fences import check_fences, check_tab_indented
from cardpress.parse.rules.inline import check_inline

CardRule = Callable[[CardWork, DeckState], None]

CARD_RULES: tuple[CardRule, ...] = (
    card_count.apply,  # past the deck's limit, nothing else runs
    question.apply,
    settings.apply,  # kind, id, tags
    callouts.apply,  # takes callouts out of the body
    answer.apply,  # the rest: answer, then details
    cloze.apply,  # needs the kind and the answer
)


def parse_file(source: SourceFile, deck: DeckState) -> tuple[list[Section], Fragment]:
    """The file's sections and its introduction (what comes before its first section)."""
    dialect = DIALECTS[source.dialect] if source.dialect else dialect_for(source.rel)
    if not dialect.holds_cards(source):
        return [], Fragment("", "")
    parsed = markup.parse(source.text, source.math)
    if parsed.too_deep:
        deck.report.error(
            source.location(parsed.too_deep[0], 1),
            f"lists and quotes nest more than {markup.MAX_NESTING} levels deep (a list "
            "counts two): what lies deeper would be lost",
        )
    if dialect.whole_files:
        check_fences(source, parsed.tokens, deck.report)
        check_tab_indented(source, parsed.tokens, deck.report)
    draft = dialect.reader()(source, parsed.tokens, deck.report)
    sections = [s for s in (_section(d, deck) for d in draft.sections) if s is not None]
    return sections, render_intro(draft.intro, source, deck)


def _section(draft: SectionDraft, deck: DeckState) -> Section | None:
    source = draft.source
    line = draft.heading_line
    check_inline(draft.inline, source, line, line, deck)
    title = markup.render_inline(draft.inline, source.math)
    if not title.text:
        deck.report.error(source.location(line, 1), "section heading is empty")
    identity = settings.section_identity(draft, title.text, deck)
    cards = [c for c in (_card(d, identity, deck) for d in draft.cards) if c is not None]
    key, location = identity[0], source.location(line, 1)
    if key in deck.section_keys:
        deck.report.error(
            location,
            f"section id '{key}' is already used: give one of them another title or an id; "
            "first used at",
            deck.section_keys[key],
        )
        return None
    deck.section_keys[key] = location
    return Section(
        key=key,
        title=title,
        intro=render_intro(draft.intro, source, deck),
        tags=identity,
        cards=tuple(cards),
        location=location,
        deck_path=draft.deck_path,
    )


def _card(draft: CardDraft, section_tags: tuple[str, ...], deck: DeckState) -> Card | None:
    card = CardWork(draft, section_tags)
    for rule in CARD_RULES:
        rule(card, deck)
        if card.stopped:
            break
    if not card.ok:
        return None
    return Card(
        id=card.id,
        explicit_id=bool(card.id),
        kind=card.kind,
        question=card.question,
        answer=card.answer,
        details=card.details,
        callouts=tuple(card.callouts),
        tags=tuple(dict.fromkeys([*section_tags, *card.tags])),
        location=card.location,
        cloze=card.cloze,
        guid=card.guid,
        type_in=card.type_in,
        link=card.draft.link,
        was=tuple(dict.fromkeys(card.was)),
    )
