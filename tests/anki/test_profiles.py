"""Each path gets its own advice, on a real collection with the real Anki engine: the
preview tells someone who imports what to do in Anki (and that a sync does it), the
sync's dry run tells what the sync does, without the import's chores; and a sync backs
the collection up only before it changes something."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.anki.test_sync import snapshot
from tests.support.anki_support import AnkiUser
from tests.support.files_support import png, write_files
from tests.support.journey_deck import BASICS_V2, FILES_V1, MORE_V2, TOOLS_V2

IMPORT_CHORES = ("Change Deck", "Anki replaces the tags", "find every note to delete")


def test_advice_for_each_path_and_a_backup_only_before_a_change(
    tmp_path: Path, run_cli: Any, monkeypatch: Any
):
    content = tmp_path / "content"
    deck = write_files(content / "journey", FILES_V1)
    base = tmp_path / "Anki2"
    AnkiUser(base / "User 1").close()
    monkeypatch.setenv("ANKI_BASE", str(base))
    backups = base / "User 1" / "backups"
    collection = base / "User 1" / "collection.anki2"
    first = run_cli("sync", "--content", content)
    assert first.status == 0 and "backed up" in first.out

    (deck / "30-tools.md").unlink()
    v2 = {"10-basics.md": BASICS_V2, "20-more.md": MORE_V2, "35-tools.md": TOOLS_V2}
    write_files(deck, {**v2, "img/square.png": png(4, 4, (20, 160, 20))})
    preview = run_cli("preview", "--content", content)
    assert all(chore in preview.out for chore in IMPORT_CHORES), preview.out
    assert "syncing instead of importing (cardpress sync) moves the cards" in preview.out
    dry = run_cli("sync", "--content", content, "--dry-run")
    assert dry.status == 0, dry.err
    assert not any(chore in dry.out for chore in IMPORT_CHORES), dry.out
    assert "journey: the sync imports the next package:" in dry.out
    assert "would move" in dry.out and "would tag the notes of removed cards" in dry.out
    assert "tags the basic note cardpress::removed and suspends its cards" in dry.out

    synced = run_cli("sync", "--content", content)
    assert synced.status == 0 and "backed up" in synced.out
    [last] = re.findall(r"^backed up .* to (.*\.colpkg)$", synced.out, re.MULTILINE)
    held, count = snapshot(collection), len(list(backups.iterdir()))
    again = run_cli("sync", "--content", content)
    assert again.status == 0, again.err
    assert f"so no backup was made; the last backup is {last}" in again.out
    assert len(list(backups.iterdir())) == count
    assert snapshot(collection) == held
    assert "0 new, 0 updated" in again.out

    # One edit in the Markdown: a change again, so a backup again.
    write_files(deck, {"10-basics.md": BASICS_V2.replace("Paris.", "Paris!")})
    changed = run_cli("sync", "--content", content)
    assert "backed up" in changed.out and len(list(backups.iterdir())) == count + 1
