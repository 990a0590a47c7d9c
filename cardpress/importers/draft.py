"""What an importer reads out of its sources: a deck in small drafts, before any Markdown.

Importers fill these dataclasses; ``writer`` turns them into cardpress Markdown and
``sync`` merges that with what an earlier import wrote. Nothing here knows a source format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cardpress.model import SourceLocation


@dataclass
class DraftImage:
    """An image a card uses, found in the source and to be copied into the deck."""

    source: Path
    """The image file in the source (may not exist: then it is reported missing)."""
    name: str
    """Its path inside the deck folder, relative to the deck (``images/...``)."""
    data: bytes
    """Its bytes, read (and checked) once when the source was read."""


@dataclass
class DraftCard:
    """One question with its answer, in cardpress Markdown."""

    question: str
    """Inline Markdown on one line: the ``###`` heading."""
    answer: str
    """Markdown blocks: the short answer (or the cloze text of a cloze card)."""
    location: SourceLocation
    """Where the question starts in the source, relative to the source root."""
    source_text: str
    """The source's own text of this item, fingerprinted to notice upstream changes."""
    details: str = ""
    """Markdown blocks shown after the short answer."""
    kind: str = "basic"
    """``basic``, ``reversed`` or ``cloze``."""
    tags: tuple[str, ...] = ()
    """The card's own tags (the section's id is added by the build)."""
    guid: str = ""
    """The Anki note GUID to keep, for cards that came from Anki."""
    card_id: str = ""
    """A stable id the source itself gives; otherwise one is made from the section and question."""
    images: list[DraftImage] = field(default_factory=list)
    """Images the answer refers to."""
    split: bool = False
    """Write the thematic break after the answer even without details (an answer of
    several blocks that must stay whole)."""


@dataclass
class DraftSection:
    """A ``##`` section: a heading of the source, or a deck of an Anki collection."""

    title: str
    key: str
    """The section id: qualified by its file, so equal headings in two files differ."""
    location: SourceLocation
    cards: list[DraftCard] = field(default_factory=list)
    tags: tuple[str, ...] = ()
    id_prefix: str = ""
    """What its cards' ids start with, when not ``key``: the part of a split section."""


@dataclass
class DraftFile:
    """One Markdown file of the deck folder."""

    name: str
    """File name inside the deck folder, ``*.md`` (never ``index.md``)."""
    sections: list[DraftSection] = field(default_factory=list)


@dataclass(frozen=True)
class Skip:
    """Something in the source that did not become a card, and why."""

    location: SourceLocation
    reason: str
    count: int = 1
    """How many questions this line stands for (an unmapped note type's notes)."""


@dataclass
class DraftDeck:
    """Everything an importer found."""

    title: str
    files: list[DraftFile] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    missing_images: list[Skip] = field(default_factory=list)
    repaired: list[Skip] = field(default_factory=list)
    """Questions imported after a repair (a code fence closed where its item ends)."""
    suspects: list[Skip] = field(default_factory=list)
    """Questions imported that may hold others (a huge heading, other items' markers)."""
    sources_read: int = 0
    """How many source files were read."""
    empty_answers: int = 0
    """Questions skipped because their answer is empty (also listed in ``skipped``)."""
    notes: list[str] = field(default_factory=list)
    """Lines for the report that are neither skips nor counts."""

    def cards(self) -> list[DraftCard]:
        return [card for f in self.files for s in f.sections for card in s.cards]

    def found(self) -> int:
        """Questions found in the sources: imported or skipped."""
        return len(self.cards()) + sum(skip.count for skip in self.skipped)

    def sources_with_cards(self) -> int:
        """Source files that gave at least one card."""
        return len({card.location.path for card in self.cards()})
