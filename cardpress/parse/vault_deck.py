"""An Obsidian vault as one deck: its settings from ``cardpress.yml`` or defaults, and every
note read in the Obsidian dialect. Nothing is written into the vault."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from cardpress.content.files import (
    MAX_DECK_BYTES,
    SourceFile,
    Unreadable,
    decode_text,
    display_path,
)
from cardpress.content.scan import ContentScan
from cardpress.content.sources import MAX_MARKDOWN_FILES
from cardpress.content.vault import DECK_FILE, MAX_DECK_FILE_BYTES, VaultSettings, chosen_lock
from cardpress.errors import Reporter
from cardpress.model import Deck, Fragment, Section, SourceLocation
from cardpress.parse.deck import assemble, parse_or_reuse, read_source
from cardpress.parse.deck_state import DeckState
from cardpress.parse.drafts import FileCache
from cardpress.parse.front_matter import split_front_matter
from cardpress.parse.rules.deck_settings import deck_settings

VAULT_KEYS = {"link_back", "lock", "vault"}
"""Settings of ``cardpress.yml`` that only a vault has."""


def parse_vault(
    scan: ContentScan,
    files: list[Path],
    vault: VaultSettings,
    report: Reporter,
    cache: FileCache | None = None,
) -> Deck | None:
    """The vault's deck, or None (reported) when its settings are unusable."""
    for rel, line, col, message in vault.problems:
        report.error(SourceLocation(rel, line, col or None), message)
    settings = _deck_file(scan, vault, report)
    if settings is None:
        return None
    data, deck_file = settings
    lock = data.pop("lock", "")
    if lock and (not isinstance(lock, str) or chosen_lock(scan.root, lock) is None):
        line = deck_file.front_matter_lines.get("lock", 1)
        report.error(
            deck_file.location(line, 1),
            "'lock' must name a '.lock' file, relative to the vault, in the folder that "
            "holds the vault or below (e.g. lock: ../locks/my-vault.lock)",
        )
        return None
    data.pop("vault", None)  # read by discovery: 'vault: false' makes it a folder of decks
    link_back = data.pop("link_back", True)
    if not isinstance(link_back, bool):
        line = deck_file.front_matter_lines.get("link_back", 1)
        report.error(deck_file.location(line, 1), "'link_back' must be true or false")
        return None
    vault = dataclasses.replace(vault, link_back=link_back)
    deck_file.front_matter = data
    meta = deck_settings(deck_file, report)
    if len(files) > MAX_MARKDOWN_FILES:
        report.error(
            _vault_location(scan),
            f"vault has more than {MAX_MARKDOWN_FILES} notes: leave folders out with the "
            "plugin's 'noteFoldersToIgnore' setting",
        )
        return None
    deck = DeckState(scan, report)
    sources = [read_source(scan, path, report) for path in files]
    total = sum(len(s.text.encode()) for s in sources if s is not None)
    if total > MAX_DECK_BYTES:
        report.error(
            _vault_location(scan),
            f"the vault's notes are {total} bytes, over the limit of {MAX_DECK_BYTES} "
            "bytes: leave folders out with the plugin's 'noteFoldersToIgnore' setting",
        )
        return None
    for source in sources:
        if source is not None:
            _note_front_matter(source, report)
            source.dialect = "obsidian"
            source.vault = vault
            source.math = meta.math if meta is not None else True
    if cache is not None:
        cache.prefetch([source for source in sources if source is not None])
    sections: list[Section] = []
    for source in sources:
        if source is not None:
            sections.extend(parse_or_reuse(source, deck, cache).sections)
    if meta is None:
        return None
    if not any(s.cards for s in sections) and not report.failed:
        tags = " or ".join(vault.flashcard_tags) or "#flashcards"
        report.error(
            SourceLocation(DECK_FILE, 0) if deck_file.text else _vault_location(scan),
            f"the vault has no flashcards: tag the notes that hold cards with {tags}, in "
            "their text or their front matter's 'tags:'; a folder of cardpress decks that "
            "is also an Obsidian vault is read as decks with 'vault: false' in cardpress.yml",
        )
    sections = [s for s in sections if s.cards]
    return assemble(meta, deck, sections, [Fragment("", "")], sources, _vault_location(scan))


def _vault_location(scan: ContentScan) -> SourceLocation:
    """The vault as a whole, by its absolute path (printed from the current folder)."""
    return SourceLocation(display_path(str(scan.root)), 0)


def _deck_file(
    scan: ContentScan, vault: VaultSettings, report: Reporter
) -> tuple[dict[str, object], SourceFile] | None:
    """``cardpress.yml`` (its keys as front matter would give them) with the defaults: the
    vault's name as title and id, formulas read as Obsidian reads them."""
    path = scan.root / DECK_FILE
    source = SourceFile(path=path, rel=DECK_FILE, text="", lines=[""])
    data: dict[str, object] = {}
    if path.is_file() or path.is_symlink():
        try:
            raw = scan.read(path, MAX_DECK_FILE_BYTES, "deck settings file").data
        except Unreadable as refused:
            report.error(SourceLocation(DECK_FILE, 0), str(refused))
            return None
        text, problem = decode_text(raw)
        if problem is not None:
            report.error(SourceLocation(DECK_FILE, problem.line, problem.col), problem.message)
            return None
        lines = text.split("\n")
        # read as front matter one line down, then every location moved back up
        source = SourceFile(path=path, rel=DECK_FILE, text=text, lines=["---", *lines, "---"])
        own = Reporter(report.strict)
        split_front_matter(source, own, wanted=True)
        for found in own.diagnostics:
            where = found.location
            moved = dataclasses.replace(where, line=max(where.line - 1, 1 if where.line else 0))
            report.diagnostics.append(dataclasses.replace(found, location=moved))
        if own.failed:
            return None
        data = dict(source.front_matter or {})
        source.front_matter_lines = {k: v - 1 for k, v in source.front_matter_lines.items()}
        source.set_lines(lines)
    data.setdefault("title", vault.name or "Vault")
    data.setdefault("id", "-".join(re.findall(r"[a-z0-9]+", vault.name.lower()))[:64] or "vault")
    data.setdefault("math", True)
    source.front_matter = data
    return data, source


def _note_front_matter(source: SourceFile, report: Reporter) -> None:
    """A note's own front matter (tags, aliases), when it has one; what is wrong with it
    is a warning, as Obsidian shows such a note all the same."""
    if not source.lines or source.lines[0].rstrip() != "---":
        return
    own = Reporter(False)
    split_front_matter(source, own, wanted=True)
    for found in own.diagnostics:
        report.warning(found.location, f"{found.message}; its tags are not read")
