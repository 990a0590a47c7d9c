"""One pass over the content folder: its decks, and each input's bytes and hash, read once.

Freshness, the parser, the parse cache, the build state and the renderers all take files
from a ``ContentScan``, so a build reads and hashes each file once, and what the parser
checked is exactly what gets rendered: an image swapped for a link after it was checked
is never read. Reads are checked as ``content_files.read_checked`` checks them (a regular
file inside the content folder, under its size limit).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cardpress.content.files import (
    MAX_FILE_BYTES,
    MAX_IMAGE_BYTES,
    MAX_LOCK_BYTES,
    Unreadable,
    identity,
    read_identified,
    resolve_inside,
)
from cardpress.content.sources import DeckSources, Found, discover

_LARGEST = max(MAX_FILE_BYTES, MAX_IMAGE_BYTES, MAX_LOCK_BYTES)


@dataclass(frozen=True)
class FileBytes:
    """A file's bytes as read, their SHA-256, and the file's identity before it was read
    (``content_files.identity``)."""

    data: bytes
    sha256: str
    identity: str = ""


class ContentScan:
    """The decks of one content folder, and every file of it read so far."""

    def __init__(self, root: Path):
        self.root = root
        """The content folder, resolved."""
        self._read: dict[Path, FileBytes] = {}
        self.outside: dict[Path, Path] = {}
        self.found: list[Found] = list(
            discover(root, lambda path, limit: self.read(path, limit, "settings file").data)
        )
        """What discovery found: decks, and what could not be a deck (reported by the parser)."""
        self.outside = {
            unit.lock: unit.lock.parent.resolve()
            for unit in self.decks
            if not unit.lock.is_relative_to(root)
        }
        """Lock files kept outside the content folder (a vault's, beside the vault), each
        read as if inside its own folder: no link may lead out of that."""

    @classmethod
    def of(cls, content: Path) -> ContentScan | None:
        """The scan of ``content``, or None when it is not a folder (the parser says so)."""
        return cls(content.resolve()) if content.is_dir() else None

    @property
    def decks(self) -> list[DeckSources]:
        return [found for found in self.found if isinstance(found, DeckSources)]

    def read(self, path: Path, limit: int, what: str = "file") -> FileBytes:
        """The checked bytes of ``path``, read on first use; raises Unreadable.

        Once read, a file is never looked at again, by the path asked for or by its real
        path: swapping it for something else later changes nothing in this build."""
        known = self._read.get(path)
        if known is None:
            real = resolve_inside(self.outside.get(path, self.root), path, what)
            known = self._read.get(real)
            if known is None:
                known = self._load(path, limit, what)
            self._read[real] = self._read[path] = known
        if len(known.data) > limit:
            raise Unreadable(f"{what} is {len(known.data)} bytes, over the limit of {limit} bytes")
        return known

    def relative(self, path: Path) -> str:
        """A path as inputs are recorded: relative to the content folder, or absolute for
        a lock kept outside it."""
        return path.as_posix() if path in self.outside else path.relative_to(self.root).as_posix()

    def hash(self, rel: str) -> str | None:
        """The SHA-256 of a file of the content folder, or None when it cannot be read
        (missing, not a regular file, outside the folder): the parser reports those."""
        try:
            return self.read(self.root / rel, _LARGEST).sha256
        except Unreadable:
            return None

    def unchanged(self, rel: str, sha256: str, recorded: str) -> bool:
        """Whether a file of the content folder still has the bytes hashed to ``sha256``
        when the file had the identity ``recorded``. A file that still has that identity is
        not read at all (a no-op build reads no content); any other is read and hashed."""
        if recorded and self.root / rel not in self._read:
            try:
                if identity(os.stat(self.root / rel)) == recorded:
                    return True
            except (OSError, ValueError):
                pass  # reading it says what is wrong
        return self.hash(rel) == sha256

    def identity_of(self, rel: str) -> str:
        """The identity of a file this build read, or '' when it read none there."""
        known = self._read.get(self.root / rel)
        return known.identity if known is not None else ""

    def markdown_hashes(self) -> dict[str, str]:
        """The hash of every deck file that can be read, by path relative to the folder."""
        hashes: dict[str, str] = {}
        for unit in self.decks:
            for path in unit.files:
                digest = self.hash(path.relative_to(self.root).as_posix())
                if digest is not None:
                    hashes[path.relative_to(self.root).as_posix()] = digest
        return hashes

    def _load(self, path: Path, limit: int, what: str) -> FileBytes:
        # Whole files only: a later read with a larger limit gets these same bytes.
        data, found = read_identified(self.outside.get(path, self.root), path, limit, what)
        return FileBytes(data, hashlib.sha256(data).hexdigest(), found)
