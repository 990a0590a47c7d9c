"""Which files make up which deck (``cardpress.content.sources.discover``)."""

from __future__ import annotations

import os
from pathlib import Path

from cardpress.content.sources import (
    DeckSources,
    MissingIndex,
    OutsideLink,
    Unusable,
    discover,
)


def files(root: Path, *names: str) -> Path:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# x\n", encoding="utf-8")
    return root.resolve()


def test_a_file_and_a_folder_deck_with_their_lock_files(tmp_path: Path) -> None:
    root = files(tmp_path, "b.md", "a/index.md", "a/z.md", "a/part/m.md", "README.md")
    found = list(discover(root))
    assert found == [
        DeckSources(
            "a/",
            (root / "a/index.md", root / "a/part/m.md", root / "a/z.md"),
            root / "a/cardpress.lock",
        ),
        DeckSources("b.md", (root / "b.md",), root / "b.lock"),
    ]


def test_hidden_and_underscored_names_are_not_content(tmp_path: Path) -> None:
    root = files(tmp_path, ".draft.md", "_notes/index.md", "deck/index.md", "deck/.wip.md")
    assert list(discover(root)) == [
        DeckSources("deck/", (root / "deck/index.md",), root / "deck/cardpress.lock")
    ]


def test_a_folder_of_markdown_without_index_is_reported(tmp_path: Path) -> None:
    root = files(tmp_path, "loose/one.md")
    assert list(discover(root)) == [MissingIndex(root / "loose")]


def test_a_link_out_of_the_content_folder_is_reported_not_followed(tmp_path: Path) -> None:
    outside = files(tmp_path / "elsewhere", "secret.md")
    root = (tmp_path / "content").resolve()
    root.mkdir()
    os.symlink(outside / "secret.md", root / "secret.md")
    assert list(discover(root)) == [OutsideLink(root / "secret.md")]


def test_a_pipe_named_like_markdown_is_unusable(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    os.mkfifo(root / "pipe.md")
    assert list(discover(root)) == [Unusable(root / "pipe.md", "file is not a regular file")]
