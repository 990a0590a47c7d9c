"""The lock on disk (``cardpress.lock.files``): an index of one line a card and one
compressed part a section; an edit rewrites the index and the parts it touched; an old
lock (one file, or a version 3 index with plain parts) is read and written back as an
index and parts with every id, note and stamp it held."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

from cardpress.lock import Lock, files
from tests.conftest import RunCli
from tests.support.lock_files import lock_data, write_old_lock
from tests.support.paths import DATA, ROOT

SHIPPED = ROOT / "content" / "aws-devops"
LOCK = "networking.lock"
DECK = "networking-basics"


def build(run_cli: RunCli, content: Path, out: Path) -> None:
    result = run_cli("--content", content, "--out", out, "--only", "anki")
    assert result.status == 0, result.err


def edit(content: Path, old: str, new: str) -> None:
    path = content / "networking.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def card_lines(index: str) -> list[str]:
    """The index's lines of cards: an id, then an array."""
    start = index.index(' "cards": {')
    return [line for line in index[start:].splitlines()[1:] if line.startswith('  "')]


def parts_of(content: Path) -> dict[str, bytes]:
    folder = files.parts_folder(content / LOCK)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def note_guids(package: Path) -> dict[str, str]:
    """Card id (the last field) -> GUID of every note of an .apkg."""
    with zipfile.ZipFile(package) as archive:
        data = archive.read("collection.anki2")
    db_path = package.with_suffix(".anki2")
    db_path.write_bytes(data)
    db = sqlite3.connect(db_path)
    try:
        return {f.split("\x1f")[-1]: g for g, f in db.execute("SELECT guid, flds FROM notes")}
    finally:
        db.close()


def test_the_index_holds_one_line_a_card_and_the_parts_one_a_section(
    run_cli: RunCli, example_content: Path, tmp_path: Path
) -> None:
    build(run_cli, example_content, tmp_path / "d")
    index = (example_content / LOCK).read_text(encoding="utf-8")
    lock = Lock.read(example_content / LOCK, DECK, 0)
    lines = card_lines(index)
    assert len(lines) == len(lock.cards) > 3
    assert lines == sorted(lines)  # by id: a stable order for review
    for line in lines:  # each card's hashes, kind, place and note stamp on its line
        card_id, row = json.loads("{" + line.rstrip(",") + "}").popitem()
        card = lock.cards[card_id]
        stamp = lock.stamps[f"{files.NOTE_STAMP}{card_id}"]
        assert row == [card.question, card.answer, card.kind, card.section, *stamp]
    assert set(parts_of(example_content)) == {"transport.json.gz", "tools.json.gz"}
    data = lock_data(example_content / LOCK)
    assert all("fields" in entry["anki"] for entry in data["cards"].values())
    for raw in parts_of(example_content).values():  # gzip, one line a note
        text = gzip.decompress(raw).decode()
        assert text.startswith('{\n "cardpress_lock_part": 4,\n "notes": {\n  "')
    assert lock.serialise() == files.LockFiles(
        (example_content / LOCK).read_bytes(),
        {name.removesuffix(".json.gz"): raw for name, raw in parts_of(example_content).items()},
    )  # the same lock gives the same bytes


def test_an_edit_rewrites_the_index_and_only_the_part_it_touched(
    run_cli: RunCli, example_content: Path, tmp_path: Path
) -> None:
    build(run_cli, example_content, tmp_path / "d")
    before = parts_of(example_content)
    index = (example_content / LOCK).read_bytes()
    folder = files.parts_folder(example_content / LOCK)
    times = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    edit(example_content, "A 16-bit number", "A 16-bit unsigned number")  # the card "port"
    build(run_cli, example_content, tmp_path / "d")
    after = parts_of(example_content)
    assert after["tools.json.gz"] == before["tools.json.gz"]
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}["tools.json.gz"] == times[
        "tools.json.gz"
    ]  # not written again
    assert after["transport.json.gz"] != before["transport.json.gz"]
    assert (example_content / LOCK).read_bytes() != index
    changed = [
        line
        for line, old in zip(
            (example_content / LOCK).read_text().splitlines(),
            index.decode().splitlines(),
            strict=True,
        )
        if line != old
    ]
    cards = [line for line in changed if line in card_lines((example_content / LOCK).read_text())]
    assert len(cards) == 1 and cards[0].startswith('  "port": [')  # one card's line
    assert len(changed) == 3  # and the deck's date, its fingerprint and time


def test_a_section_gone_takes_its_part_with_it(
    run_cli: RunCli, example_content: Path, tmp_path: Path
) -> None:
    build(run_cli, example_content, tmp_path / "d")
    text = (example_content / "networking.md").read_text(encoding="utf-8")
    tools = text.index("## Tools")
    (example_content / "networking.md").write_text(text[:tools], encoding="utf-8")
    build(run_cli, example_content, tmp_path / "d")
    lock = Lock.read(example_content / LOCK, DECK, 0)
    removed = sorted(i for i, c in lock.cards.items() if c.removed)
    assert removed  # tombstones: their notes are kept, in the part of their last section
    assert "tools.json.gz" in parts_of(example_content)
    assert run_cli("forget-removed", "--content", example_content).status == 0
    assert set(parts_of(example_content)) == {"transport.json.gz"}
    assert (
        sorted(i for i, c in Lock.read(example_content / LOCK, DECK, 0).cards.items() if c.removed)
        == removed
    )


def test_an_old_lock_is_migrated_with_every_id_note_and_stamp(
    run_cli: RunCli, example_content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "d"
    build(run_cli, example_content, out)
    edit(
        example_content,
        "### Port\n<!-- kind: reversed -->\n",
        "### Port\n<!-- id: port-number; was: port -->\n<!-- kind: reversed -->\n",
    )
    build(run_cli, example_content, out)  # a rename: the old id stays taken
    text = (example_content / "networking.md").read_text(encoding="utf-8")
    tools = text.index("## Tools")
    (example_content / "networking.md").write_text(text[:tools], encoding="utf-8")
    build(run_cli, example_content, out)  # tombstones
    guids = note_guids(out / f"{DECK}.apkg")
    package = (out / f"{DECK}.apkg").read_bytes()
    held = lock_data(example_content / LOCK)
    held["cardpress_lock"] = 2
    write_old_lock(example_content / LOCK, held)  # as an earlier cardpress wrote it
    old = Lock.read(example_content / LOCK, DECK, 0)
    assert old.tombstones() and old.renamed_note_ids() == {"port-number": "port"}

    build(run_cli, example_content, tmp_path / "e")
    assert (tmp_path / "e" / f"{DECK}.apkg").read_bytes() == package  # same ids, stamps, notes
    assert note_guids(tmp_path / "e" / f"{DECK}.apkg") == guids
    new = Lock.read(example_content / LOCK, DECK, 0)
    assert (example_content / LOCK).read_bytes().startswith(b'{\n "cardpress_lock": 4,')
    assert new.cards == old.cards and new.stamps == old.stamps and new.content == old.content
    assert set(new.cards) == set(held["cards"])


def test_the_shipped_old_lock_is_migrated_without_losing_a_note_id(
    run_cli: RunCli, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(SHIPPED, content / "aws-devops")
    lock_path = content / "aws-devops" / "cardpress.lock"
    shutil.rmtree(files.parts_folder(lock_path), ignore_errors=True)
    shutil.copyfile(DATA / "locks" / "aws-devops.v2.lock", lock_path)
    old = Lock.read(lock_path, "aws-devops", 0)
    assert old.cards and not files.parts_folder(lock_path).exists()
    result = run_cli("--content", content, "--out", tmp_path / "d", "--only", "anki")
    assert result.status == 0, result.err
    new = Lock.read(lock_path, "aws-devops", 0)
    assert set(new.cards) == set(old.cards)
    for card_id, entry in old.cards.items():
        assert new.note_id(card_id) == old.note_id(card_id)
        assert (new.cards[card_id].question, new.cards[card_id].answer) == (
            entry.question,
            entry.answer,
        )
    assert lock_data(lock_path)["cardpress_lock"] == 4
    assert files.parts_folder(lock_path).is_dir()


def test_a_version_3_lock_is_migrated_with_the_same_package_and_its_old_parts_removed(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The shipped deck's lock as version 3 wrote it (an index of one object a card, plain
    JSON parts): the next build writes version 4 and the same package as from version 4."""
    content = tmp_path / "content"
    shutil.copytree(SHIPPED, content / "aws-devops")
    lock_path = content / "aws-devops" / "cardpress.lock"
    result = run_cli("--content", content, "--out", tmp_path / "new", "--only", "anki")
    assert result.status == 0, result.err
    package = (tmp_path / "new" / "aws-devops.apkg").read_bytes()
    v4 = Lock.read(lock_path, "aws-devops", 0)
    shutil.rmtree(files.parts_folder(lock_path))
    shutil.copytree(DATA / "locks" / "aws-devops.v3", lock_path.parent, dirs_exist_ok=True)
    old = Lock.read(lock_path, "aws-devops", 0)
    assert lock_data(lock_path)["cardpress_lock"] == 3 and old.cards == v4.cards
    assert old.stamps == v4.stamps and old.tombstones() == v4.tombstones()

    result = run_cli("--content", content, "--out", tmp_path / "migrated", "--only", "anki")
    assert result.status == 0, result.err
    assert (tmp_path / "migrated" / "aws-devops.apkg").read_bytes() == package
    assert lock_data(lock_path)["cardpress_lock"] == 4
    assert all(p.name.endswith(".json.gz") for p in files.part_files(lock_path))
    new = Lock.read(lock_path, "aws-devops", 0)
    assert new.cards == old.cards and new.stamps == old.stamps
    assert {c.built for c in new.cards.values()} == {c.built for c in old.cards.values()}


def test_a_missing_part_is_a_damaged_lock_and_a_stray_note_is_dropped(
    run_cli: RunCli, example_content: Path, tmp_path: Path
) -> None:
    build(run_cli, example_content, tmp_path / "d")
    part = files.part_path(example_content / LOCK, "tools")
    saved = part.read_bytes()
    part.unlink()
    result = run_cli("--content", example_content, "--out", tmp_path / "e", "--only", "anki")
    assert result.status == 1
    assert (
        f"{LOCK}:1: error: lock file is damaged (its part {LOCK}.d/tools.json.gz is missing)"
        in result.err
    )
    assert not (tmp_path / "e").exists() or not any((tmp_path / "e").iterdir())
    transport = files.part_path(example_content / LOCK, "transport")
    held = transport.read_bytes()
    stray = gzip.decompress(held).replace(b'  "port": ', b'  "nobody": ')
    transport.write_bytes(gzip.compress(stray, mtime=0))
    part.write_bytes(saved)
    # A note of a card the index does not know (a build stopped after moving its parts,
    # before its index) is dropped: the card's note is recorded again by the next build.
    build(run_cli, example_content, tmp_path / "e")
    assert transport.read_bytes() == held


def test_a_part_that_is_not_whole_gzip_or_too_big_once_inflated_is_a_damaged_lock(
    run_cli: RunCli, example_content: Path, tmp_path: Path, monkeypatch
) -> None:
    build(run_cli, example_content, tmp_path / "d")
    part = files.part_path(example_content / LOCK, "tools")
    saved = part.read_bytes()
    part.write_bytes(saved[: len(saved) // 2])  # cut short, as a failed copy leaves it
    result = run_cli("--content", example_content, "--out", tmp_path / "e", "--only", "anki")
    assert result.status == 1
    assert f"{LOCK}:1: error: lock file is damaged (a part is not" in result.err
    part.write_bytes(saved)
    monkeypatch.setattr(files, "MAX_PART_BYTES", len(gzip.decompress(saved)) - 1)
    result = run_cli("--content", example_content, "--out", tmp_path / "e", "--only", "anki")
    assert result.status == 1
    assert "lock file is damaged (a part holds over" in result.err
    assert not (tmp_path / "e").exists() or not any((tmp_path / "e").iterdir())


def test_an_index_line_of_the_wrong_shape_is_a_damaged_lock(
    run_cli: RunCli, example_content: Path, tmp_path: Path
) -> None:
    build(run_cli, example_content, tmp_path / "d")
    index = example_content / LOCK
    text = index.read_text(encoding="utf-8")
    line = next(line for line in card_lines(text) if line.startswith('  "port": ['))
    for wrong in (line.replace("[", '["x", ', 1), line.replace("]", ', {"guid": "g"}]')):
        index.write_text(text.replace(line, wrong), encoding="utf-8")
        result = run_cli("--content", example_content, "--out", tmp_path / "e", "--only", "anki")
        assert result.status == 1
        assert "lock file is damaged (an entry has the wrong type)" in result.err
