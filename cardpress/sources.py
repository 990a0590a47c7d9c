"""Which files make up which deck. Standard library only: the no-op check uses it too."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = "cardpress.lock"


@dataclass(frozen=True)
class DeckSources:
    """One deck's Markdown files in reading order, and its lock file."""

    unit: str  # the deck's file or folder, relative to the content folder
    files: tuple[Path, ...]
    lock: Path


@dataclass(frozen=True)
class MissingIndex:
    """A folder of Markdown files without the index.md that makes it a deck."""

    folder: Path


@dataclass(frozen=True)
class OutsideLink:
    """A deck file or folder that is a symbolic link leading out of the content folder."""

    path: Path


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def discover(root: Path) -> Iterator[DeckSources | MissingIndex | OutsideLink]:
    """Decks in a content folder: ``<name>.md`` files and ``<name>/index.md`` folders.

    A link leading outside ``root`` (which must be resolved) is reported, never walked.
    """
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if _hidden(entry.name):
            continue
        if entry.is_symlink() and not entry.resolve().is_relative_to(root):
            if entry.is_dir() or entry.suffix == ".md":
                yield OutsideLink(entry)
            continue
        if entry.is_file() and entry.suffix == ".md":
            if entry.name.lower() == "readme.md":
                continue
            yield DeckSources(entry.name, (entry,), entry.with_suffix(".lock"))
        elif entry.is_dir():
            index = entry / "index.md"
            files = sorted(
                (
                    p
                    for p in entry.rglob("*.md")
                    if p != index and not any(_hidden(part) for part in p.relative_to(entry).parts)
                ),
                key=lambda p: p.relative_to(entry).as_posix(),
            )
            if index.is_file():
                yield DeckSources(entry.name + "/", (index, *files), entry / LOCK_NAME)
            elif files:
                yield MissingIndex(entry)
