"""Folders that cannot be read: an error with the path, never a skipped deck or a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import format_example, snapshot
from tests.support.fs_support import build_with_permissions

FRONT = "---\ntitle: Folder\nid: folder\n---\n\n## Intro\n\n### Zero?\n\nA0.\n"


@pytest.fixture
def locked() -> Iterator[list[Path]]:
    """Folders a test makes unreadable; made readable again afterwards, for cleanup."""
    folders: list[Path] = []
    yield folders
    for folder in folders:
        folder.chmod(0o755)


def _deck_in_a_folder(content: Path) -> tuple[Path, str]:
    part = content / "folder" / "part"
    part.mkdir(parents=True)
    (content / "folder" / "index.md").write_text(FRONT)
    (part / "cards.md").write_text("## Part\n\n### One?\n\nA1.\n")
    return part, f"{content}/folder/part/: error: cannot list folder"


def _deck_in_the_content_folder(content: Path) -> tuple[Path, str]:
    content.mkdir()
    (content / "networking.md").write_text(format_example())
    return content, f"{content}: error: cannot list the content folder"


@pytest.mark.parametrize("make", [_deck_in_a_folder, _deck_in_the_content_folder])
def test_a_folder_that_cannot_be_listed_is_an_error(tmp_path, locked, make) -> None:
    content = tmp_path / "content"
    unlisted, error = make(content)
    unlisted.chmod(0)
    locked.append(unlisted)
    out = tmp_path / "dist"
    result = build_with_permissions("--content", content, "--out", out)
    assert result.returncode == 1
    assert result.stderr == (
        f"{error}: Permission denied\ncardpress: 1 error(s), 0 warning(s); nothing written\n"
    )
    assert not out.exists()


def test_an_output_folder_that_is_a_file_is_refused(run_cli, example_content, tmp_path):
    blocker = tmp_path / "dist"
    blocker.write_text("not a folder")
    for out in (blocker, blocker / "sub"):
        result = run_cli("--content", example_content, "--out", out)
        assert result.status == 2
        assert result.err == f"cardpress: error: --out {out}: {blocker} is a file, not a folder\n"
    assert blocker.read_text() == "not a folder"


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """The example deck built once, then edited: the next build has everything to write."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "networking.md").write_text(format_example())
    out = tmp_path / "dist"
    first = build_with_permissions("--content", content, "--out", out, "--only", "anki,html,json")
    assert first.returncode == 0, first.stderr
    deck = content / "networking.md"
    deck.write_text(deck.read_text().replace("ordered delivery?", "ordered delivery, edited?"))
    return content, out, snapshot(out)


def test_a_read_only_output_folder_is_an_error(built, locked):
    content, out, before = built
    out.chmod(0o555)
    locked.append(out)
    result = build_with_permissions("--content", content, "--out", out, "--only", "anki,html,json")
    assert result.returncode == 1
    assert result.stderr == (
        f"cardpress: error: {out}: cannot write the outputs (Permission denied); "
        "the previous outputs were left as they were\n"
    )
    assert snapshot(out) == before


def test_a_full_disk_leaves_the_old_outputs(built):
    content, out, before = built
    lock = (content / "networking.lock").read_bytes()
    result = build_with_permissions(
        "--content", content, "--out", out, "--only", "anki,html,json", file_size_limit=20_000
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"cardpress: error: {out}: cannot write the outputs (File too large); "
        "the previous outputs were left as they were\n"
    )
    assert snapshot(out) == before  # no temporary file left either
    assert (content / "networking.lock").read_bytes() == lock
    again = build_with_permissions("--content", content, "--out", out, "--only", "anki,html,json")
    assert again.returncode == 0, again.stderr
    assert "edited" in (out / "networking-basics.json").read_text()
