"""``serve`` and ``--watch`` keep parsed files, lock parts and cards' markup in memory
between builds: an edit decodes only what it touched, the edited file is parsed again,
what changed on disk is read again, and the outputs are byte for byte what a cold build
writes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardpress.caching import build_folder
from cardpress.lock import files, kept_parts
from cardpress.parse import cache, deck
from cardpress.parse import files as files_module
from cardpress.renderers.html import card_markup
from tests.parse.test_cache import content, section  # noqa: F401 (a fixture)

OUTPUTS = ("multi.apkg", "multi.html", "multi.json")


@pytest.fixture
def remembering() -> Iterator[None]:
    """What ``LiveBuilds`` turns on for its rounds, and off again."""
    for kept in (cache.REMEMBERED, kept_parts.REMEMBERED):
        kept.keep()
    try:
        yield
    finally:
        for kept in (cache.REMEMBERED, kept_parts.REMEMBERED):
            kept.forget()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The files parsed and the cache entries decoded, by build."""
    calls: dict[str, list[str]] = {"parsed": [], "decoded": []}
    parse_file, decode_entry = files_module.parse_file, cache.decode_entry

    def parsing(source, state):
        calls["parsed"].append(source.rel)
        return parse_file(source, state)

    def decoding(data, key):
        calls["decoded"].append(key)
        return decode_entry(data, key)

    monkeypatch.setattr(deck, "parse_file", parsing)  # as the deck imported it
    monkeypatch.setattr(cache, "decode_entry", decoding)
    return calls


def build(run_cli, content: Path, out: Path) -> None:  # noqa: F811
    result = run_cli("--content", content, "--out", out, "--only", "anki,html,json")
    assert result.status == 0, result.err


def cold_outputs(run_cli, content: Path, tmp_path: Path) -> dict[str, bytes]:  # noqa: F811
    """A copy of ``content`` (its lock included) built with no cache and no memory."""
    copy, out = tmp_path / "cold-content", tmp_path / "cold"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(content, copy)
    kept = cache.REMEMBERED._items, kept_parts.REMEMBERED._items, card_markup._kept
    cache.REMEMBERED.forget()
    kept_parts.REMEMBERED.forget()
    card_markup._kept = None
    try:
        build(run_cli, copy, out)
    finally:
        cache.REMEMBERED._items, kept_parts.REMEMBERED._items, card_markup._kept = kept
    lock = copy / "multi" / "cardpress.lock"
    assert lock.read_bytes() == (content / "multi" / "cardpress.lock").read_bytes()
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def test_an_edit_parses_the_edited_file_decodes_nothing_and_matches_a_cold_build(
    run_cli,
    content,  # noqa: F811
    tmp_path,
    monkeypatch,
    remembering,
    counted,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    out = tmp_path / "dist"
    build(run_cli, content, out)
    assert len(counted["parsed"]) == 5  # a first build parses every file
    for edit in ("\nEdited details.\n", "\nEdited again.\n"):
        counted["parsed"].clear()
        counted["decoded"].clear()
        (content / "multi" / "30.md").write_text(section(3, edit))
        build(run_cli, content, out)
        assert counted["parsed"] == ["multi/30.md"]  # the edited file, parsed again
        assert counted["decoded"] == []  # the others kept in memory, not read and decoded
        assert card_markup._kept is not None and len(card_markup._kept[1]) == 5
        written = {name: (out / name).read_bytes() for name in OUTPUTS}
        assert edit.strip().encode() in written["multi.json"]
        assert written == cold_outputs(run_cli, content, tmp_path)


def test_entries_damaged_on_disk_are_not_used_once_memory_is_gone(
    run_cli,
    content,  # noqa: F811
    tmp_path,
    monkeypatch,
    remembering,
    counted,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    out = tmp_path / "dist"
    build(run_cli, content, out)
    entries = sorted((build_folder(out) / "parse").glob("*.json"))
    assert len(entries) == 5
    for entry in entries:  # the right key, and a card's text forged
        entry.write_bytes(entry.read_bytes().replace(b"Answer ", b"Forged "))
    (content / "multi" / "30.md").write_text(section(3, "\nEdited.\n"))
    build(run_cli, content, out)  # memory: what this process parsed itself
    assert b"Forged" not in (out / "multi.json").read_bytes()
    cache.REMEMBERED.forget()
    for entry in (build_folder(out) / "parse").glob("*.json"):  # not the model's shape
        entry.write_bytes(entry.read_bytes().replace(b'"key"', b'"kye"'))
    counted["parsed"].clear()
    (content / "multi" / "30.md").write_text(section(3, "\nEdited twice.\n"))
    result = run_cli("--content", content, "--out", out, "--only", "anki,html,json")
    assert result.status == 0 and "parse cache entries could not be read" in result.err
    assert len(counted["parsed"]) == 5  # the damaged ones parsed again, and the edited one
    assert b"Forged" not in (out / "multi.json").read_bytes()


def test_a_lock_part_changed_on_disk_is_read_again_not_taken_from_memory(
    run_cli,
    content,  # noqa: F811
    tmp_path,
    remembering,
) -> None:
    out = tmp_path / "dist"
    build(run_cli, content, out)
    lock_path = content / "multi" / "cardpress.lock"
    part = files.part_files(lock_path)[0]
    saved = part.read_bytes()
    part.write_bytes(saved[:-8])  # cut short: no longer one whole gzip stream
    result = run_cli("--content", content, "--out", out, "--only", "anki,html,json")
    assert result.status == 1
    assert "lock file is damaged (a part is not" in result.err
    part.write_bytes(saved)
    build(run_cli, content, out)
