"""Cloze: a cloze card's deletions are numbered and checked; other kinds get a hint."""

from __future__ import annotations

from cardpress.content.files import SourceFile, shown
from cardpress.markup import cloze as cloze_marker
from cardpress.markup import html as markup
from cardpress.model import EMPTY, Fragment, SourceLocation
from cardpress.parse.deck_state import DeckState
from cardpress.parse.rules.card import CardWork


def apply(card: CardWork, deck: DeckState) -> None:
    if not card.answer:
        return  # reported by the answer rule
    if card.kind.has_deletions:
        numbered = _numbered(card.answer, card.source, card.line, card.end_line, deck)
        card.answer = EMPTY
        if numbered is None:
            card.ok = False
        else:
            card.cloze = numbered
    elif cloze_marker.has_explicit_deletion(card.answer.html + card.details.html):
        deck.report.warning(
            card.source.find(card.line, "{{c", card.end_line),
            f"'{{{{c1::...}}}}' in a {card.kind.value} card: "
            "add 'kind: cloze' to make it a cloze card",
        )
    else:
        written = cloze_marker.shorthand_deletion(card.answer.html + card.details.html)
        if written is not None:
            cursor = card.source.cursor(card.line, card.end_line)
            deck.report.warning(
                cursor.find_any(written, "{{"),
                f"'{shown(written, 40)}' in a {card.kind.value} card is shown as it is, "
                "braces and all: to make it a cloze deletion, write '<!-- kind: cloze -->' "
                "on the line right below the heading",
            )


def _numbered(
    answer: Fragment, source: SourceFile, line: int, end_line: int, deck: DeckState
) -> Fragment | None:
    """The cloze text with every deletion numbered, or None (reported) if it is wrong."""
    html = cloze_marker.protect_tags(answer.html)
    try:
        scanned = cloze_marker.scan(html)
        if not scanned.deletions:
            deck.report.error(
                source.location(line, 1),
                "cloze card has no deletion: mark one as {{text}} or {{c1::text}}",
            )
            return None
        html = cloze_marker.expand(html, scanned)
    except cloze_marker.ClozeProblem as problem:
        deck.report.error(_brace(source, line, end_line, problem.index), problem.message)
        return None
    if scanned.unclosed is not None:
        deck.report.warning(
            _brace(source, line, end_line, scanned.unclosed_index),
            "'{{' is never closed by '}}': it and the rest are shown as text",
        )
    text = markup.text_of(cloze_marker.as_spans(html), source.math)
    return Fragment(html=html, text=cloze_marker.plain_text_safe(text))


def _brace(source: SourceFile, line: int, end_line: int, index: int) -> SourceLocation:
    """Where the ``index``-th '{{' of a card (0-based) was written, as near as known."""
    cursor = source.cursor(line, end_line)
    where = source.location(line, 1)
    for _ in range(index + 1):
        where = cursor.find("{{")
    return where
