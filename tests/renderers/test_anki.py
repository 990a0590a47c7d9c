"""The package writer fills the collection statement for statement as genanki does: the
shipped deck and a benchmark deck give the same bytes through genanki's own objects."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import genanki
import pytest

from cardpress.anki import package as anki_package
from cardpress.anki.package import PackageDeck
from tests.support.paths import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import run as bench


def through_genanki(
    cursor: sqlite3.Cursor,
    decks: Sequence[PackageDeck],
    models: Mapping[int, Any],
    time: int,
    ids: Iterator[int],
) -> None:
    """The reference: genanki's Deck and Note objects written by genanki's Package."""
    genanki_decks = []
    for deck in decks:
        copy = genanki.Deck(
            deck.genanki_deck.deck_id, deck.genanki_deck.name, deck.genanki_deck.description
        )
        for row in deck.notes:
            note = genanki.Note(
                models[row.model_id], list(row.fields), tags=list(row.tags), guid=row.guid
            )
            note.due = row.due
            assert tuple(card.ord for card in note.cards) == row.ords
            copy.add_note(note)
        genanki_decks.append(copy)
    genanki.Package(genanki_decks).write_to_db(cursor, time, ids)


def both_ways(content: Path, out: Path, build_deck, monkeypatch) -> tuple[bytes, bytes]:
    build_deck(content, out / "fast", "anki", "-q")
    with monkeypatch.context() as patched:
        patched.setattr(anki_package, "_write_like_genanki", through_genanki)
        build_deck(content, out / "genanki", "anki", "-q")
    [fast] = (out / "fast").glob("*.apkg")
    return fast.read_bytes(), (out / "genanki" / fast.name).read_bytes()


def test_the_shipped_deck_is_written_as_genanki_writes_it(build_deck, tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    fast, reference = both_ways(content, tmp_path, build_deck, monkeypatch)
    assert fast == reference


def test_a_benchmark_deck_is_written_as_genanki_writes_it(build_deck, tmp_path, monkeypatch):
    """Basic, reversed and cloze cards, code, tables and callouts, across 6 subdecks."""
    content = bench.generate(tmp_path / "bench", 230)
    fast, reference = both_ways(content, tmp_path, build_deck, monkeypatch)
    assert fast == reference


@pytest.mark.parametrize(
    "fields",
    [
        ["a", "b", "", "", "", "x"],
        ["", "b", "", "", "", "x"],
        ["{{c1::a}} {{c3::b}} {{c1::c}}", "t", "", "", "", "x"],
    ],
)
def test_cards_of_a_note_follow_genankis_rules(fields: list[str]) -> None:
    from cardpress.anki.notetypes import render_note_types
    from cardpress.model import CardKind
    from cardpress.renderers.anki import _model, _ords

    note_types = render_note_types(ROOT / "templates")
    for kind in CardKind:
        model = _model(note_types[kind])
        expected = tuple(card.ord for card in genanki.Note(model, list(fields)).cards)
        assert _ords(model, fields) == expected
