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
from typing import TYPE_CHECKING, Protocol

from cardpress.print_options import PrintOptions

if TYPE_CHECKING:
    from cardpress.anki.package_notes import PackageNote
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
    printing: PrintOptions = field(default_factory=PrintOptions)
    """The command line's cards and quiz options."""
    warn: Callable[[str], None] = field(default=lambda line: None)
    """Prints a finished diagnostic (``path:line:col: warning: ...``)."""
    strict: bool = False
    """A renderer's warnings are errors."""
    media: Mapping[str, bytes] = field(default_factory=dict, repr=False)
    """The deck's images by media name: the bytes the parser checked, never read again."""
    anki_notes: tuple[PackageNote, ...] | None = field(default=None, repr=False)
    """The Anki package's notes as the build worked them out (the lock records the same);
    None outside a build: the renderer works them out."""

    def modified(self, key: str, fingerprint: str) -> int:
        return self.stamps.modified(key, fingerprint)

    def paper_for(self, deck: Deck) -> str:
        return self.paper or deck.paper

    def media_data(self, name: str) -> bytes:
        """The bytes of a media name the deck's HTML uses; KeyError for any other name."""
        return self.media[name]


Renderer = Callable[["Deck", "RenderContext", Path], None]

LIVE_STAGES = ("page", "deck", "print")
"""The order in which ``serve`` and ``--watch`` rebuild after an edit: what the person
looks at first; the last stage runs in the background (``OutputFormat.live_stage``)."""


@dataclass(frozen=True)
class OutputFormat:
    """One row of ``FORMATS``: an output and the facts the build needs about it."""

    name: str
    suffix: str
    """Appended to the deck's key to name the file in the output folder."""
    module: str
    by_default: bool = True
    """Built when ``--only`` is not given; otherwise only for decks that ask for it."""
    asked_by: str | None = None
    """The ``Deck`` field that is set when the deck asks for this output."""
    uses_paper: bool = False
    """The paper size (``--paper`` or the deck's) decides its bytes."""
    print_options: str | None = None
    """Which of the command line's print options (``cards``, ``quiz``) decide its bytes."""
    templates: str = ""
    """The templates folder it reads (besides the shared top level); its name by default."""
    worker: int = 0
    """Renders, when stale, in a worker process on the other core that starts before
    parsing and imports the renderer meanwhile; of several, the lowest number. 0: never."""
    worker_alone: bool = True
    """Worth that worker even when no other format is stale (its import is the slow part)."""
    draws_formulas: bool = False
    """Gets a math deck's formulas drawn as SVG (``cardpress.markup.formula_svg``); otherwise
    they stay in Anki's ``\\(...\\)`` form for MathJax (``cardpress.markup.formulas``)."""
    live_stage: str = "page"
    """When ``serve`` and ``--watch`` rebuild it after an edit (``LIVE_STAGES``): with the
    page, which reloads as soon as it is written; with the deck, just after; or among the
    printouts, in the background, stopped by the next edit."""

    @property
    def template_folder(self) -> str:
        return self.templates or self.name

    def wanted_by(self, deck: Deck) -> bool:
        """Whether a build that does not name its formats makes this output of ``deck``."""
        return self.by_default or (self.asked_by is not None and bool(getattr(deck, self.asked_by)))

    def renderer(self) -> Renderer:
        render: Renderer = importlib.import_module(self.module).render
        return render


FORMATS: dict[str, OutputFormat] = {
    fmt.name: fmt
    for fmt in (
        OutputFormat(
            "anki",
            ".apkg",
            "cardpress.renderers.anki",
            worker=2,
            worker_alone=False,
            live_stage="deck",
        ),
        OutputFormat(
            "pdf",
            ".pdf",
            "cardpress.renderers.pdf.sheet",
            uses_paper=True,
            worker=1,
            draws_formulas=True,
            live_stage="print",
        ),
        OutputFormat("html", ".html", "cardpress.renderers.html.page", draws_formulas=True),
        OutputFormat("json", ".json", "cardpress.renderers.json_model", live_stage="deck"),
        OutputFormat(
            "cards",
            "-cards.pdf",
            "cardpress.renderers.pdf.cards",
            by_default=False,
            asked_by="print_cards",
            uses_paper=True,
            print_options="cards",
            templates="pdf",
            draws_formulas=True,
            live_stage="print",
        ),
        OutputFormat(
            "quiz",
            "-quiz.pdf",
            "cardpress.renderers.pdf.quiz",
            by_default=False,
            asked_by="print_quiz",
            uses_paper=True,
            print_options="quiz",
            templates="pdf",
            draws_formulas=True,
            live_stage="print",
        ),
    )
}
