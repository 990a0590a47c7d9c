"""Drafts to cardpress Markdown, block by block, and the same blocks read back from a file.

A deck file is a sequence of blocks, each with a key: a section heading with its
settings (``section:<id>``) and a card (its id). The import records a fingerprint of
each block it wrote, so on the next run it can tell a block edited by hand from one it
may replace. Reading blocks back needs no Markdown parser: the files are the import's
own, headings and settings sit where it wrote them, and fences are skipped.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import yaml

from cardpress.importers.draft import DraftCard, DraftSection
from cardpress.markup.fences import FenceTracker
from cardpress.model import reserved_tag

GUID_SAFE = "".join(
    chr(c) for c in range(0x21, 0x7F) if chr(c) not in "%;>\\"
)  # a guid setting writes these as %XX (docs/format.md)

_HEADING_RE = re.compile(r"^(#{2,3})[ \t]+\S")
_ID_RE = re.compile(r"<!--.*?\bid:\s*([a-z0-9][a-z0-9._-]*)")
_TAG_BAD_RE = re.compile(r"[\s;\"<>,]+")


def ascii_slug(text: str, limit: int = 48) -> str:
    """Lowercase ASCII words joined by '-', at most ``limit`` characters, or ''."""
    text = re.sub(r"<[^<>]*>", " ", text)
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    plain = re.sub(r"[`*_~\\\[\]()<>!]|\]\([^)]*\)", " ", plain.lower())
    out = ""
    for word in re.sub(r"[^a-z0-9]+", " ", plain).split():
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def clean_tag(tag: str) -> str:
    """The tag as content may write it; "" for a tag content may not carry (cardpress's
    own, which the build puts back itself)."""
    cleaned = _TAG_BAD_RE.sub("_", tag.strip()).strip("_")
    return "" if reserved_tag(cleaned) else cleaned


def front_matter(fields: dict[str, str]) -> str:
    body = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1 << 16)
    return f"---\n{body}---\n"


def section_block(section: DraftSection) -> str:
    settings = [f"id: {section.key}"]
    tags = [t for t in (clean_tag(tag) for tag in section.tags) if t]
    if tags:
        settings.append("tags: " + " ".join(dict.fromkeys(tags)))
    return f"## {section.title}\n<!-- {'; '.join(settings)} -->\n"


def card_block(card: DraftCard, card_id: str) -> str:
    settings = [f"id: {card_id}"]
    if card.kind != "basic":
        settings.append(f"kind: {card.kind}")
    tags = [t for t in (clean_tag(tag) for tag in card.tags) if t]
    if tags:
        settings.append("tags: " + " ".join(dict.fromkeys(tags)))
    if card.guid:
        settings.append("guid: " + encode_guid(card.guid))
    text = f"### {card.question}\n<!-- {'; '.join(settings)} -->\n\n{card.answer.strip()}\n"
    if card.details.strip():
        text += f"\n***\n\n{card.details.strip()}\n"
    elif card.split:
        text += "\n***\n"
    return text


def encode_guid(guid: str) -> str:
    return "".join(c if c in GUID_SAFE else "".join(f"%{b:02X}" for b in c.encode()) for c in guid)


@dataclass
class Block:
    """One block read back from a deck file."""

    key: str
    """A card id, ``section:<id>``, or ``head`` for text before the first section."""
    text: str
    line: int
    """Line of the block's first line in its file (1-based)."""
    section: str
    """The key of the section block it sits in ('' before the first section)."""


def read_blocks(text: str) -> list[Block]:
    """The blocks of a deck file, in order; a heading without an id is keyed by its line."""
    lines = text.split("\n")
    starts: list[tuple[int, str]] = [(0, "head")]
    fences = FenceTracker()
    for number, line in enumerate(lines):
        if fences.feed(number, line):
            continue
        heading = _HEADING_RE.match(line)
        if heading:
            after = lines[number + 1] if number + 1 < len(lines) else ""
            found = _ID_RE.match(after.strip())
            name = found.group(1) if found else f"line:{number + 1}"
            key = f"section:{name}" if heading.group(1) == "##" else name
            starts.append((number, key))
    blocks: list[Block] = []
    section = ""
    for index, (start, key) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        body = "\n".join(lines[start:end]).strip("\n")
        if key.startswith("section:"):
            section = key
        if body or key != "head":
            blocks.append(Block(key, body + "\n" if body else "", start + 1, section))
    return blocks
