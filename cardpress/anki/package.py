"""Writing an .apkg whose bytes depend only on the notes and their recorded stamps.

The collection is an in-memory SQLite database laid out by genanki's schema and filled
with the same statements in the same order as genanki's ``Package.write_to_db`` (so the
bytes are what genanki gives), but from plain note rows: no genanki ``Note`` per note and
no re-reading of the growing deck table once per deck. Every note and note type then gets
its own modification time from the lock stamps instead of the one build timestamp, the
decks and the collection get the latest of those times, and the zip is written with fixed
entry metadata. The same notes and stamps therefore always give the same bytes, and a
changed note is always newer than the copy in the user's collection.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sqlite3
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


@dataclass(frozen=True)
class Stamped:
    """Modification times (seconds) of the notes and note types of a package."""

    notes: Mapping[str, int]  # by GUID
    note_types: Mapping[int, int]  # by note type id

    @property
    def latest(self) -> int:
        return max(itertools.chain(self.notes.values(), self.note_types.values(), [0]))


@dataclass(frozen=True)
class NoteRow:
    """One note as the collection stores it; plain data, so it can be kept between builds."""

    guid: str
    model_id: int
    fields: tuple[str, ...]
    """In the note type's order; the first is the sort field."""
    tags: tuple[str, ...]
    """As Anki stores them: no spaces."""
    ords: tuple[int, ...]
    """The card templates this note makes cards of (a cloze number is an ord)."""
    due: int
    """The position of its new cards: the order of the Markdown."""


@dataclass(frozen=True)
class PackageDeck:
    """An Anki deck (a section's subdeck or the top deck) with its notes in order."""

    genanki_deck: Any  # genanki.Deck, for its JSON; its own note list stays empty
    notes: tuple[NoteRow, ...]


def write_package(
    out: Path,
    decks: Sequence[PackageDeck],
    models: Mapping[int, Any],  # genanki.Model by note type id
    stamped: Stamped,
    media: Sequence[tuple[str, bytes]],
) -> None:
    """Write ``decks`` and ``media`` (name, bytes) to ``out`` as an Anki package."""
    collection = _collection_bytes(decks, models, stamped)
    with zipfile.ZipFile(out, "w") as archive:
        _add(archive, "collection.anki2", collection, stamped.latest)
        names = {str(index): name for index, (name, _) in enumerate(media)}
        _add(archive, "media", json.dumps(names).encode(), stamped.latest)
        for index, (_, data) in enumerate(media):
            _add(archive, str(index), data, stamped.latest)


def _collection_bytes(
    decks: Sequence[PackageDeck], models: Mapping[int, Any], stamped: Stamped
) -> bytes:
    time = stamped.latest
    conn = sqlite3.connect(":memory:")
    try:
        cursor = conn.cursor()
        # Note and card ids only matter to Anki for notes it does not have yet (it matches
        # existing notes by GUID and their cards by template); they read as creation times.
        _write_like_genanki(cursor, decks, models, time, itertools.count(time * 1000))
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
        model_rows, deck_rows = cursor.execute("SELECT models, decks FROM col").fetchone()
        model_rows = _with_mods(json.loads(model_rows), stamped.note_types.__getitem__)
        # Anki takes a deck's description whatever its time; the latest change will do.
        deck_rows = _with_mods(json.loads(deck_rows), lambda _: time)
        cursor.execute(
            "UPDATE col SET crt = ?, mod = ?, models = ?, decks = ?",
            (_day_start(time), time * 1000, json.dumps(model_rows), json.dumps(deck_rows)),
        )
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


def _write_like_genanki(
    cursor: sqlite3.Cursor,
    decks: Sequence[PackageDeck],
    models: Mapping[int, Any],
    time: int,
    ids: Iterator[int],
) -> None:
    """genanki's ``Package.write_to_db``, statement for statement (the database's pages,
    and so its bytes, follow the order of the writes), without its per-note objects.

    genanki re-reads and rewrites the whole deck table once per deck; here it and the
    note type table are kept as JSON text pieces (``json.dumps`` of a dict is its items
    joined by ", "), each item written once.
    """
    cursor.executescript(APKG_SCHEMA)
    cursor.executescript(APKG_COL)
    deck_json, model_json = cursor.execute("SELECT decks, models FROM col").fetchone()
    deck_items = [_item(key, value) for key, value in json.loads(deck_json).items()]
    model_items = {key: _item(key, value) for key, value in json.loads(model_json).items()}
    for deck in decks:
        anki_deck = deck.genanki_deck
        deck_items.append(_item(str(anki_deck.deck_id), anki_deck.to_json()))
        cursor.execute("UPDATE col SET decks = ?", ("{" + ", ".join(deck_items) + "}",))
        used = dict.fromkeys(note.model_id for note in deck.notes)
        written = {
            str(mid): _item(str(mid), models[mid].to_json(time, anki_deck.deck_id)) for mid in used
        }
        # genanki updates the table it read (string keys) with integer keys: both appear.
        table = [*model_items.values(), *written.values()]
        cursor.execute("UPDATE col SET models = ?", ("{" + ", ".join(table) + "}",))
        model_items.update(written)
        for note in deck.notes:
            note_id = next(ids)
            cursor.execute(
                "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);",
                (
                    note_id,
                    note.guid,
                    note.model_id,
                    time,
                    -1,
                    " " + " ".join(note.tags) + " ",
                    "\x1f".join(note.fields),
                    note.fields[0],
                    0,
                    0,
                    "",
                ),
            )
            for ord_ in note.ords:
                cursor.execute(
                    "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);",
                    (
                        next(ids),
                        note_id,
                        anki_deck.deck_id,
                        ord_,
                        time,
                        -1,
                        0,
                        0,
                        note.due,
                        *_CARD_ZEROS,
                    ),
                )


_CARD_ZEROS = (0, 0, 0, 0, 0, 0, 0, 0, "")  # ivl, factor, reps, lapses, left, odue, odid, ...


def _item(key: str, value: object) -> str:
    return f"{json.dumps(key)}: {json.dumps(value)}"


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
