"""Notes kept between builds: an edit works out only the edited card's note, and the
package and lock are those a build without the cache writes."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from cardpress.renderers import anki as anki_renderer
from cardpress.renderers.anki_note_cache import FOLDER_NAME
from cardpress.user_cache import build_folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import run as bench  # noqa: E402


@pytest.fixture
def deck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(bench, "CARDS_PER_SECTION", 10)
    return bench.generate(tmp_path / "deck", 60)


def test_an_edit_works_out_one_note_and_writes_what_a_cold_build_writes(
    deck: Path, tmp_path: Path, build_deck, monkeypatch
):
    out = tmp_path / "out"
    build_deck(deck, out)
    [notes_file] = (build_folder(out) / FOLDER_NAME).iterdir()
    assert len(json.loads(notes_file.read_bytes())) == 60

    edited = deck / "synthetic" / "0002.md"
    edited.write_text(edited.read_text().replace("number 21?\n\n", "number 21?\n\nEdited: "))
    worked_out: list[str] = []
    original = anki_renderer.FieldRenderer.__call__

    def counting(self, card, section):  # type: ignore[no-untyped-def]
        worked_out.append(card.id)
        return original(self, card, section)

    with monkeypatch.context() as patched:
        patched.setattr(anki_renderer.FieldRenderer, "__call__", counting)
        build_deck(deck, out)
    assert len(worked_out) == 1  # the edited card, once: the lock's record reuses it

    fresh = tmp_path / "fresh"
    copy = tmp_path / "copy"
    shutil.copytree(deck, copy)  # with the lock the edit build wrote
    build_deck(copy, fresh)
    assert (out / "synthetic.apkg").read_bytes() == (fresh / "synthetic.apkg").read_bytes()
    assert (deck / "synthetic" / "cardpress.lock").read_bytes() == (
        copy / "synthetic" / "cardpress.lock"
    ).read_bytes()


def test_a_damaged_note_cache_is_worked_out_again(deck: Path, tmp_path: Path, build_deck):
    out = tmp_path / "out"
    build_deck(deck, out)
    package = (out / "synthetic.apkg").read_bytes()
    [notes_file] = (build_folder(out) / FOLDER_NAME).iterdir()
    entries = json.loads(notes_file.read_bytes())
    damaged = {key: [1, "not fields", None] for key in entries}
    notes_file.write_text(json.dumps(damaged))
    (out / "synthetic.apkg").unlink()
    build_deck(deck, out)
    assert (out / "synthetic.apkg").read_bytes() == package
    assert json.loads(notes_file.read_bytes()) == entries
