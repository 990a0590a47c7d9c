"""Reading a content folder into the model: the table of input dialects, and the way in.

A **dialect** turns one file's Markdown tokens into drafts (sections and cards with their
source locations); **rules** (``cardpress.parse.rules``) turn drafts into model objects
and report problems; ``cardpress.parse.loader`` reads a whole content folder in five
named steps. See docs/architecture.md.

This module itself imports nothing heavy: the loader is imported only when asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it.token import Token

    from cardpress.content.files import SourceFile
    from cardpress.errors import Reporter
    from cardpress.parse.drafts import FileDraft
    from cardpress.parse.loader import (
        MAX_CARDS_PER_DECK,
        MAX_DECK_BYTES,
        MAX_FILE_BYTES,
        MAX_IMAGE_BYTES,
        MAX_MEDIA_BYTES,
        ContentState,
        load_content,
        read_content,
    )

DialectReader = Callable[["SourceFile", "list[Token]", "Reporter"], "FileDraft"]


@dataclass(frozen=True)
class Dialect:
    """One way of writing cards in Markdown; its module has ``read(source, tokens, report)``."""

    name: str
    suffix: str
    """Files whose name ends so are read in this dialect. It ends in ``.md``: every
    content file is Markdown to discovery, freshness and the author's editor."""
    module: str
    summary: str
    whole_files: bool = True
    """Every line of a file is content, checked as such (fences, indents). A dialect that
    reads cards out of notes (Obsidian's) checks only what its cards hold."""

    def reader(self) -> DialectReader:
        read: DialectReader = importlib.import_module(self.module).read
        return read

    def holds_cards(self, source: SourceFile) -> bool:
        """Whether the file may hold cards: a dialect's module may say no at a glance (its
        ``holds_cards``), so that a note without cards is neither parsed nor checked."""
        module = importlib.import_module(self.module)
        check: Callable[[SourceFile], bool] | None = getattr(module, "holds_cards", None)
        return check is None or check(source)


DIALECTS: dict[str, Dialect] = {
    dialect.name: dialect
    for dialect in (
        Dialect(
            "headings",
            ".md",
            "cardpress.parse.dialects.headings",
            "'## Section' and '### Question' headings, settings in '<!-- key: value -->'",
        ),
        Dialect(
            "obsidian",
            ".obsidian.md",
            "cardpress.parse.dialects.obsidian",
            "notes of an Obsidian vault, cards in the Spaced Repetition plugin's syntax "
            "('q::a', 'q:::a', '?' and '??' lines, '==cloze=='), decks from '#flashcards' tags",
            whole_files=False,
        ),
    )
}


def dialect_for(name: str) -> Dialect:
    """The dialect a file is written in: the row with the longest suffix its name ends
    with (``cats.qa.md`` before ``.md``), else the first row."""
    matching = [d for d in DIALECTS.values() if name.endswith(d.suffix)]
    return max(matching, key=lambda d: len(d.suffix), default=next(iter(DIALECTS.values())))


_LOADER_NAMES = {
    "MAX_CARDS_PER_DECK",
    "MAX_DECK_BYTES",
    "MAX_FILE_BYTES",
    "MAX_IMAGE_BYTES",
    "MAX_MEDIA_BYTES",
    "ContentState",
    "load_content",
    "read_content",
}


def __getattr__(name: str) -> Any:
    """``from cardpress.parse import read_content`` imports the loader only then."""
    if name in _LOADER_NAMES:
        return getattr(importlib.import_module("cardpress.parse.loader"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DIALECTS",
    "MAX_CARDS_PER_DECK",
    "MAX_DECK_BYTES",
    "MAX_FILE_BYTES",
    "MAX_IMAGE_BYTES",
    "MAX_MEDIA_BYTES",
    "ContentState",
    "Dialect",
    "dialect_for",
    "load_content",
    "read_content",
]
