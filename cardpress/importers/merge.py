"""Merging a fresh import with the deck folder an earlier import wrote, block by block.

Every block the import writes (the front matter, a section heading, a card, an image)
has a key and a fingerprint of what was written, kept in ``cardpress-import.json``
beside the lock together with a fingerprint of each card's source text. On the next
run a block on disk that still matches its fingerprint may be replaced by the new
version; one that does not was edited by hand and is kept, and if the source changed
too that is a conflict. Blocks the import never wrote (cards added by hand) stay where
they are. A card deleted by hand stays deleted until its source changes; deleting the
state file makes the next run treat every block as new (hand edits are still kept).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardpress import json_text
from cardpress.errors import CardpressError
from cardpress.importers.card_ids import assign_ids
from cardpress.importers.draft import DraftCard, DraftDeck, DraftImage
from cardpress.importers.source_files import byte_position
from cardpress.importers.writer import (
    Block,
    card_block,
    fingerprint,
    read_blocks,
    section_block,
)

STATE_NAME = "cardpress-import.json"
STATE_VERSION = 1


@dataclass
class Recorded:
    """What the state file says about one block."""

    file: str
    written: str
    source: str = ""
    question: str = ""
    answer: str = ""


@dataclass
class Outcome:
    """What the merge did, for the report."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    kept_edits: int = 0
    images_copied: int = 0
    state_damaged: str = ""  # why the state file was ignored


@dataclass
class Planned:
    """The deck folder the import wants, before anything is written."""

    files: dict[str, bytes]
    """Every Markdown file and image the deck folder should hold, by relative path."""
    deletes: list[str]
    state: bytes
    outcome: Outcome
    cards: int
    sections: int
    drafts: dict[str, DraftCard] = field(default_factory=dict)
    """The cards of this import by the id they got."""


def read_state(deck_dir: Path) -> tuple[dict[str, Recorded], str]:
    """The blocks the last import wrote, and why the state file could not be read (then
    every block counts as new, which keeps hand edits: the report warns)."""
    path = deck_dir / STATE_NAME
    if not path.is_file():
        return {}, ""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("cardpress_import") != STATE_VERSION:
            return {}, "not a state of this version"
        blocks = {str(k): Recorded(**v) for k, v in data["blocks"].items()}
        if any(not isinstance(v, str) for r in blocks.values() for v in vars(r).values()):
            return {}, "an entry has the wrong type"
        return blocks, ""
    except RecursionError:
        return {}, "nested too deeply"
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        return {}, getattr(exc, "strerror", None) or "not a state cardpress wrote"


def serialise_state(fmt: str, blocks: dict[str, Recorded]) -> bytes:
    data: dict[str, Any] = {
        "cardpress_import": STATE_VERSION,
        "format": fmt,
        "blocks": {
            key: {k: v for k, v in vars(r).items() if v} for key, r in sorted(blocks.items())
        },
    }
    return (json_text.dumps(data, indent=1, ensure_ascii=False) + "\n").encode()


def plan(
    deck_dir: Path,
    deck: DraftDeck,
    index_text: str,
    fmt: str,
    shown_dir: str,
) -> Planned:
    previous, damaged = read_state(deck_dir)
    merge = _Merge(deck_dir, previous, shown_dir)
    merge.outcome.state_damaged = damaged
    ids = assign_ids(deck, previous)
    merge.files["index.md"] = merge.resolve("index", "index.md", index_text, "").encode()
    names = [f.name for f in deck.files]
    for name in sorted({r.file for r in previous.values() if r.file.endswith(".md")}):
        if name not in names and name != "index.md":
            names.append(name)
    by_name = {f.name: f for f in deck.files}
    id_iter = iter(ids)
    drafts: dict[str, DraftCard] = {}
    card_count = section_count = 0
    resolved: dict[str, list[tuple[str, list[str]]]] = {}  # file -> (section, blocks)
    for name in names:  # first every block of the new import, wherever it was before
        merge.existing_blocks(name)
        draft_file = by_name.get(name)
        for section in draft_file.sections if draft_file else []:
            section_key = "section:" + section.key
            section_count += 1
            texts = [merge.resolve(section_key, name, section_block(section), section.title)]
            for card in section.cards:
                card_id = next(id_iter)
                drafts[card_id] = card
                card_count += 1
                texts.append(
                    merge.resolve(card_id, name, card_block(card, card_id), card.source_text)
                )
                merge.note_card(card_id, card)
                for image in card.images:
                    merge.image(image, card_id)
            resolved.setdefault(name, []).append((section_key, texts))
    for name in names:  # then what is left on disk: cards added by hand, removed ones
        existing = merge.existing_blocks(name)
        out: list[str] = [b.text for b in existing if b.key == "head"]
        placed: set[str] = set()
        for section_key, texts in resolved.get(name, []):
            out.extend(texts)
            placed.add(section_key)
            out.extend(merge.leftovers(existing, section_key))
        for section_key in dict.fromkeys(b.section for b in existing):
            if section_key not in placed:
                out.extend(merge.leftovers(existing, section_key))
        text = "\n".join(t for t in out if t)
        if text:
            merge.files[name] = text.encode()
        elif (deck_dir / name).exists():
            merge.deletes.append(name)
    merge.finish_removed()
    return Planned(
        files=merge.files,
        deletes=merge.deletes,
        state=serialise_state(fmt, merge.recorded),
        outcome=merge.outcome,
        cards=card_count,
        sections=section_count,
        drafts=drafts,
    )


def _is_card(key: str) -> bool:
    return key != "index" and not key.startswith(("section:", "image:"))


class _Merge:
    """The rules of docs/import.md ("Running it again"), one block at a time."""

    def __init__(self, deck_dir: Path, previous: dict[str, Recorded], shown_dir: str):
        self.deck_dir = deck_dir
        self.previous = previous
        self.shown_dir = shown_dir
        self.recorded: dict[str, Recorded] = {}
        self.files: dict[str, bytes] = {}
        self.deletes: list[str] = []
        self.outcome = Outcome()
        self._blocks: dict[str, tuple[str, Block]] = {}
        self._read: dict[str, list[Block]] = {}
        self._seen: set[str] = set()

    def existing_blocks(self, name: str) -> list[Block]:
        """The blocks of one deck file on disk (read once), also indexed by key."""
        if name in self._read:
            return self._read[name]
        text = self._text(name)
        blocks = read_blocks(text) if text is not None else []
        self._read[name] = blocks
        for block in blocks:
            self._blocks.setdefault(block.key, (name, block))
        return blocks

    def _text(self, name: str) -> str | None:
        """A file of the deck folder, strictly UTF-8: a hand edit is never replaced."""
        path = self.deck_dir / name
        if not path.is_file():
            return None
        data = path.read_bytes()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, col = byte_position(data, exc.start)
            raise CardpressError(
                f"{self.shown_dir}/{name}:{line}:{col}: not UTF-8 (byte 0x{data[exc.start]:02x}): "
                "save it as UTF-8, then import again"
            ) from None

    def _current(self, key: str, name: str) -> tuple[str, Block] | None:
        self.existing_blocks(name)
        return self._blocks.get(key)

    def resolve(self, key: str, name: str, new: str, source: str) -> str:
        """The text this block gets: the new one, or the one on disk if edited by hand."""
        self._seen.add(key)
        prev = self.previous.get(key)
        if key == "index":
            text = self._text("index.md")
            current = ("index.md", Block("index", text, 1, "")) if text is not None else None
        else:
            current = self._current(key, prev.file if prev else name)
        new_fp, source_fp = fingerprint(new), fingerprint(source) if source else ""
        keep_prev = Recorded(name, prev.written, prev.source) if prev else None
        if current is None:  # new, or deleted by hand: back only if the source changed
            if prev is None or key == "index" or new_fp != prev.written:
                self.outcome.added += _is_card(key)
                self.recorded[key] = Recorded(name, new_fp, source_fp)
                return new
            self.recorded[key] = Recorded(name, prev.written, prev.source)
            self.outcome.kept_edits += _is_card(key)
            return ""
        text = current[1].text
        current_fp = fingerprint(text)
        if current_fp == new_fp or (prev is not None and current_fp == prev.written):
            changed = current_fp != new_fp
            self.outcome.updated += changed and _is_card(key)
            self.outcome.unchanged += not changed and _is_card(key)
            self.recorded[key] = Recorded(name, new_fp, source_fp)
            return new
        if prev is None:
            self._conflict(key, current, "was written by hand before this import")
        elif new_fp != prev.written:
            self._conflict(key, current, "was edited by hand and changed in the source")
        else:
            self.outcome.kept_edits += _is_card(key)
        self.recorded[key] = keep_prev or Recorded(name, new_fp, source_fp)
        return text

    def note_card(self, card_id: str, card: DraftCard) -> None:
        entry = self.recorded[card_id]
        entry.question, entry.answer = fingerprint(card.question), fingerprint(card.answer)

    def image(self, image: DraftImage, card_id: str) -> None:
        key = "image:" + image.name
        if key in self._seen:
            return
        self._seen.add(key)
        data = image.data
        new_fp = hashlib.sha256(data).hexdigest()[:16]
        prev = self.previous.get(key)
        path = self.deck_dir / image.name
        current = hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else None
        if current is None or current == new_fp or (prev and current == prev.written):
            self.recorded[key] = Recorded(image.name, new_fp)
            self.files[image.name] = data
            self.outcome.images_copied += current != new_fp
            return
        self.recorded[key] = prev or Recorded(image.name, new_fp)
        if prev is None or new_fp != prev.written:
            self.outcome.conflicts.append(
                f"{self.shown_dir}/{image.name}: image was changed by hand and in the source "
                f"(card '{card_id}'); kept yours"
            )

    def leftovers(self, existing: list[Block], section_key: str) -> list[str]:
        """Blocks of one section on disk that the new import does not place: cards added
        by hand, and cards removed from the source but edited by hand."""
        out = []
        for block in existing:
            if block.section != section_key or block.key in self._seen or block.key == "head":
                continue
            self._seen.add(block.key)
            prev = self.previous.get(block.key)
            if prev is None:
                out.append(block.text)  # written by hand: not ours to touch
            elif fingerprint(block.text) == prev.written:
                if not block.key.startswith("section:"):
                    self.outcome.removed.append(self._where(block, prev.file))
            else:
                self.recorded[block.key] = prev
                self._conflict(
                    block.key,
                    (prev.file, block),
                    "was removed from the source; kept because it was edited by hand",
                )
                out.append(block.text)
        return out

    def finish_removed(self) -> None:
        """Recorded cards and images that are gone from the source and from the files."""
        for key, prev in sorted(self.previous.items()):
            if key in self._seen or key in self.recorded:
                continue
            if key.startswith("image:"):
                path = self.deck_dir / prev.file
                if path.is_file():
                    data = path.read_bytes()
                    if hashlib.sha256(data).hexdigest()[:16] == prev.written:
                        self.deletes.append(prev.file)
                    else:
                        self.recorded[key] = prev
                continue
            if not key.startswith("section:") and key != "index":
                self.outcome.removed.append(f"card '{key}'")

    def _where(self, block: Block, name: str) -> str:
        kind = "section" if block.key.startswith("section:") else "card"
        key = block.key.removeprefix("section:")
        return f"{self.shown_dir}/{name}:{block.line}: {kind} '{key}'"

    def _conflict(self, key: str, current: tuple[str, Block] | None, why: str) -> None:
        kind = "section" if key.startswith("section:") else "deck" if key == "index" else "card"
        name = key.removeprefix("section:")
        if current is None:
            where = f"{self.shown_dir}: {kind} '{name}'"
        elif key == "index":
            where = f"{self.shown_dir}/index.md: the front matter"
        else:
            where = f"{self.shown_dir}/{current[0]}:{current[1].line}: {kind} '{name}'"
        self.outcome.conflicts.append(f"{where} {why}; kept yours")
