"""Parsed files kept between builds, so an edit re-parses only the file it touched.

An entry holds what one Markdown file contributed to its deck (sections with their cards,
its intro, the ids, section keys and images it used) under a key made of the file's path,
its text and cardpress's own code. An entry is used only while every image it names still
has the same bytes. Files that produced any diagnostic are never stored, so reusing an
entry never hides a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cardpress import atomic
from cardpress.freshness import code_fingerprint, file_hash
from cardpress.model import Fragment, MediaFile, Section, SourceLocation

if TYPE_CHECKING:
    from cardpress.parse import SourceFile


@dataclass(frozen=True)
class ParsedFile:
    sections: tuple[Section, ...]
    intro: Fragment
    card_ids: tuple[tuple[str, SourceLocation], ...]
    section_keys: tuple[tuple[str, SourceLocation], ...]
    media: tuple[MediaFile, ...]
    card_count: int


class ParseCache:
    """A folder of pickled ``ParsedFile`` entries; the build's own output, never content."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.used: set[str] = set()
        self.pending: dict[str, ParsedFile] = {}  # written by ``save``, after a good build

    def key(self, source: SourceFile) -> str:
        digest = hashlib.sha256(code_fingerprint().encode())
        digest.update(source.rel.encode() + b"\0" + source.text.encode())
        return digest.hexdigest()

    def get(self, key: str, root: Path) -> ParsedFile | None:
        self.used.add(key)
        try:
            with open(self.folder / f"{key}.pickle", "rb") as handle:
                parsed = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        if not isinstance(parsed, ParsedFile):
            return None
        for media in parsed.media:
            if file_hash(root / media.path, root) != media.sha256:
                return None
        return parsed

    def put(self, key: str, parsed: ParsedFile) -> None:
        self.used.add(key)
        self.pending[key] = parsed

    def save(self) -> None:
        """Write the new entries and drop those this build did not use: only once the
        build succeeded, since a failed build leaves the output folder as it was."""
        if self.pending:
            self.folder.mkdir(parents=True, exist_ok=True)
        for key, parsed in self.pending.items():
            atomic.write_bytes(self.folder / f"{key}.pickle", pickle.dumps(parsed, protocol=5))
        self.pending.clear()
        for entry in self.folder.glob("*.pickle"):
            if entry.stem not in self.used:
                with contextlib.suppress(OSError):
                    entry.unlink()
