"""Edits made in Anki, on a real collection file with the real Anki engine: ``sync`` stops
before overwriting one, says which note, field and what changed, and does what
``--keep-anki-edits`` or ``--overwrite-anki-edits`` say; ``preview`` lists the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.anki.test_sync import snapshot
from tests.support.anki_support import AnkiUser, after_this_second
from tests.support.files_support import write_files
from tests.support.journey_deck import BASICS_V1, FILES_V1

CAPITAL = "what-is-the-capital-of-france"


@pytest.fixture
def synced(tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The journey deck synced once into a profile's collection, then the capital's answer
    edited in Anki and the Markdown of that card fixed too, differently."""
    content = tmp_path / "content"
    write_files(content / "journey", FILES_V1)
    base = tmp_path / "Anki2"
    AnkiUser(base / "User 1").close()
    monkeypatch.setenv("ANKI_BASE", str(base))
    assert run_cli("sync", "--content", content).status == 0
    anki = AnkiUser(base / "User 1")
    note = anki.note(CAPITAL)
    note["Answer"] = "<p>Paris, on the Seine (my mnemonic)</p>"
    anki.col.update_note(note)
    anki.close()
    after_this_second()
    write_files(content / "journey", {"10-basics.md": BASICS_V1.replace("Pariss.", "Paris.")})
    return {"content": content, "collection": base / "User 1" / "collection.anki2"}


def answer(collection: Path) -> str:
    anki = AnkiUser(collection.parent)
    try:
        return str(anki.note(CAPITAL)["Answer"])
    finally:
        anki.close()


def test_sync_stops_before_overwriting_an_edit_made_in_anki(synced, run_cli):
    content, collection = synced["content"], synced["collection"]
    before = snapshot(collection)
    backups = sorted((collection.parent / "backups").iterdir())
    result = run_cli("sync", "--content", content)
    assert result.status == 1
    assert "1 field(s) edited in Anki would be overwritten by the Markdown" in result.err
    diff = f"journey: {CAPITAL}, field Answer: [-Paris.-] {{+Paris, on the Seine (my mnemonic)+}}"
    assert diff in result.err, result.err
    assert "--keep-anki-edits" in result.err and "cardpress pull" in result.err
    assert snapshot(collection) == before  # nothing changed, not even a backup made
    assert sorted((collection.parent / "backups").iterdir()) == backups

    dry = run_cli("sync", "--content", content, "--dry-run")
    assert dry.status == 0
    assert "would stop for 1 field(s) edited in Anki" in dry.out and diff in dry.out

    preview = run_cli("preview", "--content", content, "--anki")
    assert preview.status == 0, preview.err
    assert diff in preview.out


def test_keep_then_overwrite(synced, run_cli):
    content, collection = synced["content"], synced["collection"]
    kept = run_cli("sync", "--content", content, "--keep-anki-edits")
    assert kept.status == 0, kept.err
    assert "kept 1 field(s) edited in Anki" in kept.out
    assert "my mnemonic" in answer(collection)
    # Kept for this run only: the next sync asks again.
    assert run_cli("sync", "--content", content).status == 1

    overwritten = run_cli("sync", "--content", content, "--overwrite-anki-edits")
    assert overwritten.status == 0, overwritten.err
    assert "overwrote 1 field(s) edited in Anki" in overwritten.out
    assert answer(collection) == "<p>Paris.</p>\n"
    again = run_cli("sync", "--content", content)
    assert again.status == 0, again.err
    assert "0 new, 0 updated" in again.out and "edited in Anki" not in again.out


def test_an_edit_the_markdown_already_has_is_not_at_risk(synced, run_cli):
    content, collection = synced["content"], synced["collection"]
    anki = AnkiUser(collection.parent)
    note = anki.note(CAPITAL)
    note["Answer"] = "<p>Paris.</p>\n"  # the very text the Markdown now renders
    anki.col.update_note(note)
    anki.close()
    result = run_cli("sync", "--content", content)
    assert result.status == 0, result.err
    assert "edited in Anki" not in result.out
