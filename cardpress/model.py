"""The one model every renderer reads.

The parser fills these frozen dataclasses; renderers only read them. Markdown is
rendered to HTML once, by the parser, so no renderer ever sees a Markdown token.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class SourceLocation:
    """Where something was written; ``path`` is relative to the content folder.

    Line 0 means the file or folder as a whole.
    """

    path: str
    line: int
    col: int | None = None

    def __str__(self) -> str:
        if self.line <= 0:  # the whole file or folder
            return self.path
        if self.col is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Fragment:
    """A piece of card content: safe HTML for display, plain text for search and checks."""

    html: str
    text: str

    def __bool__(self) -> bool:
        return bool(self.html.strip())


EMPTY = Fragment(html="", text="")


class CardKind(enum.StrEnum):
    """What a card asks; each output's way of asking it sits in that output's module."""

    BASIC = "basic"
    REVERSED = "reversed"
    """Asked both ways: question to answer, and answer to question."""
    CLOZE = "cloze"
    """Its text holds deletions (``{{c1::...}}``) in place of an answer."""

    @property
    def has_deletions(self) -> bool:
        return self is CardKind.CLOZE

    @property
    def body_name(self) -> str:
        """What the text below the question is called in messages."""
        return "cloze text" if self.has_deletions else "answer"


class CalloutKind(enum.StrEnum):
    NOTE = "note"
    TIP = "tip"
    IMPORTANT = "important"
    WARNING = "warning"
    CAUTION = "caution"


@dataclass(frozen=True)
class Callout:
    kind: CalloutKind
    body: Fragment


@dataclass(frozen=True)
class MediaFile:
    """An image the content uses; ``name`` is the flat, unique name the HTML refers to."""

    name: str
    path: str  # relative to the content folder
    sha256: str


@dataclass(frozen=True)
class Card:
    """One note to learn.

    For a cloze card ``prompt`` holds the text with Anki's ``{{c1::...}}`` deletions and
    ``question`` is its heading; for other kinds ``prompt`` is the question itself.
    """

    id: str  # stable: explicit in the source, or assigned from the lock file
    explicit_id: bool
    kind: CardKind
    question: Fragment
    answer: Fragment
    details: Fragment
    callouts: tuple[Callout, ...]
    tags: tuple[str, ...]  # all tags: deck, section and the card's own
    location: SourceLocation
    cloze: Fragment = EMPTY
    guid: str | None = None
    """The Anki note GUID to use instead of the one made from the deck and card ids
    (set by ``cardpress import anki`` so notes keep their reviews)."""
    type_in: bool = False
    """The reader types the answer before seeing it (setting ``answer: type``); the page
    compares what was typed with the short answer, or with a cloze card's deletions."""
    was: tuple[str, ...] = field(default=(), metadata={"model_json": False})
    """Ids this card had before (``<!-- id: new; was: old -->``): its Anki note keeps its
    identity and reviews. Only the lock needs them; the JSON model leaves them out."""

    @property
    def anchor(self) -> str:
        """A permalink fragment that stays the same across builds."""
        return "card-" + self.id


@dataclass(frozen=True)
class Section:
    key: str
    title: Fragment
    intro: Fragment
    tags: tuple[str, ...]
    cards: tuple[Card, ...]
    location: SourceLocation

    @property
    def anchor(self) -> str:
        return "section-" + self.key


@dataclass(frozen=True)
class CardSettings:
    """The deck's ``cards:`` front matter; a field left out is decided elsewhere."""

    size: str | None = None
    """A preset name (``a7``, ``3x5in``, ...) or ``WIDTHxHEIGHTmm``."""
    sides: str | None = None
    """``duplex-long``, ``duplex-short``, ``fold`` or ``separate``."""
    back_offset: tuple[float, float] | None = None
    """Millimetres to move the backs right and down, correcting a printer."""


@dataclass(frozen=True)
class QuizSettings:
    """The deck's ``quiz:`` front matter."""

    answers: str | None = None
    """``end`` (a compact key after the questions) or ``separate`` (the key on its own pages)."""
    shuffle: int | None = None
    """A seed: the questions in a random order that is the same for the same seed."""


@dataclass(frozen=True)
class Deck:
    key: str
    title: str
    description: str
    tags: tuple[str, ...]
    paper: str  # a name in cardpress.papers.PAPERS
    intro: Fragment
    sections: tuple[Section, ...]
    media: tuple[MediaFile, ...]
    sources: tuple[str, ...]  # Markdown files, relative to the content folder
    location: SourceLocation
    print_cards: CardSettings | None = None
    """Set when the deck asks for printed flashcards (``cards:`` in its front matter)."""
    print_quiz: QuizSettings | None = None
    """Set when the deck asks for a quiz sheet (``quiz:`` in its front matter)."""

    def cards(self) -> Iterator[Card]:
        for section in self.sections:
            yield from section.cards

    @property
    def card_count(self) -> int:
        return sum(len(section.cards) for section in self.sections)

    def all_tags(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for card in self.cards():
            seen.update(dict.fromkeys(card.tags))
        return tuple(seen)


# Linear: no part may contain "{{", "}}" or (before the hint) "::", so nothing backtracks.
CLOZE_RE = re.compile(
    r"\{\{c(\d+)::((?:(?!::|\}\}|\{\{).)*+)(?:::((?:(?!\}\}|\{\{).)*+))?\}\}", re.DOTALL
)


def cloze_numbers(html: str) -> list[int]:
    """The distinct deletion numbers used in a cloze text, in order."""
    return sorted({int(m.group(1)) for m in CLOZE_RE.finditer(html)})


def cloze_to_html(html: str, *, reveal: bool = True) -> str:
    """Replace Anki deletions by marked spans, for outputs that are read rather than quizzed."""

    def replace(match: re.Match[str]) -> str:
        number, answer, hint = match.group(1), match.group(2), match.group(3)
        hint_attr = f' data-hint="{hint}"' if hint else ""
        shown = answer if reveal else "[…]" if not hint else f"[{hint}]"
        return f'<span class="cloze" data-cloze="{number}"{hint_attr}>{shown}</span>'

    return CLOZE_RE.sub(replace, html)
