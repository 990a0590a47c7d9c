"""What a dialect hands to the rules: one file's sections and cards, still as tokens.

Drafts are mutable and short-lived; the rules turn them into the frozen model. A
``ParsedFile`` is what one file added to its deck, the unit the parse cache keeps.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from markdown_it.token import Token

from cardpress.content.files import SourceFile
from cardpress.content.scan import ContentScan
from cardpress.model import Fragment, MediaFile, Section, SourceLocation

Settings = dict[str, tuple[str, SourceLocation]]
"""Setting name (lowercase) -> its value and where the setting was written."""

Block = list[Token]
"""One top-level block, never empty: a paragraph, a whole list, a fence, ..."""


@dataclass
class CardDraft:
    """A card as written: its heading, settings and body blocks."""

    heading: Token
    """The heading's opening token; its map gives the card's line."""
    inline: Token
    """The question's inline token."""
    source: SourceFile
    settings: Settings = field(default_factory=dict)
    body: list[Block] = field(default_factory=list)
    """Everything up to the next card or section, in order."""
    question_blocks: list[Block] | None = None
    """A question of more than one line of text (a list, a code block): its blocks, read
    instead of ``inline``, which then only gives the line."""
    link: str = ""
    """Where the card's source opens for editing (``obsidian://open?...``), when known."""


@dataclass
class SectionDraft:
    """A section as written: its heading, settings, introduction and cards."""

    heading_line: int
    source: SourceFile
    inline: Token
    """The title's inline token."""
    settings: Settings = field(default_factory=dict)
    intro: list[Block] = field(default_factory=list)
    """Blocks between the section heading and its first card."""
    cards: list[CardDraft] = field(default_factory=list)
    deck_path: tuple[str, ...] = ()
    """Levels of Anki subdecks above the section's own (a vault's ``#flashcards/a/b``)."""


@dataclass
class FileDraft:
    """One file read by a dialect: what comes before the first section, then sections."""

    source: SourceFile
    intro: list[Block] = field(default_factory=list)
    sections: list[SectionDraft] = field(default_factory=list)


@dataclass(frozen=True)
class ParsedFile:
    """What one file added to its deck: reused from the cache while its bytes stay the same."""

    sections: tuple[Section, ...]
    intro: Fragment
    card_ids: tuple[tuple[str, SourceLocation], ...]
    """Explicit card ids the file claimed, with where."""
    section_keys: tuple[tuple[str, SourceLocation], ...]
    media: tuple[MediaFile, ...]
    """The images it uses, each checked when the file was parsed."""
    card_count: int


def top_level_blocks(tokens: Sequence[Token]) -> Iterator[Block]:
    """Group tokens into top-level blocks (a heading, a paragraph, a whole list, ...)."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.nesting == 1:
            depth, j = 0, i
            while j < len(tokens):
                depth += tokens[j].nesting
                if depth == 0:
                    break
                j += 1
            yield list(tokens[i : j + 1])
            i = j + 1
        else:
            yield [token]
            i += 1


def last_line(blocks: list[Block]) -> int | None:
    """The last line (1-based) the blocks cover, if any carries a line map."""
    lines = [t.map[1] for block in blocks for t in block if t.map]
    return max(lines) if lines else None


class FileCache(Protocol):
    """Where parsed files are kept between builds (``cardpress.parse.cache``)."""

    def key(self, source: SourceFile) -> str: ...

    def get(self, key: str, scan: ContentScan) -> ParsedFile | None:
        """The entry, if its images still hash as it recorded them."""

    def put(self, key: str, parsed: ParsedFile) -> None: ...

    def prefetch(self, sources: Sequence[SourceFile]) -> None:
        """A deck's files about to be parsed in this order, front matter already split:
        the cache may start parsing some of them elsewhere (``cardpress.parse.parallel``)."""
