"""Anki packages built to fill the disk (zip bombs, zstd bombs, headers that lie about
sizes) are refused before Anki's backend unpacks anything; real packages pass."""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

from cardpress.importers import package_bounds
from cardpress.importers.package_bounds import ZSTD_MAGIC, _unpacked_size
from tests.test_import_anki import packages  # noqa: F401 (a fixture)

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


def test_the_zstd_bound_holds_on_real_packages(packages, tmp_path) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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
    assert result.err.endswith("(these limits stop zip bombs; docs/trust.md lists them)\n")
    assert not Path("content").exists()
    assert list(temp.iterdir()) == []  # nothing was unpacked


def test_real_packages_are_within_the_bounds(packages, tmp_path, monkeypatch, run_cli) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
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
