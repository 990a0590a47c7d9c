"""The one model every renderer reads.

The parser fills these frozen dataclasses; renderers only read them. Markdown is
rendered to HTML once, by the parser, so no renderer ever sees a Markdown token.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

_Frozen = TypeVar("_Frozen")

TAG_NAMESPACE = "cardpress"
"""The tags under ``cardpress::`` are the ones cardpress puts on notes (a deck's own,
``cardpress::removed``): a sync trusts them to tell which notes a deck owns, so content
may not write them."""


def changed(value: _Frozen, **fields: Any) -> _Frozen:
    """``dataclasses.replace`` for the model's frozen dataclasses, which check nothing
    when made: a copy with ``fields`` set, without calling ``__init__`` again (a deck of
    10,000 cards gets each card's id and tags this way on every build)."""
    if not fields.keys() <= value.__dict__.keys():
        raise TypeError(f"{type(value).__name__} has no field {sorted(fields)}")
    new = object.__new__(type(value))
    new.__dict__.update(value.__dict__, **fields)
    return new


def reserved_tag(tag: str) -> bool:
    """Whether ``tag`` is in cardpress's namespace, as Anki reads it (case and blank
    levels do not matter)."""
    levels = [part.strip() for part in tag.split("::")]
    levels = [part for part in levels if part]
    return len(levels) > 1 and levels[0].casefold() == TAG_NAMESPACE


@dataclass(frozen=True, order=True)
class SourceLocation:
    """Where something was written; ``path`` is relative to the content folder.

    Line 0 means the file or folder as a whole.
    """

    path: str
    """Relative to the content folder, as diagnostics print it."""
    line: int
    """1-based; 0 for the whole file or folder."""
    col: int | None = None
    """1-based, when known."""

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
    """Safe HTML: sanitised, highlighted, images named by media name, deletions marked."""
    text: str
    """The same as plain text, for search and checks; never holds a deletion marker."""

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
    """The kinds of GitHub-style alerts a card may hold (``> [!TIP]``)."""

    NOTE = "note"
    TIP = "tip"
    IMPORTANT = "important"
    WARNING = "warning"
    CAUTION = "caution"


@dataclass(frozen=True)
class Callout:
    """A note set apart from the answer, shown with its kind's colour and label."""

    kind: CalloutKind
    body: Fragment
    """The quote's content without its ``[!KIND]`` line."""


@dataclass(frozen=True)
class MediaFile:
    """An image the content uses; ``name`` is the flat, unique name the HTML refers to."""

    name: str
    """``<first 12 hex digits of the hash>-<file name>``: unique, safe in any output."""
    path: str
    """Relative to the content folder."""
    sha256: str
    """Of the bytes the parser checked; the build renders exactly those bytes."""


@dataclass(frozen=True)
class Card:
    """One note to learn."""

    id: str
    """Stable: explicit in the source, or assigned from the lock file."""
    explicit_id: bool
    """Written in the source (``<!-- id: ... -->``), not assigned."""
    kind: CardKind
    question: Fragment
    """The card's heading; a cloze card's heading is its title."""
    answer: Fragment
    """The first block below the question (or all up to a ``---`` line); empty for cloze."""
    details: Fragment
    """Everything after the answer: shown after it, in smaller type where space is short."""
    callouts: tuple[Callout, ...]
    tags: tuple[str, ...]
    """All tags, in order: the deck's, the section's key and tags, the card's own."""
    location: SourceLocation
    """The card's heading."""
    cloze: Fragment = EMPTY
    """A cloze card's text with its deletions in Anki's form (see ``cardpress.markup.cloze``)."""
    guid: str | None = None
    """The Anki note GUID to use instead of the one made from the deck and card ids
    (set by ``cardpress import anki`` so notes keep their reviews)."""
    type_in: bool = False
    """The reader types the answer before seeing it (setting ``answer: type``); the page
    compares what was typed with the short answer, or with a cloze card's deletions."""
    link: str = ""
    """Where the card's source opens for editing (``obsidian://open?vault=...&file=...``),
    for outputs to link back to; empty when unknown or turned off."""
    was: tuple[str, ...] = field(default=(), metadata={"model_json": False})
    """Ids this card had before (``<!-- id: new; was: old -->``): its Anki note keeps its
    identity and reviews. Only the lock needs them; the JSON model leaves them out."""

    @property
    def anchor(self) -> str:
        """A permalink fragment that stays the same across builds."""
        return "card-" + self.id


@dataclass(frozen=True)
class Section:
    """A ``##`` heading and the cards under it; one Anki subdeck."""

    key: str
    """Stable: from the section's ``id`` setting, else from its title."""
    title: Fragment
    intro: Fragment
    """Text between the heading and the first card."""
    tags: tuple[str, ...]
    """The key, then the section's own tags."""
    cards: tuple[Card, ...]
    location: SourceLocation
    deck_path: tuple[str, ...] = ()
    """Anki subdecks above the section's own: a vault note's cards tagged
    ``#flashcards/a/b`` go to ``<deck>::a::b::<note>``."""

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
    """One deck: a Markdown file, or a folder of them with an ``index.md``."""

    key: str
    """The front matter's ``id``: names every output file and the Anki deck."""
    title: str
    description: str
    tags: tuple[str, ...]
    """The front matter's tags, which every card carries first."""
    paper: str
    """A name in ``cardpress.papers.PAPERS``."""
    intro: Fragment
    """Text before the first section, of every file in order."""
    sections: tuple[Section, ...]
    media: tuple[MediaFile, ...]
    """Every image the deck uses, sorted by name."""
    sources: tuple[str, ...]
    """Its Markdown files in reading order, relative to the content folder."""
    location: SourceLocation
    """The first line of its first file."""
    print_cards: CardSettings | None = None
    """Set when the deck asks for printed flashcards (``cards:`` in its front matter)."""
    print_quiz: QuizSettings | None = None
    """Set when the deck asks for a quiz sheet (``quiz:`` in its front matter)."""
    math: bool = False
    """``math: true`` in its front matter: its HTML holds formulas (``markup.formulas``)."""
    source_path: bool = False
    """``source_path: true``: the back of each Anki card names its file, not only its section."""

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
