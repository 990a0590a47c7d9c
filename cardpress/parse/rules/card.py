"""The card under construction that every card rule reads and fills in turn."""

from __future__ import annotations

from dataclasses import dataclass, field

from cardpress.content.files import SourceFile
from cardpress.model import EMPTY, Callout, CardKind, Fragment, SourceLocation
from cardpress.parse.drafts import Block, CardDraft, last_line


@dataclass
class CardWork:
    """One card's draft and what the rules have made of it so far."""

    draft: CardDraft
    section_tags: tuple[str, ...]
    """The section's key and tags, which every card of it carries first."""
    line: int = 0
    """The heading's line: where the card's own diagnostics point."""
    end_line: int = 0
    """The card's last line, for finding what is written in it."""
    kind: CardKind = CardKind.BASIC
    id: str = ""
    tags: list[str] = field(default_factory=list)
    guid: str | None = None
    """The Anki note GUID a deck brought in by ``cardpress import`` keeps."""
    type_in: bool = False
    """Setting ``answer: type``: the reader types the answer before seeing it."""
    was: list[str] = field(default_factory=list)
    """Ids the card had before (``was:``): its Anki note keeps its identity."""
    question: Fragment = EMPTY
    callouts: list[Callout] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    """The body without its callouts: answer, then details."""
    answer: Fragment = EMPTY
    details: Fragment = EMPTY
    cloze: Fragment = EMPTY
    ok: bool = True
    """False once a rule found an error: the card is checked to the end, then dropped."""
    stopped: bool = False
    """True when a rule decided no further rule should look at the card."""

    def __post_init__(self) -> None:
        heading = self.draft.heading
        self.line = heading.map[0] + 1 if heading.map else 1
        self.end_line = last_line(self.draft.body) or self.line

    @property
    def source(self) -> SourceFile:
        return self.draft.source

    @property
    def location(self) -> SourceLocation:
        return self.source.location(self.line, 1)
