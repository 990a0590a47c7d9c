"""Nothing lost when ``cardpress sync`` or a build stops midway, checked with the real Anki
engine on a collection holding notes of the user's own: a sync killed at each of its
steps and run again ends in the collection one whole sync makes (notes, cards, decks,
tags, reviews; the user's own tags kept, a tag the Markdown removed gone); a disk that
fills after the import, a read-only collection, a backup that cannot be written and
Ctrl-C each end with one line that says what is wrong; a build whose lock file cannot be
written leaves the outputs as they were.

The full disks and read-only file systems are small tmpfs mounts made for the test; where
the tests cannot mount (not root, no mount in the container), those tests are skipped
and say so."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.anki_support import AnkiUser, after_this_second, database
from tests.support.files_support import png, write_files
from tests.support.interrupt_support import interrupted_at
from tests.support.journey_deck import BASICS_V2, FILES_V1, INDEX, MORE_V2, TOOLS_V2
from tests.support.sync_support import (
    STEPS,
    add_user_notes,
    can_mount,
    fill,
    remount,
    seen_by_user,
    small_disk,
    sync_process,
    user_notes,
)

V2: dict[str, str | bytes] = {
    "index.md": INDEX.replace("tags: [journey]", "tags: [trip]"),  # every note loses a tag
    "10-basics.md": BASICS_V2,
    "20-more.md": MORE_V2,
    "35-tools.md": TOOLS_V2,
    "img/square.png": png(4, 4, (20, 160, 20)),
}
MARKED = ("which-command-shows-the-route-to", "which-port-does-https-use")


@pytest.fixture(scope="module")
def start(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A collection with the user's own notes, into which the journey deck came through
    Anki's own import and was studied, two of its notes marked in Anki; then the Markdown
    changed (moves, removals, kind changes, the deck's tag changed)."""
    folder = tmp_path_factory.mktemp("start")
    AnkiUser(folder / "anki").close()
    add_user_notes(folder / "anki" / "collection.anki2")
    deck = write_files(folder / "content" / "journey", FILES_V1)
    command = [sys.executable, "-m", "cardpress", "--content", str(folder / "content")]
    built = subprocess.run(
        [*command, "--out", str(folder / "dist"), "--only", "anki"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    anki = AnkiUser(folder / "anki")
    try:
        anki.import_package(folder / "dist" / "journey.apkg")
        anki.study_all()
        for card_id in MARKED:
            [note] = anki.notes(f'"Id:{card_id}"')
            note.add_tag("marked")
            anki.col.update_note(note)
    finally:
        anki.close()
    after_this_second()
    (deck / "30-tools.md").unlink()
    write_files(deck, V2)
    shutil.rmtree(folder / "dist")
    return folder


def copy_of(start: Path, to: Path) -> tuple[Path, Path]:
    """The collection file and the content folder of a fresh copy of ``start``."""
    shutil.copytree(start, to)
    return to / "anki" / "collection.anki2", to / "content"


@pytest.fixture(scope="module")
def whole_sync(start: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What one uninterrupted sync makes of the collection."""
    collection, content = copy_of(start, tmp_path_factory.mktemp("whole") / "copy")
    done = sync_process("--content", content, "--collection", collection)
    assert done.returncode == 0, done.stderr
    seen = seen_by_user(collection)
    anki = AnkiUser(collection.parent)
    try:
        for card_id in MARKED:  # the user's tags kept, the tag the Markdown removed gone
            [note] = anki.notes(f'"Id:{card_id}" -tag:cardpress::removed')
            assert "marked" in note.tags and "trip" in note.tags and "journey" not in note.tags
        assert anki.notes("tag:journey -tag:cardpress::removed") == []
    finally:
        anki.close()
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("steps", [(step,) for step in STEPS] + [("imported", "applied")])
def test_a_sync_killed_at_any_step_then_run_again_ends_as_one_sync(
    start, whole_sync, tmp_path, steps
):
    collection, content = copy_of(start, tmp_path / "copy")
    users = user_notes(collection)
    for step in steps:
        killed = sync_process("--content", content, "--collection", collection, stop_at=step)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
    again = sync_process("--content", content, "--collection", collection)
    assert again.returncode == 0, again.stderr
    assert seen_by_user(collection) == whole_sync
    assert [row[1:5] + row[6:] for row in user_notes(collection)] == [
        row[1:5] + row[6:] for row in users
    ]


@pytest.fixture
def mounts(tmp_path: Path) -> Path:
    why = can_mount(tmp_path)
    if why:
        pytest.skip(f"the test needs a small file system of its own: {why}")
    return tmp_path


def test_a_disk_full_after_the_import_keeps_the_users_tags(
    start, whole_sync, mounts, run_cli, monkeypatch
):
    import cardpress.commands.sync as sync_command

    with small_disk(mounts / "disk", "48m") as disk:
        shutil.copytree(start / "anki", disk / "anki")
        collection = disk / "anki" / "collection.anki2"
        content = mounts / "content"
        shutil.copytree(start / "content", content)
        filled: list[Path] = []

        def fill_after_import(step: str) -> None:
            if step == "imported":
                filled.append(fill(disk))

        monkeypatch.setattr(sync_command, "checkpoint", fill_after_import)
        result = run_cli("sync", "--content", content, "--collection", collection)
        assert filled and result.status == 1
        assert "Traceback" not in result.err and "DbError" not in result.err
        [line] = result.err.strip().splitlines()
        assert line.startswith(f"cardpress: error: {collection}: Anki could not write")
        assert "the disk is full" in line and "run cardpress sync again" in line
        filled[0].unlink()
        monkeypatch.undo()
        result = run_cli("sync", "--content", content, "--collection", collection)
        assert result.status == 0, result.err
        assert seen_by_user(collection) == whole_sync


def test_a_read_only_collection_is_named_as_such(start, mounts, tmp_path):
    collection, content = copy_of(start, tmp_path / "copy")
    before = seen_by_user(collection)

    def refused(path: Path, bind: bool = False) -> str:
        done = sync_process("--content", content, "--collection", path, permissions_bind=bind)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "close Anki" not in done.stderr and "nothing was changed" in done.stderr
        return done.stderr

    with small_disk(mounts / "disk", "48m") as disk:
        shutil.copytree(collection.parent, disk / "anki")
        remount(disk, "ro")
        err = refused(disk / "anki" / "collection.anki2")
        assert "the collection is on a read-only file system" in err
        remount(disk, "rw")
    os.chmod(collection, 0o444)  # the permissions bind a process without root's override
    assert "the collection file is read-only" in refused(collection, bind=True)
    os.chmod(collection, 0o644)
    os.chmod(collection.parent, 0o555)
    assert "the collection's folder is read-only" in refused(collection, bind=True)
    os.chmod(collection.parent, 0o755)
    if subprocess.run(["chattr", "+i", collection], capture_output=True).returncode == 0:
        try:  # immutable: root itself cannot write it
            assert "the collection file is read-only" in refused(collection)
        finally:
            subprocess.run(["chattr", "-i", collection], check=True)
    assert seen_by_user(collection) == before
    assert list(collection.parent.glob("*.colpkg")) == []


def test_a_backup_that_does_not_fit_says_so_in_words(start, mounts, tmp_path):
    collection, content = copy_of(start, tmp_path / "copy")
    before = seen_by_user(collection)
    copy = tmp_path / "vacuumed.anki2"
    anki = AnkiUser(collection.parent)
    try:
        database(anki.col).execute("vacuum into ?", str(copy))
    finally:
        anki.close()
    size = copy.stat().st_size  # the backup's copy fits, the packed backup does not
    profile = tmp_path / "Anki2" / "User 1"
    shutil.copytree(collection.parent, profile)
    with small_disk(profile / "backups", f"{size // 1024 + 8}k"):
        done = sync_process("--content", content, env={"ANKI_BASE": str(profile.parent)})
        assert done.returncode == 1, done.stdout
        [line] = done.stderr.strip().splitlines()
        assert "cannot write the backup" in line and "nothing was changed" in line
        assert "{" not in line and "ZipWriter" not in done.stderr
    assert seen_by_user(profile / "collection.anki2") == before


@pytest.mark.parametrize("point", ["started", "planned", "imported", "finished"])
def test_ctrl_c_anywhere_in_a_sync_is_one_line_and_130(start, whole_sync, tmp_path, point):
    """Ctrl-C at a point the sync announces and holds, so that it comes exactly there
    however loaded the machine: before anything is loaded, with the collection open but
    not yet changed, in the middle of the changes, and once the sync is done."""
    collection, content = copy_of(start, tmp_path / "copy")
    before = seen_by_user(collection)
    command: list[str | Path] = [sys.executable, "-m", "cardpress", "sync", "--content", content]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SOURCE_DATE_EPOCH", None)
    done = interrupted_at([*command, "--collection", collection], point, tmp_path / "held", env)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    if point in ("started", "finished"):
        assert last == "cardpress: interrupted", done.stderr
    else:
        assert last == "cardpress: interrupted; the collection opens and checks clean"
    seen = seen_by_user(collection)
    if point in ("started", "planned"):
        assert seen == before
    if point == "finished":
        assert seen == whole_sync
    anki = AnkiUser(collection.parent)
    try:
        assert anki.col.fix_integrity()[1]
    finally:
        anki.close()


def test_a_build_that_cannot_write_its_lock_file_keeps_the_outputs(mounts, tmp_path):
    with small_disk(mounts / "disk", "2m") as disk:
        content = write_files(disk / "content", {"journey/" + k: v for k, v in FILES_V1.items()})
        out = tmp_path / "dist"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("SOURCE_DATE_EPOCH", None)
        command = [sys.executable, "-m", "cardpress", "--content", str(content), "--out", str(out)]
        command += ["--only", "anki,html,json"]
        assert subprocess.run(command, env=env, capture_output=True).returncode == 0
        lock = content / "journey" / "cardpress.lock"
        outputs = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
        locked = lock.read_bytes()
        after_this_second()
        write_files(content / "journey", {"10-basics.md": BASICS_V2, "20-more.md": MORE_V2})
        filler = fill(disk)
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert f"{lock.parent}: cannot write the lock file cardpress.lock" in done.stderr
        assert "No space left on device" in done.stderr
        assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == outputs
        assert lock.read_bytes() == locked
        assert [p.name for p in lock.parent.glob(".cardpress.lock.*")] == []
        filler.unlink()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert lock.read_bytes() != locked
        assert (out / "journey.apkg").read_bytes() != outputs["journey.apkg"]
