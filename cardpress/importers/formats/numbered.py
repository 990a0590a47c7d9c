"""``numbered``: numbered questions, as ``N. ### Question`` list items or ``#### N. Question``
headings, with the answer below them.

The shape of long single-README interview lists. An item ends where the source's own
structure says: at the next item's marker, or at a heading of its own level or higher
outside code and outside a ``<details>`` block; every other heading names the sections
("Coding Exercise"), nested levels kept. A code fence still open where its item ends
(the next item's marker, or a heading, inside it) is closed there and the item reported
as repaired, instead of swallowing the items after it. Indentation varies inside one file
(0 to 8 spaces), so each answer's lists are placed by their structure (``indent``).
Trailer lines ("Back to Top" links, and any ``--trailer`` pattern) are dropped. A
``<details>`` block inside an answer becomes the card's details, unless its summary
is "Answer": then it holds the answer, and what comes before it joins the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from cardpress.errors import UsageError
from cardpress.importers import ImportOptions
from cardpress.importers.common import (
    file_drafts,
    file_title,
    heading_text,
    section_for,
)
from cardpress.importers.draft import DraftDeck, DraftFile, Skip
from cardpress.importers.formats.numbered_card import MERGED_QUESTION, card_from_item
from cardpress.importers.images import ImageCopier
from cardpress.importers.sections import SectionPath, heading
from cardpress.importers.source_files import SourceSet, image_root
from cardpress.markup.fences import FenceTracker
from cardpress.model import SourceLocation

TRAILERS = (r"^\s*\**\s*\[\s*(?:⬆\s*)?back to top\s*\]\([^)]*\)\s*\**\s*$",)
_LIST_ITEM_RE = re.compile(r"^( {0,8})(\d{1,9})[.)][ \t]+(#{1,6})[ \t]+(.*?)[ \t#]*$")
_HEADING_ITEM_RE = re.compile(
    r"^(#{1,6})[ \t]+(?:(\d{1,9})[.)]|Q[ \t]?(\d{0,9})[.:)]|Question[ \t]+(\d{1,9})[.:)]?)"
    r"[ \t]+(.+?)[ \t#]*$"
)
_DETAILS_OPEN_RE = re.compile(r"<details\b", re.I)
_DETAILS_CLOSE_RE = re.compile(r"</details\s*>", re.I)


@dataclass(frozen=True)
class Marker:
    """The line that starts an item."""

    kind: str
    """``list`` (``N. ### Q``) or ``heading`` (``#### N. Q``, ``## Q. Q``)."""
    level: int
    """The heading level of its question: headings up to it end the item."""
    number: int | None
    question: str


@dataclass
class Item:
    line: int
    marker: Marker
    body: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    details_depth: int = 0


def marker(line: str) -> Marker | None:
    """The item a line starts, if it starts one."""
    match = _LIST_ITEM_RE.match(line)
    if match:
        return Marker("list", len(match.group(3)), int(match.group(2)), match.group(4))
    match = _HEADING_ITEM_RE.match(line)
    if match:
        number = next((g for g in match.group(2, 3, 4) if g), None)
        return Marker("heading", len(match.group(1)), int(number) if number else None, match[5])
    return None


def read(sources: SourceSet, options: ImportOptions) -> DraftDeck:
    try:
        trailers = [re.compile(p, re.I) for p in (*TRAILERS, *options.trailers)]
    except re.error as exc:
        raise UsageError(f"--trailer is not a regular expression: {exc}") from None
    images = ImageCopier(image_root(sources.root))
    deck = DraftDeck(title="")
    for path, rel, text, slug, draft in file_drafts(sources, deck):
        _File(rel, path, slug, draft, deck, images, trailers).read(text)
    deck.missing_images = images.missing
    return deck


class _File:
    """One source file, read line by line into items under their section path."""

    def __init__(
        self,
        rel: str,
        path: Path,
        slug: str,
        draft: DraftFile,
        deck: DraftDeck,
        images: ImageCopier,
        trailers: list[re.Pattern[str]],
    ):
        self.rel, self.path, self.slug, self.draft = rel, path, slug, draft
        self.deck, self.images, self.trailers = deck, images, trailers
        self.keys: set[str] = set()

    def read(self, text: str) -> None:
        lines = text.split("\n")
        self.title = file_title(self.path, text)
        self.headings = SectionPath(self.title)
        item: Item | None = None
        fences = FenceTracker()
        for number, line in enumerate(lines):
            if fences.open:
                if item is None or not self._breaks_fence(item, fences, line):
                    fences.feed(number, line)
                    if item is not None:
                        item.body.append(line)
                    continue
                self._repair(item, fences)
            if fences.feed(number, line):
                if item is not None:
                    item.body.append(line)
                continue
            found = marker(line)
            title = None if found else heading(line)
            if found is not None:
                self._close(item, fences)
                item = Item(number, found)
            elif title is not None and (
                item is None or (title[0] <= item.marker.level and not item.details_depth)
            ):
                self._close(item, fences)
                item = None
                self.headings.push(title[0], heading_text(title[1]), number + 1)
            elif item is not None:
                item.details_depth = max(
                    0,
                    item.details_depth
                    + len(_DETAILS_OPEN_RE.findall(line))
                    - len(_DETAILS_CLOSE_RE.findall(line)),
                )
                item.body.append(line)
        self._close(item, fences)

    def _breaks_fence(self, item: Item, fences: FenceTracker, line: str) -> bool:
        """Whether a line inside an open fence shows that the fence was never closed:
        the next item's marker, or a section heading at column 0 under an indented fence."""
        fence = fences.fence
        if fence is None or fence.open < item.line:
            return False
        found = marker(line)
        if found is not None:
            mine = item.marker
            return (
                found.kind == mine.kind
                and found.level == mine.level
                and (found.number is None or mine.number is None or found.number == mine.number + 1)
            )
        title = heading(line) if line.startswith("##") else None  # Markdown, at column 0
        return title is not None and fence.indent > 0 and title[0] <= item.marker.level

    def _repair(self, item: Item, fences: FenceTracker) -> None:
        fence = fences.cut()
        if fence is None:
            return
        while item.body and not item.body[-1].strip():
            item.body.pop()
        item.body.append(" " * fence.indent + fence.marker)
        item.repairs.append(
            f"the code fence on line {fence.open + 1} is never closed: closed where the item ends"
        )

    def _close(self, item: Item | None, fences: FenceTracker) -> None:
        if item is None:
            return
        if fences.open:
            self._repair(item, fences)
        where = SourceLocation(self.rel, item.line + 1)
        card = card_from_item(
            item.marker.question, item.body, where, self.path.parent, self.images, self.trailers
        )
        if isinstance(card, Skip):
            self.deck.skipped.append(card)
            self.deck.empty_answers += card.reason == "empty answer"
            return
        for repair in item.repairs:
            self.deck.repaired.append(Skip(where, repair))
        inner = sum(1 for line in item.body if marker(line) is not None)
        asked = len(re.sub(r"`[^`]*`", "", card.question))  # code asked about is no merge
        if asked > MERGED_QUESTION:
            self.deck.suspects.append(
                Skip(where, f"a question heading of {asked} characters: items merged?")
            )
        elif inner:
            self.deck.suspects.append(
                Skip(where, f"the answer holds {inner} other item marker(s) inside code")
            )
        section_for(self.draft, self.rel, self.headings, self.slug, self.keys).cards.append(card)
