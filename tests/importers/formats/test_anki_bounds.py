"""Anki packages built to fill the disk (zip bombs, zstd bombs, headers that lie about
sizes) are refused before Anki's backend unpacks anything; real packages pass."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from cardpress.importers.formats import anki_bounds as package_bounds
from cardpress.importers.formats.anki_bounds import ZSTD_MAGIC, _unpacked_size
from tests.conftest import snapshot
from tests.importers.formats.test_anki import packages  # noqa: F401 (a fixture)
from tests.support.anki_packages import export

MIB = 1 << 20


def _copy_with(source: Path, target: Path, extra: dict[str, tuple[bytes, int]]) -> Path:
    """``source`` with members replaced or added: name -> (bytes, compression)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename not in extra:
                new.writestr(info, old.read(info))
        for name, (data, compression) in extra.items():
            new.writestr(name, data, compress_type=compression)
    return target


def _lie_about_size(path: Path, name: str, size: int) -> None:
    """Rewrite the uncompressed size of member ``name`` in its local and central headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as package:
        offset = package.getinfo(name).header_offset
    struct.pack_into("<I", data, offset + 22, size)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + length] == name.encode():
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as package:
        assert package.getinfo(name).file_size == size


def _zstd_rle_bomb(blocks: int) -> bytes:
    """A valid zstd frame of ``blocks`` RLE blocks of 128 KiB of zeros: 4 bytes each."""
    frame = bytearray(ZSTD_MAGIC + bytes([0x00, 0x58]))  # no checksum; 8 MiB window
    for i in range(blocks):
        last = 1 if i == blocks - 1 else 0
        frame += ((128 * 1024) << 3 | 1 << 1 | last).to_bytes(3, "little") + b"\0"
    return bytes(frame)


def test_the_zstd_bound_holds_on_real_packages(packages, tmp_path) -> None:  # noqa: F811
    """The bound read from block headers is never below what zstd really decompresses,
    and not far above it (one block per frame at most)."""
    if shutil.which("zstd") is None:
        pytest.skip("the zstd command is not installed")
    bomb = tmp_path / "bomb.zst"
    bomb.write_bytes(_zstd_rle_bomb(40))
    checked = [bomb.read_bytes()]
    for package in (packages["new.apkg"], packages["all.colpkg"]):
        with zipfile.ZipFile(package) as opened:
            checked += [opened.read(i) for i in opened.infolist()]
    seen = 0
    for data in checked:
        if not data.startswith(ZSTD_MAGIC):
            continue
        real = subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=True)
        stream = tmp_path / "member.zip"
        with zipfile.ZipFile(stream, "w") as one:
            one.writestr("m", data)
        with zipfile.ZipFile(stream) as one, open(stream, "rb") as raw:
            bound = _unpacked_size(raw, one.getinfo("m"), 1 << 40)
        assert len(real.stdout) <= bound <= len(real.stdout) + 128 * 1024
        seen += 1
    assert seen >= 3  # the bomb and each package's collection.anki21b


BOMBS = {
    "deflate": "member '9' unpacks to more than 100 times its packed size",
    "lying header": "member '9' unpacks to more than 100 times its packed size",
    "zstd": "member 'collection.anki21b' unpacks to more than 100 times its packed size",
    "many members": "its members unpack to more than 64.0 MiB together",
    "too many members": "it has 21 members, more than 20",
    "other compression": "member '9' uses a compression Anki does not write",
}


@pytest.mark.parametrize("bomb", BOMBS)
def test_a_package_that_unpacks_to_too_much_is_refused_before_unpacking(
    packages,  # noqa: F811
    bomb,
    tmp_path,
    monkeypatch,
    run_cli,
) -> None:
    zeros = bytes(8 * MIB)
    path = tmp_path / "deck.apkg"
    if bomb == "deflate":
        _copy_with(packages["legacy.apkg"], path, {"9": (zeros, zipfile.ZIP_DEFLATED)})
    elif bomb == "lying header":
        _copy_with(packages["legacy.apkg"], path, {"9": (zeros, zipfile.ZIP_DEFLATED)})
        _lie_about_size(path, "9", 1000)
    elif bomb == "zstd":
        member = {"collection.anki21b": (_zstd_rle_bomb(100), zipfile.ZIP_STORED)}
        _copy_with(packages["new.apkg"], path, member)
    elif bomb == "many members":
        small = bytes(MIB - 1)  # under the size from which a member's own ratio counts
        members = {str(i): (small, zipfile.ZIP_DEFLATED) for i in range(70)}
        _copy_with(packages["legacy.apkg"], path, members)
    elif bomb == "too many members":
        monkeypatch.setattr(package_bounds, "MAX_MEMBERS", 20)  # 200,000 costs a minute
        with zipfile.ZipFile(packages["legacy.apkg"]) as legacy:
            count = 21 - len(legacy.infolist())
        members = {f"m{i}": (b"", zipfile.ZIP_STORED) for i in range(count)}
        _copy_with(packages["legacy.apkg"], path, members)
    else:
        _copy_with(packages["legacy.apkg"], path, {"9": (b"x" * 100, zipfile.ZIP_BZIP2)})
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.chdir(tmp_path)

    result = run_cli("import", "anki", "deck.apkg", "--to", "content/deck")
    assert result.status == 1, result.err
    assert result.err.startswith(
        f"cardpress: error: deck.apkg: package refused before unpacking: {BOMBS[bomb]}"
    ), result.err
    assert result.err.endswith("(these limits stop zip bombs)\n")
    assert not Path("content").exists()
    assert list(temp.iterdir()) == []  # nothing was unpacked


def test_real_packages_are_within_the_bounds(packages, tmp_path, monkeypatch, run_cli) -> None:  # noqa: F811
    """A package whose members compress well but not absurdly (a 4 MiB text member
    deflated about 30 times) imports."""
    text = b"".join(b"line %d of a long field in a deck\n" % i for i in range(120_000))
    path = _copy_with(
        packages["legacy.apkg"], tmp_path / "deck.apkg", {"9": (text, zipfile.ZIP_DEFLATED)}
    )
    with zipfile.ZipFile(path) as package:
        info = package.getinfo("9")
    assert 10 < info.file_size / info.compress_size < 100
    monkeypatch.chdir(tmp_path)
    result = run_cli("import", "anki", "deck.apkg", "--to", "content/deck")
    assert result.status == 0, result.err
    assert "4 cards in 3 sections" in result.out


# ---- A deck too big for one file ----------------------------------------------------------

NOTES = 6_000


def _big_collection(folder: Path, notes: int) -> Any:
    """A deck of ``notes`` notes of about 300 bytes, a fifth in a subdeck; fixed GUIDs."""
    from anki.collection import Collection

    folder.mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / "collection.anki2"))
    _add(col, range(notes))
    return col


def _add(col: Any, numbers: range) -> None:
    from anki.collection import AddNoteRequest

    top, sub = col.decks.id("Japanese"), col.decks.id("Japanese::Kanji")
    requests = []
    for i in numbers:
        note = col.new_note(col.models.by_name("Basic"))
        note.guid = f"note{i:06d}"
        note["Front"] = f"What does word number {i} mean?"
        note["Back"] = f"Meaning {i}: " + "a fairly ordinary answer of a few words " * 6
        requests.append(AddNoteRequest(note, sub if i % 5 == 0 else top))
    col.add_notes(requests)


def _where_each_note_is(deck: Path) -> dict[str, tuple[str, str]]:
    """GUID -> (file, card id) of every card of the imported deck folder."""
    found: dict[str, tuple[str, str]] = {}
    for path in sorted(deck.glob("*.md")):
        for match in re.finditer(
            r"<!-- id: ([^;>\n]+);[^>\n]*guid: (note\d+) -->", path.read_text()
        ):
            found[match.group(2)] = (path.name, match.group(1))
    return found


@pytest.mark.slow
def test_a_deck_too_big_for_one_file_is_split_the_same_way_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Any
) -> None:
    col = _big_collection(tmp_path / "anki", NOTES)
    export(col, tmp_path / "big.apkg", legacy=True)
    monkeypatch.chdir(tmp_path)
    result = run_cli("import", "anki", "big.apkg", "--to", "content/big")
    assert result.status == 0, result.err
    assert f"{NOTES} cards in " in result.out
    deck = Path("content/big")
    files = sorted(p.name for p in deck.glob("*.md"))
    parts = [name for name in files if re.fullmatch(r"japanese_\d\d\.md", name)]
    assert files == ["index.md", "japanese.md", *parts, "kanji.md"]  # Kanji: 430 KB
    assert len(parts) >= 2
    sizes = [(deck / name).stat().st_size for name in files]
    assert max(sizes) <= (1 << 20) // 2 + 4096 and sum(sizes) > 1 << 20
    before = _where_each_note_is(deck)
    assert len(before) == NOTES and len(set(before.values())) == NOTES

    written = snapshot(deck)
    again = run_cli("import", "anki", "big.apkg", "--to", "content/big")
    assert again.status == 0 and again.out.endswith("content/big is up to date\n")
    assert snapshot(deck) == written

    # New notes in both decks, and one note made longer: every other note stays put,
    # under the same id; the build reads the deck.
    _add(col, range(NOTES, NOTES + 300))
    edited = col.get_note(col.db.scalar("select id from notes where guid = 'note002500'"))
    edited["Back"] += " and now a little longer"
    col.update_note(edited)
    export(col, tmp_path / "big.apkg", legacy=True)
    col.close()
    result = run_cli("import", "anki", "big.apkg", "--to", "content/big")
    assert result.status == 0, result.err
    after = _where_each_note_is(deck)
    assert len(after) == NOTES + 300
    moved = [guid for guid, place in before.items() if after[guid] != place]
    # Kanji grew past one file: its notes from the first boundary on moved to kanji_02.md.
    assert not [guid for guid in moved if before[guid][0] != "kanji.md"]
    kept = [guid for guid in before if after[guid] == before[guid] and after[guid][0] == "kanji.md"]
    assert (
        len(kept) >= 100
        and kept == sorted(g for g in before if before[g][0] == "kanji.md")[: len(kept)]
    )
    assert {after[guid][0] for guid in moved} == {"kanji_02.md"}
    assert all(after[guid][1] == before[guid][1] for guid in before)  # ids kept
    build = run_cli("--content", "content", "--out", "dist", "--only", "json")
    assert build.status == 0, build.err
