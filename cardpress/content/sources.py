"""Which files make up which deck. Standard library only: the no-op check uses it too."""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cardpress.content import vault as vaults

LOCK_NAME = "cardpress.lock"
MAX_MARKDOWN_FILES = 10_000  # in one content folder


@dataclass(frozen=True)
class DeckSources:
    """One deck's Markdown files in reading order, and its lock file."""

    unit: str  # the deck's file or folder, relative to the content folder
    files: tuple[Path, ...]
    lock: Path
    vault: vaults.VaultSettings | None = None
    """Set for an Obsidian vault: the whole folder is one deck, read as its plugin reads it."""
    settings_files: tuple[Path, ...] = ()
    """Files besides the Markdown that decide the deck (a vault's settings), when they exist."""


@dataclass(frozen=True)
class MissingIndex:
    """A folder of Markdown files without the index.md that makes it a deck."""

    folder: Path


@dataclass(frozen=True)
class OutsideLink:
    """A deck file or folder that is a symbolic link leading out of the content folder."""

    path: Path


@dataclass(frozen=True)
class Unusable:
    """A file or folder that belongs to the content but cannot be read as it: a folder
    that cannot be listed, a pipe named ``*.md``, a loop of links. Reported, never
    skipped, so no card goes missing without a word."""

    path: Path
    problem: str
    folder: bool = False


Found = DeckSources | MissingIndex | OutsideLink | Unusable


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def _listing(folder: Path) -> list[str] | str:
    """The names in ``folder``, sorted, or why it cannot be listed."""
    try:
        return sorted(os.listdir(folder))
    except OSError as exc:
        return exc.strerror or str(exc)


def discover(root: Path, read: vaults.SettingsReader | None = None) -> Iterator[Found]:
    """Decks in a content folder: ``<name>.md`` files and ``<name>/index.md`` folders.

    ``read`` reads a vault's settings (by default straight from the disk, checked).

    A link leading outside ``root`` (which must be resolved) is reported, never walked.
    At most ``MAX_MARKDOWN_FILES`` Markdown files are listed: past that, an ``Unusable``
    for ``root`` ends the walk.
    """
    names = _listing(root)
    if isinstance(names, str):
        yield Unusable(root, f"cannot list the content folder: {names}", folder=True)
        return
    read = read or vaults.plain_reader(root)
    if vaults.is_vault(root, read):
        yield _vault(root, read)
        return
    counted = 0
    for name in names:
        if _hidden(name):
            continue
        entry = root / name
        if entry.is_symlink():
            try:
                target = entry.resolve()
            except (RuntimeError, OSError):  # a loop of links
                yield Unusable(entry, "link leads to itself (a loop of symbolic links)")
                continue
            if not target.is_relative_to(root):
                if entry.is_dir() or entry.suffix == ".md":
                    yield OutsideLink(entry)
                continue
        if entry.is_dir():
            index = entry / "index.md"
            files: list[Path] = []
            problems: list[Unusable] = []
            _walk_deck(entry, files, problems)
            yield from problems
            counted += len(files) + 1
            if counted > MAX_MARKDOWN_FILES:
                break
            files.sort(key=lambda p: p.relative_to(entry).as_posix())
            if index.is_file():
                yield DeckSources(name + "/", (index, *files), entry / LOCK_NAME)
            elif files:
                yield MissingIndex(entry)
        elif entry.suffix == ".md" and name.lower() != "readme.md":
            counted += 1
            if counted > MAX_MARKDOWN_FILES:
                break
            problem = _not_a_file(entry)
            if problem:
                yield Unusable(entry, problem)
            else:
                yield DeckSources(name, (entry,), entry.with_suffix(".lock"))
    if counted > MAX_MARKDOWN_FILES:
        yield Unusable(
            root,
            f"content folder has more than {MAX_MARKDOWN_FILES} Markdown files; "
            "make fewer, larger files or split the content folder",
            folder=True,
        )


def _vault(root: Path, read: vaults.SettingsReader) -> DeckSources:
    """An Obsidian vault: one deck of every note, its lock beside the vault folder."""
    settings = vaults.read_settings(root, read)
    notes, files = vaults.vault_files(root, settings)
    settings = dataclasses.replace(settings, files=tuple(files))
    extra = tuple(root / rel for rel in vaults.SETTINGS_FILES if (root / rel).is_file())
    return DeckSources("", tuple(notes), vaults.lock_path(root, read), settings, extra)


def _not_a_file(path: Path) -> str:
    try:
        if stat.S_ISREG(os.stat(path).st_mode):
            return ""
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}"
    return "file is not a regular file"


def _walk_deck(deck: Path, files: list[Path], problems: list[Unusable]) -> None:
    """The deck's Markdown files besides index.md, in every folder below that is not
    hidden (links to folders are not followed); folders that cannot be listed go to
    ``problems``."""
    folders = [deck]
    while folders:
        folder = folders.pop()
        names = _listing(folder)
        if isinstance(names, str):
            problems.append(Unusable(folder, f"cannot list folder: {names}", folder=True))
            continue
        for name in names:
            if _hidden(name):
                continue
            path = folder / name
            if name.endswith(".md") and path != deck / "index.md":
                files.append(path)
                if len(files) > MAX_MARKDOWN_FILES:
                    return
            if path.is_dir() and not path.is_symlink():
                folders.append(path)
