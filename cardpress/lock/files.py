"""The lock on disk: a small index, one line a card, and parts holding what the last
Anki package held, one part a section.

Version 4 of the lock file. The index (``cardpress.lock``) holds what a build needs for
every card: its id, the hashes that let the id follow it, its kind and place, and its
note's stamp, as one JSON array on one line a card, sorted by id, so a review sees
exactly the cards whose id or text changed::

  "card-id": [<question hash>, <answer hash>, <kind>, <section>, <note fingerprint>, <time>]

(and a seventh item, an object, only for what few cards have: ``removed``, ``note``,
``renamed_to``, ``kinds``). What the last package held of each note (its deck, tags and
fields: what a removed card's tombstone repeats) is in the parts, beside the index in
``cardpress.lock.d/``: one gzip-compressed JSON file for the cards of each section
(``zcat`` shows it), one line a note. Fields are mostly highlighted HTML, which
compresses about sevenfold: the lock of a 1,000-card deck went from about 1 MB to about
a quarter of that. An edit rewrites the index and the parts of the sections whose notes
changed; the other parts keep their bytes.

Versions 1 and 2 were one file holding everything, version 3 an index of one object a
card and plain JSON parts; all are read as they are (see ``decode_index``) and written
back as version 4 by the next build, which removes the old parts.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from cardpress import json_text

LOCK_VERSION = 4
READABLE_VERSIONS = (1, 2, 3, 4)
PART_SUFFIXES = {3: ".json", 4: ".json.gz"}
"""The file name ending of a part, by the version of the index that lists it."""
PART_SUFFIX = PART_SUFFIXES[LOCK_VERSION]
MAX_PART_BYTES = 32 << 20
"""The most a part may hold once decompressed (as a lock file may on disk)."""
_CARD_FIELDS = ("question", "answer", "kind", "section")
_CARD_EXTRAS = ("removed", "note", "renamed_to", "kinds")
NOTE_STAMP = "anki:note:"
"""A note's stamp: this, then the card id; the index keeps it on its card's line."""
UNPLACED = "unplaced"
"""The part of cards recorded before places were (a version 1 lock)."""
_PART_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


def parts_folder(lock_path: Path) -> Path:
    """Where the parts of the lock file at ``lock_path`` live: beside it."""
    return lock_path.with_name(lock_path.name + ".d")


def part_path(lock_path: Path, name: str, version: int = LOCK_VERSION) -> Path:
    """The part ``name`` of the lock at ``lock_path``, as an index of ``version`` names it."""
    return parts_folder(lock_path) / f"{name}{PART_SUFFIXES[version]}"


def part_files(lock_path: Path) -> list[Path]:
    """The files of the lock's parts folder that are parts of some version, sorted."""
    folder = parts_folder(lock_path)
    if not folder.is_dir():
        return []
    endings = tuple(PART_SUFFIXES.values())
    return sorted(path for path in folder.iterdir() if path.name.endswith(endings))


def index_version(data: dict[str, Any]) -> int:
    """The version of a decoded index (``decode_index``)."""
    return int(data["cardpress_lock"])


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
    rows = ((card_id, _card_row(cards[card_id])) for card_id in sorted(cards))
    lines.append(_block("cards", rows))
    return ("\n".join(lines) + "\n}\n").encode()


def _card_row(entry: Mapping[str, Any]) -> list[Any]:
    """A card's entry (``LockedCard.to_json`` and its note's stamp) as its index line."""
    stamp = entry.get("stamp") or (None, None)
    row = [*(entry.get(name) for name in _CARD_FIELDS), *stamp]
    extras = {name: entry[name] for name in _CARD_EXTRAS if name in entry}
    if extras:
        row.append(extras)
    return row


def _card_entry(row: Any) -> dict[str, Any]:
    """An index line back as the card's entry of a version 3 index; TypeError if it is
    not one cardpress writes."""
    if type(row) is not list or len(row) not in (6, 7):
        raise TypeError("card")
    entry: dict[str, Any] = {"question": row[0], "answer": row[1], "kind": row[2]}
    if row[3] is not None:
        entry["section"] = row[3]
    if row[4] is not None or row[5] is not None:
        entry["stamp"] = [row[4], row[5]]
    if len(row) == 7:
        extras = row[6]
        if type(extras) is not dict or not extras.keys() <= set(_CARD_EXTRAS):
            raise TypeError("card")
        entry.update(extras)
    return entry


def _block(name: str, items: Iterable[tuple[str, Any]]) -> str:
    body = ",\n".join(f"  {_line(key)}: {_line(value)}" for key, value in items)
    return f' "{name}": {{\n{body}\n }}' if body else f' "{name}": {{}}'


def encode_part(notes: Mapping[str, dict[str, Any]]) -> bytes:
    """A part: what the last package held of each of its notes, one a line, by card id,
    gzip-compressed with no time in its header (the same notes give the same bytes)."""
    body = ",\n".join(f"  {_line(card_id)}: {_line(notes[card_id])}" for card_id in sorted(notes))
    inner = f"{{\n{body}\n }}" if body else "{}"
    text = f'{{\n "cardpress_lock_part": {LOCK_VERSION},\n "notes": {inner}\n}}\n'
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


def _part_text(raw: bytes) -> bytes:
    """A part's JSON: a version 3 part as it is, a version 4 part decompressed, refused
    (ValueError) past ``MAX_PART_BYTES`` or if it is not one whole gzip stream."""
    if not raw.startswith(b"\x1f\x8b"):
        return raw
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        text = inflate.decompress(raw, MAX_PART_BYTES + 1)
    except zlib.error as exc:
        raise ValueError(f"a part is not readable gzip ({exc})") from None
    if len(text) > MAX_PART_BYTES or inflate.unconsumed_tail:
        raise ValueError(f"a part holds over {MAX_PART_BYTES} bytes")
    if not inflate.eof or inflate.unused_data:
        raise ValueError("a part is not one whole gzip stream")
    return text


def decode_part(raw: bytes) -> dict[str, Any]:
    """The notes of a part (version 3 or 4), by card id; raises ValueError (or a JSON
    error) if it is none."""
    data = json.loads(_part_text(raw).decode("utf-8"))
    if not isinstance(data, dict) or data.get("cardpress_lock_part") not in (3, LOCK_VERSION):
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
    if data["cardpress_lock"] < 3:
        return data
    if data["cardpress_lock"] == 4:
        data["cards"] = {key: _card_entry(row) for key, row in data.get("cards", {}).items()}
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
