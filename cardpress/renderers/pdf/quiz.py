"""The quiz sheet: the deck's questions, numbered and grouped by section, with room to
write the answers, then a numbered answer key (after the questions, or on pages of its
own for a teacher). Laid out by WeasyPrint like the cheat sheet, with its footers."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from cardpress.errors import BuildError
from cardpress.markup import cloze
from cardpress.markup.formula_svg import math_css
from cardpress.model import Card, Deck, Section
from cardpress.print_options import quiz_settings
from cardpress.renderers import RenderContext
from cardpress.renderers.pdf.code import mark_code_breaks
from cardpress.renderers.pdf.html import (
    PAGE_SIZES,
    FetchPolicy,
    RefusedReference,
    build_date,
    environment_for,
    paper_of,
)
from cardpress.renderers.pdf.sheet import (
    LayoutTooSlow,
    layout_budget,
    refused_error,
    render_part,
    too_slow_error,
)

TEMPLATE = "pdf/quiz.html.j2"
CHARACTERS_PER_LINE = 70  # of handwriting space: an answer this long gets one ruled line


@dataclass(frozen=True)
class Question:
    number: int
    card: Card
    prompt: Markup  # the question, or the cloze text with its deletions blanked
    answer: Markup  # what the key prints
    lines: int  # ruled lines to write on


def _blanks(html: str) -> str:
    """Each deletion as a numbered blank (its hint, when it has one, shown in it)."""

    def blank(marker: cloze.Marker) -> str:
        hint = f" {marker.hint}" if marker.hint else ""
        return f'<span class="blank">({marker.label}){hint}</span>'

    return cloze.finish(html, blank)


def _deletions(html: str) -> str:
    answers: dict[str, list[str]] = {}
    for marker in cloze.deletions(html):
        answers.setdefault(marker.label, []).append(marker.answer)
    return " ".join(
        f'<span class="deletion">({number})</span> {" … ".join(texts)}'
        for number, texts in sorted(answers.items(), key=lambda item: int(item[0]))
    )


def _question(number: int, card: Card) -> Question:
    if card.kind.has_deletions:
        heading = f'<p class="cloze-heading">{card.question.html}</p>' if card.question else ""
        prompt = heading + _blanks(card.cloze.html)
        answer = _deletions(card.cloze.html)
    else:
        prompt, answer = card.question.html, card.answer.html
    length = len(re.sub(r"<[^>]*>", "", answer))
    lines = max(2, min(6, 1 + length // CHARACTERS_PER_LINE))
    return Question(number, card, Markup(prompt), Markup(answer), lines)


def questions(deck: Deck, seed: int | None) -> list[tuple[Section, list[Question]]]:
    """The sections with their questions, numbered in the order printed; with a seed, the
    sections and the questions within each are shuffled, the same way for the same seed."""
    order = [(section, list(section.cards)) for section in deck.sections if section.cards]
    if seed is not None:
        shuffler = random.Random(seed)
        shuffler.shuffle(order)
        for _, cards in order:
            shuffler.shuffle(cards)
    grouped = []
    number = 0
    for section, cards in order:
        numbered = []
        for card in cards:
            number += 1
            numbered.append(_question(number, card))
        grouped.append((section, numbered))
    return grouped


def quiz_html(deck: Deck, context: RenderContext) -> str:
    settings = quiz_settings(deck.print_quiz, context.printing)
    built = build_date(context)
    paper = paper_of(deck, context)
    return mark_code_breaks(
        environment_for(context.templates_dir)
        .get_template(TEMPLATE)
        .render(
            deck=deck,
            groups=questions(deck, settings.shuffle),
            answers=settings.answers,
            shuffle=settings.shuffle,
            paper=paper,
            page_size=PAGE_SIZES[paper],
            keywords=deck.all_tags() or deck.tags,
            build_day=built.strftime("%Y-%m-%d"),
            build_stamp=built.strftime("%Y-%m-%dT%H:%M:%SZ"),
            version=context.version,
            math_css=Markup(math_css(deck)),  # generated: no content reaches it
        )
    )


def render(deck: Deck, context: RenderContext, out: Path) -> None:
    """Write the deck's quiz sheet to ``out``."""
    try:
        policy = FetchPolicy.for_deck(deck, context)
        budget = layout_budget(deck.card_count)
        out.write_bytes(render_part(quiz_html(deck, context), policy, budget))
    except LayoutTooSlow:
        raise too_slow_error(deck, budget, f"{deck.key}-quiz.pdf", "the quiz") from None
    except RefusedReference as refused:
        raise refused_error(deck, refused, "the quiz") from None
    except BuildError as error:
        raise BuildError(f"{deck.key}-quiz.pdf: {error}") from None
