"""The table of importers: ``cardpress import FORMAT`` reads sources with the module in its row.

An importer module has ``read(sources, options) -> DraftDeck``: it turns the source
files into drafts (``draft.py``) and reports what it skipped. Writing the deck folder,
merging with an earlier import and the report are shared (``sync.py``, ``run.py``).
Modules are imported only when their format runs, so the Anki backend loads only for
``anki``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from cardpress.importers.draft import DraftDeck
from cardpress.importers.source_files import SourceSet


@dataclass(frozen=True)
class ImportOptions:
    """The command line's options that importers read."""

    field_map: tuple[str, ...] = ()
    """``--map`` values: ``question=Front,answer=Back,...`` (csv; anki with ``NOTETYPE:``)."""
    trailers: tuple[str, ...] = ()
    """``--trailer`` patterns: more lines to drop from answers (numbered)."""


@dataclass(frozen=True)
class Importer:
    """One row of ``IMPORTERS``."""

    name: str
    """What the user types after ``cardpress import``."""
    summary: str
    """One line for ``cardpress import --help``."""
    module: str
    """The module with ``read``."""
    suffixes: tuple[str, ...]
    """The files a folder named as a source contributes."""
    package: bool = False
    """Sources are binary packages (read by path), not text."""
    extra: str | None = None
    """The extra (``cardpress.extras.EXTRAS``) it needs, checked before anything is read."""

    def read(self, sources: SourceSet, options: ImportOptions) -> DraftDeck:
        read: Callable[[SourceSet, ImportOptions], DraftDeck]
        read = importlib.import_module(self.module).read
        return read(sources, options)


IMPORTERS: dict[str, Importer] = {
    importer.name: importer
    for importer in (
        Importer(
            "details",
            "<details><summary>Q</summary>A</details> blocks under ## and ### headings",
            "cardpress.importers.formats.details",
            (".md", ".markdown"),
        ),
        Importer(
            "numbered",
            "'N. ### Question' list items with the answer indented below",
            "cardpress.importers.formats.numbered",
            (".md", ".markdown"),
        ),
        Importer(
            "files",
            "one question per file: ### Question, #### Answer, #### Good to hear",
            "cardpress.importers.formats.files",
            (".md", ".markdown", ".mdx"),
        ),
        Importer(
            "anki",
            "an Anki package (.apkg, .colpkg); needs cardpress[anki]",
            "cardpress.importers.formats.anki",
            (".apkg", ".colpkg"),
            package=True,
            extra="anki",
        ),
        Importer(
            "csv",
            "CSV or TSV with a header row (--map picks the columns)",
            "cardpress.importers.formats.csv",
            (".csv", ".tsv", ".txt"),
        ),
    )
}
