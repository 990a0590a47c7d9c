"""Splitting an imported deck file that would pass the size limit of a Markdown file.

A big Anki deck (thousands of notes) does not fit the 1 MiB a content file may hold, so
its file becomes parts of at most ``TARGET_BYTES`` (half the limit: room for hand
edits): ``deck.md``, ``deck_02.md``, ... (in that order by name, as the build reads
them; the first keeps its name when a deck grows past one file). Where a part ends
depends on the notes themselves, not on their positions: after a note whose GUID hashes
to a boundary (about one in ``BOUNDARY_EVERY``, never before ``MIN_PART`` notes), or
where the part is full. So the same package gives the same files, and a note added or
edited moves no other note but those of its own part (and, when that part fills, of the
parts up to the next boundary). A section split over parts continues as "Title (2)";
its cards keep the ids they would have had unsplit.
"""

from __future__ import annotations

import hashlib

from cardpress.content.files import MAX_FILE_BYTES
from cardpress.importers.common import unique
from cardpress.importers.draft import DraftCard, DraftFile, DraftSection
from cardpress.importers.writer import card_block, section_block

TARGET_BYTES = MAX_FILE_BYTES // 2
BOUNDARY_EVERY = 1000
MIN_PART = 100
_ID_ROOM = "x" * 100  # the longest card id a block may get


def split_large(files: list[DraftFile]) -> list[DraftFile]:
    """``files`` with each one over ``TARGET_BYTES`` replaced by its parts."""
    keys = {s.key for f in files for s in f.sections}
    names = {f.name.removesuffix(".md") for f in files}
    out: list[DraftFile] = []
    for file in files:
        size = sum(_bytes(section_block(s)) + sum(map(_card_bytes, s.cards)) for s in file.sections)
        out.extend(_parts(file, keys, names) if size > TARGET_BYTES else [file])
    return out


def _bytes(text: str) -> int:
    return len(text.encode()) + 1  # and the blank line between blocks


def _card_bytes(card: DraftCard) -> int:
    return _bytes(card_block(card, _ID_ROOM))


def _is_boundary(card: DraftCard) -> bool:
    identity = card.guid or card.source_text
    digest = hashlib.sha256(identity.encode()).digest()
    return int.from_bytes(digest[:4], "big") % BOUNDARY_EVERY == 0


def _parts(file: DraftFile, keys: set[str], names: set[str]) -> list[DraftFile]:
    chunks: list[list[tuple[DraftSection, DraftCard]]] = [[]]
    size = 0
    for section in file.sections:
        for card in section.cards:
            cost = _card_bytes(card) + _bytes(section_block(section))  # may open a part
            if chunks[-1] and size + cost > TARGET_BYTES:
                chunks.append([])
                size = 0
            chunks[-1].append((section, card))
            size += cost
            if len(chunks[-1]) >= MIN_PART and _is_boundary(card):
                chunks.append([])
                size = 0
    if not chunks[-1]:
        chunks.pop()
    stem = file.name.removesuffix(".md")
    width = max(2, len(str(len(chunks))))
    seen: dict[str, int] = {}  # section key -> parts of it so far
    parts: list[DraftFile] = []
    for number, chunk in enumerate(chunks, 1):
        name = stem if number == 1 else unique(f"{stem}_{number:0{width}}", names)
        part = DraftFile(name=name + ".md")
        for section, card in chunk:
            if not part.sections or part.sections[-1].id_prefix != section.key:
                seen[section.key] = seen.get(section.key, 0) + 1
                again = seen[section.key]
                part.sections.append(
                    DraftSection(
                        title=section.title if again == 1 else f"{section.title} ({again})",
                        key=section.key if again == 1 else unique(f"{section.key}-{again}", keys),
                        location=section.location,
                        tags=section.tags,
                        id_prefix=section.key,
                    )
                )
            part.sections[-1].cards.append(card)
        parts.append(part)
    return parts
