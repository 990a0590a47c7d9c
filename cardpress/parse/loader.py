"""Reading a whole content folder: five steps, named in the order they run.

``read_content`` finds the decks, parses each, checks what spans decks, reads their lock
files and gives cards without an explicit id their locked one. Nothing here writes a
file; the build decides what to write. Content may be hostile: every input is bounded
(docs/format.md lists the limits), every path is checked to stay inside the content
folder, and any input gives either a model or ContentError, never a crash.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from cardpress.content import sources
from cardpress.content.files import (
    MAX_DECK_BYTES,
    MAX_FILE_BYTES,
    MAX_IMAGE_BYTES,
    MAX_MEDIA_BYTES,
    display_path,
)
from cardpress.content.scan import ContentScan
from cardpress.content.sources import DeckSources
from cardpress.errors import ContentError, Diagnostic, Reporter
from cardpress.lock import Lock
from cardpress.lock.ids import assign_ids
from cardpress.model import Deck, SourceLocation
from cardpress.parse.deck import parse_deck
from cardpress.parse.drafts import FileCache
from cardpress.parse.locks import read_lock
from cardpress.parse.rules.card_count import MAX_CARDS_PER_DECK

__all__ = [
    "MAX_CARDS_PER_DECK",
    "MAX_DECK_BYTES",
    "MAX_FILE_BYTES",
    "MAX_IMAGE_BYTES",
    "MAX_MEDIA_BYTES",
    "ContentState",
    "load_content",
    "read_content",
]


@dataclass
class ContentState:
    """What ``read_content`` found: decks with ids assigned, and their lock files."""

    decks: list[Deck]
    locks: dict[str, Lock]
    removed: dict[str, list[str]]
    """Deck key -> ids of cards gone since the last build."""
    warnings: list[Diagnostic]
    units: dict[str, DeckSources]
    """Deck key -> its files."""
    scan: ContentScan
    """The content folder's files as this read saw them."""

    def media_data(self, deck: Deck) -> dict[str, bytes]:
        """The deck's images by media name: the very bytes the parser checked."""
        data: dict[str, bytes] = {}
        for media in deck.media:
            read = self.scan.read(self.scan.root / media.path, MAX_IMAGE_BYTES, "image")
            if read.sha256 != media.sha256:  # cannot happen: the scan keeps what it read
                raise AssertionError(f"{media.path} changed within one build")
            data[media.name] = read.data
        return data


def load_content(content_dir: Path, *, strict: bool = False) -> list[Deck]:
    return read_content(content_dir, strict=strict).decks


def read_content(
    content_dir: Path,
    *,
    strict: bool = False,
    now: int | None = None,
    cache: FileCache | None = None,
    scan: ContentScan | None = None,
) -> ContentState:
    """Parse every deck in ``content_dir``; raise ContentError listing all problems.

    With ``cache``, files unchanged since an earlier parse are taken from it; with
    ``scan`` (of the same folder), files it has read already are not read again."""
    report = Reporter(strict)
    root = _content_folder(content_dir)
    scan = scan if scan is not None else ContentScan(root)
    units = discover_decks(scan, _folder_location(content_dir), report)
    decks = parse_decks(scan, units, report, cache)
    check_across_decks(decks, report)
    if report.failed:
        raise ContentError(report.diagnostics)
    stamp_now = int(time.time()) if now is None else now
    locks = read_locks(scan, decks, stamp_now, report)
    if report.failed:
        raise ContentError(report.diagnostics)
    final, removed = lock_ids(decks, locks)
    units_by_key = {deck.key: unit for unit, deck in decks.items()}
    return ContentState(final, locks, removed, sorted(report.warnings), units_by_key, scan)


def _folder_location(content_dir: Path) -> SourceLocation:
    """The content folder itself, by its absolute path: messages print it from the
    current folder (see ``Diagnostic.shown``)."""
    return SourceLocation(display_path(str(content_dir.absolute())), 0)


def _content_folder(content_dir: Path) -> Path:
    if not content_dir.is_dir():
        what = "is not a folder" if content_dir.exists() else "does not exist"
        where = _folder_location(content_dir)
        raise ContentError([Diagnostic(where, "error", f"content folder {what}")])
    return content_dir.resolve()


def discover_decks(
    scan: ContentScan, root_location: SourceLocation, report: Reporter
) -> list[DeckSources]:
    """1. The decks of the content folder; folders, files and links that cannot be decks
    are reported with their paths, so no card goes missing without a word."""
    root = scan.root
    units: list[DeckSources] = []
    for found in scan.found:
        if isinstance(found, sources.MissingIndex):
            report.error(
                SourceLocation(
                    display_path(found.folder.relative_to(root).as_posix()) + "/index.md", 0
                ),
                "deck folder has no index.md with the deck's front matter",
            )
        elif isinstance(found, sources.OutsideLink):
            is_folder = found.path.is_dir()
            report.error(
                SourceLocation(display_path(found.path.name) + ("/" if is_folder else ""), 0),
                f"{'deck folder' if is_folder else 'file'} is a link that leads outside "
                "the content folder",
            )
        elif isinstance(found, sources.Unusable):
            report.error(_unusable_location(root, found, root_location), found.problem)
        else:
            units.append(found)
    if not units and not report.failed:
        report.error(root_location, "content folder has no decks: add <name>.md or <name>/index.md")
    return units


def _unusable_location(
    root: Path, found: sources.Unusable, root_location: SourceLocation
) -> SourceLocation:
    if found.path == root:
        return root_location
    rel = display_path(found.path.relative_to(root).as_posix())
    return SourceLocation(rel + ("/" if found.folder else ""), 0)


def parse_decks(
    scan: ContentScan, units: list[DeckSources], report: Reporter, cache: FileCache | None
) -> dict[DeckSources, Deck]:
    """2. Each deck parsed on its own; a deck whose settings are unusable is left out."""
    decks: dict[DeckSources, Deck] = {}
    for unit in units:
        if unit.vault is not None:
            from cardpress.parse.vault_deck import parse_vault

            deck = parse_vault(scan, list(unit.files), unit.vault, report, cache)
        else:
            deck = parse_deck(scan, list(unit.files), report, cache)
        if deck is not None:
            decks[unit] = deck
    return decks


def check_across_decks(decks: dict[DeckSources, Deck], report: Reporter) -> None:
    """3. What no single deck can see: two decks with one id."""
    seen: dict[str, Deck] = {}
    for deck in decks.values():
        if deck.key in seen:
            report.error(
                deck.location,
                f"deck id '{deck.key}' is already used by the deck at",
                seen[deck.key].location,
            )
        seen.setdefault(deck.key, deck)


def read_locks(
    scan: ContentScan, decks: dict[DeckSources, Deck], now: int, report: Reporter
) -> dict[str, Lock]:
    """4. Each deck's lock file, by deck key."""
    locks: dict[str, Lock] = {}
    for unit, deck in decks.items():
        lock = read_lock(scan, unit.lock, deck.key, now, report)
        if lock is not None:
            locks[deck.key] = lock
    return locks


def lock_ids(
    decks: dict[DeckSources, Deck], locks: dict[str, Lock]
) -> tuple[list[Deck], dict[str, list[str]]]:
    """5. Cards without an explicit id get their locked one (or a new one, locked now);
    cards gone since the last build are marked in the lock and listed."""
    final: list[Deck] = []
    removed: dict[str, list[str]] = {}
    for deck in decks.values():
        lock = locks[deck.key]
        deck = assign_ids(deck, lock)
        removed[deck.key] = lock.removed_since_last_build(deck)
        lock.mark_removed(deck)
        final.append(deck)
    return final, removed
