"""A build works out each Anki note once: the lock's record takes the notes the package
was just written from, and what it writes is what a build from scratch writes."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from cardpress.anki import package_notes
from tests.support.paths import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import run as bench


@pytest.fixture
def deck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(bench, "CARDS_PER_SECTION", 10)
    return bench.generate(tmp_path / "deck", 60)


def test_each_note_is_worked_out_once_and_an_edit_writes_what_a_fresh_build_writes(
    deck: Path, tmp_path: Path, build_deck, monkeypatch
):
    worked_out: list[str] = []
    original = package_notes.FieldRenderer.__call__

    def counting(self, card, section):
        worked_out.append(card.id)
        return original(self, card, section)

    monkeypatch.setattr(package_notes.FieldRenderer, "__call__", counting)
    out = tmp_path / "out"
    build_deck(deck, out)
    assert len(worked_out) == len(set(worked_out)) == 60

    edited = deck / "synthetic" / "0002.md"
    edited.write_text(edited.read_text().replace("number 21?\n\n", "number 21?\n\nEdited: "))
    build_deck(deck, out)
    copy = tmp_path / "copy"
    shutil.copytree(deck, copy)  # with the lock the edit build wrote
    build_deck(copy, tmp_path / "fresh")
    assert (out / "synthetic.apkg").read_bytes() == (
        tmp_path / "fresh" / "synthetic.apkg"
    ).read_bytes()
    assert (deck / "synthetic" / "cardpress.lock").read_bytes() == (
        copy / "synthetic" / "cardpress.lock"
    ).read_bytes()
