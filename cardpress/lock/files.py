"""The lock on disk: a small index, one line a card, and parts holding what the last
Anki package held, one part a section.

Version 3 of the lock file. The index (``cardpress.lock``) holds what a build needs for
every card: its id, the hashes that let the id follow it, its kind and place, and its
note's stamp; each line is one card, sorted by id, so a review sees exactly the cards
whose id or text changed. What the last package held of each note (its deck, tags and
fields: what a removed card's tombstone repeats) is in the parts, beside the index in
``cardpress.lock.d/``: one JSON file for the cards of each section, one line a note. An
edit rewrites the index and the parts of the sections whose notes changed; the other
parts keep their bytes.

Versions 1 and 2 were one file holding everything; they are read as they are (see
``decode_index``) and written back as version 3 by the next build.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from cardpress import json_text

LOCK_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
PART_SUFFIX = ".json"
NOTE_STAMP = "anki:note:"
"""A note's stamp: this, then the card id; the index keeps it on its card's line."""
UNPLACED = "unplaced"
"""The part of cards recorded before places were (a version 1 lock)."""
_PART_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


def parts_folder(lock_path: Path) -> Path:
    """Where the parts of the lock file at ``lock_path`` live: beside it."""
    return lock_path.with_name(lock_path.name + ".d")


def part_path(lock_path: Path, name: str) -> Path:
    return parts_folder(lock_path) / f"{name}{PART_SUFFIX}"


def part_name(section: str | None) -> str:
    """The part of a section's cards: its key where that is a safe file name on every
    system (lower case ASCII), else a hash of it; sections that meet in one name share
    the part."""
    if section is None:
        return UNPLACED
    if _PART_NAME_RE.match(section) and section != UNPLACED:
        return section
    return "section-" + hashlib.sha256(section.encode()).hexdigest()[:16]


def valid_part_name(name: str) -> bool:
    return bool(_PART_NAME_RE.match(name))


@dataclass(frozen=True)
class LockFiles:
    """A lock as the bytes of its files: the index, and each part by name."""

    index: bytes
    parts: dict[str, bytes]


_encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), check_circular=False).encode


def _line(value: Any) -> str:
    """``value`` as JSON on one line (one encoder for every line: ``json.dumps`` makes
    one a call, most of the time of a 10,000-card index)."""
    return encode_basestring(value) if type(value) is str else _encode(value)


def encode_index(
    deck: str,
    content: tuple[str, int] | None,
    parts: Mapping[str, int],
    stamps: Mapping[str, tuple[str, int]],
    cards: Mapping[str, dict[str, Any]],
) -> bytes:
    """The index: the deck's stamps one a line, then each card on a line of its own
    (``cards``: each card's entry, its note's stamp included), in sorted order."""
    head: dict[str, Any] = {
        "cardpress_lock": LOCK_VERSION,
        "deck": deck,
        "content": {"fingerprint": content[0], "modified": content[1]} if content else None,
    }
    lines = [json_text.dumps(head, indent=1, ensure_ascii=False)[:-2] + ","]
    lines.append(_block("parts", ((name, parts[name]) for name in sorted(parts))) + ",")
    lines.append(
        _block("stamps", ((key, [fp, t]) for key, (fp, t) in sorted(stamps.items()))) + ","
    )
    lines.append(_block("cards", ((card_id, cards[card_id]) for card_id in sorted(cards))))
    return ("\n".join(lines) + "\n}\n").encode()


def _block(name: str, items: Iterable[tuple[str, Any]]) -> str:
    body = ",\n".join(f"  {_line(key)}: {_line(value)}" for key, value in items)
    return f' "{name}": {{\n{body}\n }}' if body else f' "{name}": {{}}'


def encode_part(notes: Mapping[str, dict[str, Any]]) -> bytes:
    """A part: what the last package held of each of its notes, one a line, by card id."""
    body = ",\n".join(f"  {_line(card_id)}: {_line(notes[card_id])}" for card_id in sorted(notes))
    inner = f"{{\n{body}\n }}" if body else "{}"
    return f'{{\n "cardpress_lock_part": {LOCK_VERSION},\n "notes": {inner}\n}}\n'.encode()


def decode_part(raw: bytes) -> dict[str, Any]:
    """The notes of a part, by card id; raises ValueError (or a JSON error) if it is none."""
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict) or data.get("cardpress_lock_part") != LOCK_VERSION:
        raise ValueError("not a part of a cardpress lock file")
    notes = data.get("notes", {})
    if not isinstance(notes, dict):
        raise TypeError("notes")
    return notes


def decode_index(raw: bytes) -> dict[str, Any]:
    """The lock file's data, in the shape of version 2 once its parts are joined: every
    card's note stamp back among the stamps. Raises ValueError for an unknown version."""
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict) or data.get("cardpress_lock") not in READABLE_VERSIONS:
        raise ValueError("not a cardpress lock file of a known version")
    if data["cardpress_lock"] != LOCK_VERSION:
        return data
    stamps = {
        str(key): {"fingerprint": entry[0], "modified": entry[1]}
        for key, entry in data.get("stamps", {}).items()
    }
    for card_id, entry in data.get("cards", {}).items():
        stamp = entry.pop("stamp", None)
        if stamp is not None:
            stamps[f"{NOTE_STAMP}{card_id}"] = {"fingerprint": stamp[0], "modified": stamp[1]}
    data["stamps"] = stamps
    return data
