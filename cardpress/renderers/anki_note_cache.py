"""Anki notes kept between builds, so a one-card edit works out only that card's note.

A note's GUID, fields, tags and fingerprint depend on its card, its section's title, the
note id it keeps after a rename, the deck's images, the field templates and cardpress's
own code. An entry is stored under the hash of all of them (the card by its ``repr``,
which covers every field of the model) in one JSON file per deck in the build's cache folder
(see ``user_cache``): plain data, checked when read; a damaged entry is only worked out
again. The file keeps the entries of the last package written, nothing else.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

from cardpress import atomic
from cardpress.freshness import code_fingerprint
from cardpress.model import Card, Deck, Section

FOLDER_NAME = "anki-notes"

Entry = tuple[str, tuple[str, ...], tuple[str, ...], str]
"""GUID, fields, tags, fingerprint."""


class NoteCache:
    """The notes of the last package written, by the hash of what each was made from."""

    def __init__(self, folder: Path | None, deck: Deck, templates: tuple[str, ...]):
        name = hashlib.sha256(deck.key.encode()).hexdigest()[:32] + ".json"  # one per deck
        self.path = None if folder is None else folder / FOLDER_NAME / name
        salt = hashlib.sha256(code_fingerprint().encode())
        media = [(m.name, m.sha256) for m in deck.media]
        salt.update(json.dumps([deck.key, media, templates]).encode())
        self.salt = salt.digest()
        self.stored = self._load()
        self.used: dict[str, Entry] = {}

    def key(self, card: Card, section: Section, note_id: str) -> str:
        digest = hashlib.sha256(self.salt)
        digest.update(repr((card, section.key, section.title.text, note_id)).encode())
        return digest.hexdigest()

    def get(self, key: str) -> Entry | None:
        entry = self.stored.get(key)
        if entry is not None:
            self.used[key] = entry
        return entry

    def put(self, key: str, entry: Entry) -> None:
        self.used[key] = entry

    def save(self) -> None:
        """Keep exactly the entries this package used; a cache that cannot be written
        only makes the next build work them out again."""
        if self.path is None or self.used == self.stored:
            return
        data = json.dumps({k: list(v) for k, v in self.used.items()}, ensure_ascii=False)
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic.replace_unsynced(self.path, data.encode())

    def _load(self) -> dict[str, Entry]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError, RecursionError):
            return {}
        if type(data) is not dict:
            return {}
        return {k: entry for k, v in data.items() if (entry := _entry(v)) is not None}


def _entry(value: Any) -> Entry | None:
    """The entry ``value`` holds, or None if it is not one."""
    if type(value) is not list or len(value) != 4:
        return None
    guid, fields, tags, fingerprint = value
    if type(guid) is not str or type(fingerprint) is not str:
        return None
    if not _strings(fields) or not _strings(tags):
        return None
    return guid, tuple(fields), tuple(tags), fingerprint


def _strings(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)
