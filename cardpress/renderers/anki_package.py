"""Writing an .apkg whose bytes depend only on the notes and their recorded stamps.

genanki fills an in-memory SQLite collection (so nothing is written beside ``out``); then
every note and note type gets its own modification time from the lock stamps instead of
the one build timestamp genanki gives them all, the decks and the collection get the
latest of those times, and the zip is written with fixed entry metadata. The same notes
and stamps therefore always give the same bytes, and a changed note is always newer than
the copy in the user's collection.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sqlite3
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import genanki

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


@dataclass(frozen=True)
class Stamped:
    """Modification times (seconds) of the notes and note types of a package."""

    notes: Mapping[str, int]  # by GUID
    note_types: Mapping[int, int]  # by note type id

    @property
    def latest(self) -> int:
        return max(itertools.chain(self.notes.values(), self.note_types.values(), [0]))


def write_package(
    out: Path,
    decks: Sequence[Any],  # genanki.Deck
    stamped: Stamped,
    media: Sequence[tuple[str, Path]],
) -> None:
    """Write ``decks`` and ``media`` (name, file) to ``out`` as an Anki package."""
    collection = _collection_bytes(decks, stamped)
    with zipfile.ZipFile(out, "w") as archive:
        _add(archive, "collection.anki2", collection, stamped.latest)
        names = {str(index): name for index, (name, _) in enumerate(media)}
        _add(archive, "media", json.dumps(names).encode(), stamped.latest)
        for index, (_, path) in enumerate(media):
            _add(archive, str(index), path.read_bytes(), stamped.latest)


def _collection_bytes(decks: Sequence[Any], stamped: Stamped) -> bytes:
    time = stamped.latest
    conn = sqlite3.connect(":memory:")
    try:
        cursor = conn.cursor()
        # Note and card ids only matter to Anki for notes it does not have yet (it matches
        # existing notes by GUID and their cards by template); they read as creation times.
        genanki.Package(list(decks)).write_to_db(cursor, time, itertools.count(time * 1000))
        # notes.guid has no index: one UPDATE a note would scan the table each time. A
        # temporary table (not part of the serialised database) makes it one pass.
        cursor.execute("CREATE TEMP TABLE stamps (guid TEXT PRIMARY KEY, mod INTEGER)")
        cursor.executemany("INSERT INTO stamps VALUES (?, ?)", stamped.notes.items())
        cursor.execute(
            "UPDATE notes SET mod = (SELECT mod FROM stamps WHERE stamps.guid = notes.guid)"
            " WHERE guid IN (SELECT guid FROM stamps)"
        )
        cursor.execute("DROP TABLE stamps")
        cursor.execute("UPDATE cards SET mod = (SELECT mod FROM notes WHERE id = cards.nid)")
        models, deck_rows = cursor.execute("SELECT models, decks FROM col").fetchone()
        models = _with_mods(json.loads(models), stamped.note_types.__getitem__)
        # Anki takes a deck's description whatever its time; the latest change will do.
        deck_rows = _with_mods(json.loads(deck_rows), lambda _: time)
        cursor.execute(
            "UPDATE col SET crt = ?, mod = ?, models = ?, decks = ?",
            (_day_start(time), time * 1000, json.dumps(models), json.dumps(deck_rows)),
        )
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


def _with_mods(table: dict[str, dict[str, Any]], mod: Callable[[int], int]) -> dict[str, Any]:
    for key, row in table.items():
        row["mod"] = mod(int(key))
    return dict(sorted(table.items()))


def _day_start(time: int) -> int:
    """The collection's creation time: the start of the (UTC) day of its last change."""
    return time - time % 86400


def _add(archive: zipfile.ZipFile, name: str, data: bytes, time: int) -> None:
    info = zipfile.ZipInfo(name, date_time=_zip_time(time))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever system builds the package
    info.external_attr = 0o644 << 16
    archive.writestr(info, data, compresslevel=6)


def _zip_time(time: int) -> tuple[int, int, int, int, int, int]:
    moment = dt.datetime.fromtimestamp(time, dt.UTC)
    fields = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    return max(fields, ZIP_EPOCH)
