"""What a deck has claimed so far while its files are read, shared by every rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cardpress.content.scan import ContentScan
from cardpress.errors import Reporter
from cardpress.model import MediaFile, SourceLocation


@dataclass
class DeckState:
    """The ids, section keys, card count and images one deck has claimed."""

    scan: ContentScan
    """Where every file is read, once per build."""
    report: Reporter
    card_ids: dict[str, SourceLocation] = field(default_factory=dict)
    """Explicit card ids, with where each was first used."""
    section_keys: dict[str, SourceLocation] = field(default_factory=dict)
    card_count: int = 0
    media: dict[str, MediaFile] = field(default_factory=dict)
    """Images by path relative to the content folder."""
    media_bytes: int = 0
    """Bytes of all images so far, against the deck's budget."""
    file_media: set[str] = field(default_factory=set)
    """Paths of the images the file being read uses."""

    @property
    def root(self) -> Path:
        """The content folder, resolved."""
        return self.scan.root
