"""The table of output formats.

Every renderer is a module with ``render(deck, context, out) -> None`` that writes one
complete file to ``out`` (a temporary path; the build moves it into place). Modules are
imported only when their format is built, so WeasyPrint is never imported without a PDF.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from cardpress.lock import Tombstone
from cardpress.model import Deck


class Stamps(Protocol):
    """Modification times that change only when a fingerprint changes (see cardpress.lock)."""

    def modified(self, key: str, fingerprint: str) -> int: ...


@dataclass
class FixedStamps:
    """Stamps that are always ``time``: for renders that keep no lock state."""

    time: int

    def modified(self, key: str, fingerprint: str) -> int:
        return self.time


@dataclass(frozen=True)
class RenderContext:
    """What a renderer may know besides the deck."""

    content_dir: Path
    templates_dir: Path
    build_time: int  # the deck's date: SOURCE_DATE_EPOCH, or when its content last changed
    version: str
    paper: str | None = None  # overrides the deck's paper when set
    stamps: Stamps = field(default_factory=lambda: FixedStamps(0))
    cache_dir: Path | None = None  # this format's own cache folder, kept between builds
    progress: Callable[[str], None] = field(default=lambda message: None)
    note_ids: Mapping[str, str] = field(default_factory=dict)
    """Renamed card id -> the id its Anki note's GUID comes from (see cardpress.lock)."""
    tombstones: tuple[Tombstone, ...] = ()
    """Removed cards whose notes the Anki package keeps, tagged ``cardpress::removed``."""

    def modified(self, key: str, fingerprint: str) -> int:
        return self.stamps.modified(key, fingerprint)

    def paper_for(self, deck: Deck) -> str:
        return self.paper or deck.paper

    def media_path(self, deck: Deck, name: str) -> Path:
        """The file behind a media name the deck's HTML uses."""
        for media in deck.media:
            if media.name == name:
                return self.content_dir / media.path
        raise KeyError(name)


Renderer = Callable[[Deck, RenderContext, Path], None]


@dataclass(frozen=True)
class OutputFormat:
    name: str
    suffix: str
    module: str

    def renderer(self) -> Renderer:
        render: Renderer = importlib.import_module(self.module).render
        return render


FORMATS: dict[str, OutputFormat] = {
    fmt.name: fmt
    for fmt in (
        OutputFormat("anki", ".apkg", "cardpress.renderers.anki"),
        OutputFormat("pdf", ".pdf", "cardpress.renderers.pdf"),
        OutputFormat("html", ".html", "cardpress.renderers.html"),
        OutputFormat("json", ".json", "cardpress.renderers.json_model"),
    )
}
