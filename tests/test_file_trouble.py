"""Folders that cannot be read: an error with the path, never a skipped deck or a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import format_example
from tests.fs_support import build_with_permissions

FRONT = "---\ntitle: Folder\nid: folder\n---\n\n## Intro\n\n### Zero?\n\nA0.\n"


@pytest.fixture
def locked() -> Iterator[list[Path]]:
    """Folders a test makes unreadable; made readable again afterwards, for cleanup."""
    folders: list[Path] = []
    yield folders
    for folder in folders:
        folder.chmod(0o755)


def test_a_subfolder_that_cannot_be_listed_is_an_error(tmp_path, locked):
    content = tmp_path / "content"
    part = content / "folder" / "part"
    part.mkdir(parents=True)
    (content / "folder" / "index.md").write_text(FRONT)
    (part / "cards.md").write_text("## Part\n\n### One?\n\nA1.\n")
    part.chmod(0)
    locked.append(part)
    out = tmp_path / "dist"
    result = build_with_permissions("--content", content, "--out", out)
    assert result.returncode == 1
    assert result.stderr == (
        "folder/part/: error: cannot list folder: Permission denied\n"
        "cardpress: 1 error(s), 0 warning(s); nothing written\n"
    )
    assert not out.exists()


def test_a_content_folder_that_cannot_be_listed_is_an_error(tmp_path, locked):
    content = tmp_path / "content"
    content.mkdir()
    (content / "networking.md").write_text(format_example())
    content.chmod(0)
    locked.append(content)
    out = tmp_path / "dist"
    result = build_with_permissions("--content", content, "--out", out)
    assert result.returncode == 1
    assert result.stderr == (
        f"{content}: error: cannot list the content folder: Permission denied\n"
        "cardpress: 1 error(s), 0 warning(s); nothing written\n"
    )
    assert not out.exists()
