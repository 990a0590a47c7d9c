"""``cardpress sync`` on a real collection file with the real Anki engine: a study history,
the edits of the preview journey, then sync: reviews kept, cards moved, the user's tags
kept, removed notes tagged and suspended or deleted within --max-delete; refused while
another process holds the collection; sound after a kill at any moment; the backup
restores; a second sync changes nothing."""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from cardpress.anki.notes import REMOVED_TAG
from cardpress.anki.profiles import anki_base, find_collection
from cardpress.errors import UsageError
from tests.conftest import ROOT
from tests.support.anki_support import AnkiUser
from tests.support.files_support import png, write_files
from tests.support.journey_deck import BASICS_V2, FILES_V1, INDEX, MORE_V2, TOOLS_V2, anki_states

V1 = FILES_V1
V2: dict[str, str | bytes] = {
    "10-basics.md": BASICS_V2,
    "20-more.md": MORE_V2,
    "35-tools.md": TOOLS_V2,
    "img/square.png": png(4, 4, (20, 160, 20)),
}
SECTIONS_V2 = {
    "Basics": [
        "idempotent",
        "socket",
        "what-colour-is-this-square",
        "what-does-tcp-guarantee",
        "what-is-the-capital-of-france",
        "which-http-status-means-not-found",
    ],
    "More networking": [
        "dns",
        "handshake",
        "what-does-udp-stand-for",
        "what-is-a-get-request-for",
        "what-is-dhcp-for",
        "which-port-does-https-use",
    ],
    "Tools": ["ls-long", "which-command-shows-the-route-to"],
}
REMOVED_V2 = [  # removed cards, and the notes a kind change left behind
    "a-card-that-will-be-removed",
    "idempotent",
    "is-get-safe",
    "what-does-tcp-guarantee",
    "what-is-a-socket",
]


def snapshot(collection: Path) -> dict[str, Any]:
    """Everything a sync could change, read with plain SQLite while nothing holds it."""
    db = sqlite3.connect(f"file:{collection}?mode=ro", uri=True)
    try:
        return {
            "notes": db.execute("select id, guid, mid, mod, usn, tags, flds from notes").fetchall(),
            "cards": db.execute(
                "select id, nid, did, odid, queue, mod, usn, reps from cards"
            ).fetchall(),
            "revlog": db.execute("select count() from revlog").fetchone(),
            "graves": db.execute("select count() from graves").fetchone(),
            "schema": db.execute("select scm from col").fetchone(),
            "modified": db.execute("select mod from col").fetchone(),
            "decks": db.execute("select id, name, mtime_secs, usn from decks").fetchall(),
            "notetypes": db.execute("select id, mtime_secs, usn from notetypes").fetchall(),
            "config": db.execute("select key, mtime_secs, usn from config").fetchall(),
        }
    finally:
        db.close()


def sync(run_cli: Any, content: Path, *args: str | Path) -> str:
    result = run_cli("sync", "--content", content, *args)
    assert result.status == 0, result.err
    return str(result.out)


def backup_of(output: str) -> Path:
    [path] = re.findall(r"^backed up .* to (.*\.colpkg)$", output, re.MULTILINE)
    return Path(path)


def ids(anki: AnkiUser, search: str) -> list[str]:
    return sorted(note["Id"] for note in anki.notes(search))


@pytest.mark.slow
def test_sync_applies_every_edit_keeps_reviews_and_tags(tmp_path, run_cli, monkeypatch):
    content = tmp_path / "content"
    deck = write_files(content / "journey", V1)
    base = tmp_path / "Anki2"
    AnkiUser(base / "User 1").close()
    monkeypatch.setenv("ANKI_BASE", str(base))
    collection = base / "User 1" / "collection.anki2"
    sync(run_cli, content)

    anki = AnkiUser(base / "User 1")
    anki.study_all()
    reviews = anki.review_count()
    studied = anki_states(anki)
    route = anki.note("which-command-shows-the-route-to")
    route.add_tag("marked")
    anki.col.update_note(route)
    anki.close()
    before_edits = snapshot(collection)

    # The edits of the preview journey (moves, renames, a renamed section, kind changes,
    # removals, a tag change on the marked note, ...): a dry run says, and changes nothing.
    (deck / "30-tools.md").unlink()
    write_files(deck, V2)
    dry = sync(run_cli, content, "--dry-run")
    assert "new notes: 5" in dry  # the preview's report comes first
    assert "would move 6 card(s) to 'Journey::More networking'" in dry
    assert "would keep the tags you added in Anki on 1 note(s)" in dry
    assert "would tag the notes of removed cards cardpress::removed" in dry
    assert snapshot(collection) == before_edits
    assert len(list((base / "User 1" / "backups").iterdir())) == 1  # the first sync's

    output = sync(run_cli, content)
    backup = backup_of(output)
    assert backup.parent == base / "User 1" / "backups"
    anki = AnkiUser(base / "User 1")
    try:
        assert anki.review_count() == reviews
        after = anki_states(anki)
        suspended = {c.id for c in anki.cards("is:suspended")}
        for cid, state in studied.items():  # scheduling kept; only removed notes suspended
            queue = -1 if cid in suspended else state[1]
            assert after[cid] == (state[0], queue, *state[2:])
        assert ids(anki, f"tag:{REMOVED_TAG}") == REMOVED_V2
        assert suspended == {c.id for c in anki.cards(f"tag:{REMOVED_TAG}")}
        for section, card_ids in SECTIONS_V2.items():
            for card_id in card_ids:
                [note] = anki.notes(f'"Id:{card_id}" -tag:{REMOVED_TAG}')
                decks = {anki.deck_of(card) for card in note.cards()}
                assert decks == {f"Journey::{section}"}, card_id
        assert anki.note("dns").cards()[0].id in studied  # renamed: the same note
        route = anki.note("which-command-shows-the-route-to")
        assert {"marked", "diagnostics"} <= set(route.tags)
        assert route.cards()[0].id in studied
    finally:
        anki.close()

    # A second sync changes nothing; nothing asks AnkiWeb for a full sync.
    synced = snapshot(collection)
    assert synced["schema"] == before_edits["schema"]
    again = sync(run_cli, content)
    assert "0 new, 0 updated, 17 unchanged" in again
    assert snapshot(collection) == synced

    # The backup holds the collection as it was before the sync.
    restored = tmp_path / "restored"
    restored.mkdir()
    from anki._backend import RustBackend

    RustBackend().import_collection_package(
        col_path=str(restored / "collection.anki2"),
        backup_path=str(backup),
        media_folder=str(restored / "collection.media"),
        media_db=str(restored / "collection.media.db2"),
    )
    assert snapshot(restored / "collection.anki2")["notes"] == before_edits["notes"]
    assert snapshot(restored / "collection.anki2")["cards"] == before_edits["cards"]

    # A kind change back revives the suspended note; a new deck title moves every card.
    write_files(
        deck,
        {
            "index.md": INDEX.replace("title: Journey", "title: Trip"),
            "10-basics.md": BASICS_V2.replace(
                "### What does TCP guarantee?\n<!-- kind: reversed -->\n",
                "### What does TCP guarantee?\n",
            ),
        },
    )
    sync(run_cli, content)
    anki = AnkiUser(base / "User 1")
    try:
        [tcp] = anki.notes('"Id:what-does-tcp-guarantee" -tag:cardpress::removed')
        assert anki.note_type_name(tcp) == "cardpress basic"
        [card] = tcp.cards()
        assert card.id in studied and card.queue != -1 and anki.deck_of(card) == "Trip::Basics"
        assert "marked" in anki.note("which-command-shows-the-route-to").tags
        for note in anki.notes(f"-tag:{REMOVED_TAG}"):
            assert {anki.deck_of(c).split("::")[0] for c in note.cards()} == {"Trip"}
        removed = ids(anki, f"tag:{REMOVED_TAG}")
        assert "what-does-tcp-guarantee" in removed  # the reversed note, left behind
        reviews = anki.review_count()
    finally:
        anki.close()

    # A plain build in between (for the PDF, say) records its package in the lock; the
    # collection's own record still tells the user's tags from those cardpress put there.
    write_files(deck, {"35-tools.md": TOOLS_V2.replace("<!-- tags: diagnostics -->\n", "")})
    assert run_cli("--content", content, "--out", tmp_path / "dist", "--only", "anki").status == 0
    sync(run_cli, content)
    anki = AnkiUser(base / "User 1")
    try:
        tags = anki.note("which-command-shows-the-route-to").tags
        assert "marked" in tags and "diagnostics" not in tags
    finally:
        anki.close()

    # --delete refuses to delete more than --max-delete, before changing anything.
    held = snapshot(collection)
    backups = sorted(backup.parent.iterdir())
    result = run_cli("sync", "--content", content, "--delete")
    assert result.status == 1
    assert f"--delete would delete {len(removed)} notes, more than --max-delete 1" in result.err
    assert snapshot(collection) == held and sorted(backup.parent.iterdir()) == backups
    sync(run_cli, content, "--delete", "--max-delete", str(len(removed)))
    anki = AnkiUser(base / "User 1")
    try:
        assert anki.notes(f"tag:{REMOVED_TAG}") == []
        assert len(anki.notes("tag:cardpress::journey")) == sum(map(len, SECTIONS_V2.values()))
        assert anki.review_count() == reviews
    finally:
        anki.close()
    deleted = snapshot(collection)
    assert deleted["schema"] == before_edits["schema"]
    sync(run_cli, content)  # the tombstones of the deleted notes do not come back
    assert snapshot(collection) == deleted


HOLD = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
col.db.scalar("select count() from notes")
print("holding", flush=True)
sys.stdin.read()
col.close()
"""


def test_a_collection_open_elsewhere_is_refused_untouched(tmp_path, run_cli, example_content):
    AnkiUser(tmp_path / "anki").close()
    collection = tmp_path / "anki" / "collection.anki2"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(collection)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        files = {p.name: p.read_bytes() for p in collection.parent.iterdir() if p.is_file()}
        result = run_cli("sync", "--content", example_content, "--collection", collection)
        assert result.status == 1
        assert "the collection is open in Anki" in result.err and "close Anki" in result.err
        assert "Traceback" not in result.err
        after = {p.name: p.read_bytes() for p in collection.parent.iterdir() if p.is_file()}
        assert after == files and not (collection.parent / "backups").exists()
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)
    output = sync(run_cli, example_content, "--collection", collection)
    assert backup_of(output).parent == collection.parent  # beside the file


def bulk(section: str, answer: str) -> str:
    """A section of many cards, so that the import and the moves take a while."""
    cards = "".join(f"### What is item {n}?\n\n{answer} {n}.\n\n" for n in range(300))
    return f"## {section}\n<!-- id: bulk -->\n\n{cards}"


def test_no_backup_no_change(tmp_path, run_cli, example_content, monkeypatch):
    """A backup that cannot be written stops the sync: the collection and the lock file
    stay as they were."""
    profile = tmp_path / "Anki2" / "User 1"
    AnkiUser(profile).close()
    (profile / "backups").write_text("not a folder")
    monkeypatch.setenv("ANKI_BASE", str(tmp_path / "Anki2"))
    before = snapshot(profile / "collection.anki2")
    locks = {p: p.read_bytes() for p in example_content.rglob("*.lock")}
    result = run_cli("sync", "--content", example_content)
    assert result.status == 1 and "Traceback" not in result.err
    assert "cannot write the backup" in result.err and "nothing was changed" in result.err
    assert snapshot(profile / "collection.anki2") == before
    assert {p: p.read_bytes() for p in example_content.rglob("*.lock")} == locks


@pytest.mark.slow
def test_a_sync_killed_at_any_moment_leaves_a_sound_collection(tmp_path):
    from anki.collection import Collection

    content = tmp_path / "content"
    deck = write_files(content / "journey", {**V1, "40-bulk.md": bulk("Bulk", "Item")})
    AnkiUser(tmp_path / "anki").close()
    collection = tmp_path / "anki" / "collection.anki2"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-u", "-m", "cardpress", "sync", "--content", str(content)]
    command += ["--collection", str(collection)]
    assert subprocess.run(command, env=env, timeout=300).returncode == 0
    (deck / "30-tools.md").unlink()
    write_files(deck, V2)
    moments = random.Random(19)
    for round_ in range(6):
        # Each round a sync with imports, moves, tags and suspensions to interrupt.
        renamed = ("Bulk renamed", "The item") if round_ % 2 else ("Bulk again", "An item")
        write_files(deck, {"40-bulk.md": bulk(*renamed)})
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        if round_ % 3 == 2:  # anywhere: starting, building, backing up
            time.sleep(moments.uniform(0.2, 3.0))
        else:  # while it imports, moves, tags and suspends
            line = process.stdout.readline()
            # A round killed after it did all its work leaves nothing for the next one.
            assert line.startswith(("backed up", "nothing to change")), line
            time.sleep(moments.uniform(0.0, 0.4))
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()
        col = Collection(str(collection))  # opens: no lock was left behind
        try:
            problems, ok = col.fix_integrity()
            assert ok, problems
        finally:
            col.close()
    write_files(deck, {"40-bulk.md": bulk("Bulk renamed", "The item")})
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert [p.name for p in collection.parent.glob(".cardpress-backup-*")] == []
    anki = AnkiUser(tmp_path / "anki")
    try:
        assert ids(anki, f"tag:{REMOVED_TAG}") == REMOVED_V2
        assert ids(anki, "is:suspended") == REMOVED_V2
        assert {anki.deck_of(c) for c in anki.note("handshake").cards()} == {
            "Journey::More networking"
        }
        assert {anki.deck_of(c) for c in anki.cards('"Id:what-is-item-*"')} == {
            "Journey::Bulk renamed"
        }
        assert anki.col.fix_integrity()[1]
    finally:
        anki.close()


def test_profiles_are_found_where_anki_keeps_them(tmp_path):
    home = Path("/home/someone")
    assert anki_base({}, "linux", home) == home / ".local/share/Anki2"
    assert anki_base({"XDG_DATA_HOME": "/data"}, "linux", home) == Path("/data/Anki2")
    assert anki_base({}, "darwin", home) == home / "Library/Application Support/Anki2"
    assert anki_base({"APPDATA": "C:/Users/x/AppData/Roaming"}, "win32", home) == Path(
        "C:/Users/x/AppData/Roaming/Anki2"
    )
    assert anki_base({"ANKI_BASE": str(tmp_path)}, "darwin", home) == tmp_path

    env = {"ANKI_BASE": str(tmp_path)}
    with pytest.raises(UsageError, match="no Anki profile found"):
        find_collection(None, None, env)
    for name in ("Alice", "Bob"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "collection.anki2").write_bytes(b"")
    (tmp_path / "addons21").mkdir()
    with pytest.raises(UsageError, match=r"several Anki profiles \(Alice, Bob\)"):
        find_collection(None, None, env)
    with pytest.raises(UsageError, match="no Anki profile named 'Carol'"):
        find_collection("Carol", None, env)
    place = find_collection("Bob", None, env)
    assert place.path == tmp_path / "Bob" / "collection.anki2"
    assert place.backups == tmp_path / "Bob" / "backups"
