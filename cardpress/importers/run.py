"""One import from start to end: read, merge, check with the real parser, write, report.

The new deck folder is first put together in a temporary folder and read there by the
same code a build uses, so an import never writes a deck that would not build, and the
lock it writes is the one the build would. Only files whose bytes change are written
(atomically), so importing unchanged sources again changes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cardpress import atomic
from cardpress.content.files import shown
from cardpress.errors import CardpressError, ContentError, Diagnostic, UsageError
from cardpress.importers import IMPORTERS, ImportOptions
from cardpress.importers.draft import DraftCard, DraftDeck, Skip
from cardpress.importers.merge import STATE_NAME, Planned, plan
from cardpress.importers.source_files import Provenance, collect, default_title, provenance
from cardpress.importers.writer import front_matter, read_blocks

MAX_CHECKS = 3  # a deck refused again after its refused cards were left out: give up
_DECK_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
LOCK_NAME = "cardpress.lock"


@dataclass(frozen=True)
class ImportRequest:
    """Everything ``cardpress import`` was asked to do."""

    format: str
    sources: tuple[Path, ...]
    to: Path
    dry_run: bool = False
    exclude: tuple[str, ...] = ()
    options: ImportOptions = field(default_factory=ImportOptions)
    deck_id: str | None = None
    title: str | None = None
    license: str | None = None
    source: str | None = None
    encoding: str = ""


def run_import(request: ImportRequest, out: Callable[[str], None]) -> int:
    """Import and print the report; 0 when the deck folder is (or would be) written."""
    deck_key = request.deck_id or request.to.name
    if not _DECK_KEY_RE.match(deck_key):
        raise UsageError(
            f"'{shown(deck_key)}' cannot be a deck id (lowercase letters, digits and '-'): "
            "name the folder so, or give --id"
        )
    if request.encoding:
        try:
            b"x".decode(request.encoding)  # not b"": that decodes to "" by any name
        except UnicodeDecodeError:
            pass  # a text encoding that needs more bytes (utf-16)
        except LookupError:
            shown_name = shown(request.encoding)
            raise UsageError(f"--encoding: '{shown_name}' is not a text encoding") from None
    if request.to.exists() and not request.to.is_dir():
        raise UsageError(f"'{shown(request.to, 200)}' is not a folder")
    try:
        return _import(request, deck_key, out)
    except BrokenPipeError:
        raise  # the report's reader went away (``| head``): the files are written
    except OSError as exc:  # a folder that vanished or cannot be read, a full disk
        where = shown(exc.filename or request.to, 200)
        raise CardpressError(f"cannot read or write {where}: {exc.strerror or exc}") from None


def _import(request: ImportRequest, deck_key: str, out: Callable[[str], None]) -> int:
    importer = IMPORTERS[request.format]
    sources = collect(
        list(request.sources), importer.suffixes, list(request.exclude), request.encoding
    )
    deck = importer.read(sources, request.options)
    converted = sources.converted
    if converted:
        names = ", ".join(converted[:10]) + (", ..." if len(converted) > 10 else "")
        what = f"{_files(len(converted))} ({names})"
        deck.notes.append(f"converted to UTF-8 from {request.encoding}: {what}")
    stated = request.source
    if stated is None and importer.package:  # a package says nothing of where it came from
        stated = ", ".join(path.name for path in sources.files)
    found = provenance(sources.root, request.license, stated)
    title = request.title or deck.title or default_title(sources.root)
    index = _index(title, deck_key, request.format, found)
    shown_dir = _shown(request.to)
    planned = plan(request.to, deck, index, request.format, shown_dir)
    for attempt in range(MAX_CHECKS):
        try:
            lock, warnings = _check(request.to, deck_key, planned, shown_dir)
            break
        except _Refused as refused:
            if attempt == MAX_CHECKS - 1 or not _skip_refused(refused, planned, deck):
                raise CardpressError(
                    "the imported deck would not build:\n" + "\n".join(refused.lines)
                ) from None
            planned = plan(request.to, deck, index, request.format, shown_dir)
    writes = _changes(request.to, planned, lock)
    report: list[str] = []  # printed once the files are written: a closed pipe loses none
    _report(report.append, request, deck, planned, found, sources.root, warnings)
    if request.dry_run:
        what = f"would write {_files(len(writes))}" if writes else "nothing to change"
        for line in [*report, f"dry run: {what} in {shown_dir}"]:
            out(line)
        return 0
    for rel, data in writes.items():
        path = request.to / rel
        try:
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic.write_bytes(path, data)
        except OSError as exc:
            raise CardpressError(f"cannot write {shown(path, 200)}: {exc.strerror}") from None
    report.append(
        f"wrote {_files(len(writes))} in {shown_dir}" if writes else f"{shown_dir} is up to date"
    )
    for line in report:
        out(line)
    return 0


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def _files(n: int) -> str:
    return _count(n, "file")


def _shown(path: Path) -> str:
    try:
        rel = os.path.relpath(path.resolve(), Path.cwd())
    except ValueError:
        rel = str(path)
    return shown(rel if not rel.startswith("..") else str(path), 200)


def _index(title: str, key: str, fmt: str, found: Provenance) -> str:
    fields = {
        "title": " ".join(title.split()) or key,
        "id": key,
        "description": f"Imported with cardpress import {fmt} from {found.source}.",
        "source": found.source,
        "license": found.license,
    }
    note = f"# written by 'cardpress import {fmt}'; run it again to follow the source"
    return front_matter(fields).replace("---\n", f"---\n{note}\n", 1)


def _check(
    deck_dir: Path, key: str, planned: Planned, shown_dir: str
) -> tuple[dict[str, bytes | None], list[str]]:
    """Read the planned deck with the build's own parser; its lock and its warnings."""
    from cardpress.parse import read_content

    with tempfile.TemporaryDirectory(prefix="cardpress-import-") as temp:
        staged = Path(temp) / key
        if deck_dir.is_dir():
            shutil.copytree(deck_dir, staged, symlinks=True)
        staged.mkdir(exist_ok=True)
        for rel in planned.deletes:
            (staged / rel).unlink(missing_ok=True)
        for rel, data in planned.files.items():
            (staged / rel).parent.mkdir(parents=True, exist_ok=True)
            (staged / rel).write_bytes(data)
        try:
            state = read_content(Path(temp), now=0)
        except ContentError as exc:
            lines = [_relocated(str(d), key, shown_dir) for d in exc.diagnostics]
            raise _Refused(lines, exc.diagnostics, key) from None
        warnings = [_relocated(str(d), key, shown_dir) for d in state.warnings]
        lock_file = state.locks[key]
        for card_id in state.removed.get(key, []):  # the next build tells they are gone
            lock_file.cards[card_id].removed = False
        lock_file.save()
        return _lock_files(deck_dir, staged), warnings


def _lock_files(deck_dir: Path, staged: Path) -> dict[str, bytes | None]:
    """The lock's files as the check wrote them (None: a part to delete), parts first."""
    found: dict[str, bytes | None] = {}
    parts = f"{LOCK_NAME}.d"
    for folder, keep in ((deck_dir / parts, False), (staged / parts, True)):
        if folder.is_dir():
            for part in sorted(folder.glob("*.json")):
                found[f"{parts}/{part.name}"] = part.read_bytes() if keep else None
    if (staged / LOCK_NAME).is_file():
        found[LOCK_NAME] = (staged / LOCK_NAME).read_bytes()
    return found


class _Refused(Exception):
    """The build's parser refused the planned deck."""

    def __init__(self, lines: list[str], diagnostics: list[Diagnostic], key: str):
        super().__init__("\n".join(lines))
        self.lines, self.diagnostics, self.key = lines, diagnostics, key


def _skip_refused(refused: _Refused, planned: Planned, deck: DraftDeck) -> bool:
    """Leave out the cards of this import that the build refuses, each reported as skipped
    at its source line with the build's reason; False when an error is not in one."""
    blocks = {
        name: read_blocks(data.decode())
        for name, data in planned.files.items()
        if name.endswith(".md")
    }
    dropped: dict[int, tuple[DraftCard, str]] = {}
    for diagnostic in refused.diagnostics:
        if not diagnostic.is_error:
            continue
        name = diagnostic.location.path.removeprefix(refused.key + "/")
        line = diagnostic.location.line
        found = [b for b in blocks.get(name, []) if b.line <= line]
        card = planned.drafts.get(found[-1].key) if found else None
        if card is None:
            return False  # not a card this import wrote: the folder holds something else
        dropped.setdefault(id(card), (card, diagnostic.message))
    for card, message in dropped.values():
        for file in deck.files:
            for section in file.sections:
                section.cards = [c for c in section.cards if c is not card]
        deck.skipped.append(Skip(card.location, f"the build refuses it: {message}"))
    deck.files = [f for f in deck.files if any(s.cards for s in f.sections)]
    for file in deck.files:
        file.sections = [s for s in file.sections if s.cards]
    return bool(dropped)


def _relocated(line: str, key: str, shown_dir: str) -> str:
    return shown_dir + line[len(key) :] if line.startswith(key + "/") else line


def _changes(
    deck_dir: Path, planned: Planned, lock: dict[str, bytes | None]
) -> dict[str, bytes | None]:
    """The files whose bytes change (None: delete), the lock's parts before it, the state
    file last."""
    wanted: dict[str, bytes | None] = dict(planned.files)
    for rel in planned.deletes:
        wanted[rel] = None
    wanted.update(lock)
    wanted[STATE_NAME] = planned.state
    changes: dict[str, bytes | None] = {}
    for rel, data in wanted.items():
        path = deck_dir / rel
        current = path.read_bytes() if path.is_file() else None
        if current != data:
            changes[rel] = data
    return changes


def _report(
    out: Callable[[str], None],
    request: ImportRequest,
    deck: DraftDeck,
    planned: Planned,
    found: Provenance,
    root: Path,
    warnings: list[str],
) -> None:
    done = planned.outcome
    giving = deck.sources_with_cards()
    files = "source file" if giving == 1 else "source files"
    idle = deck.sources_read - giving
    read = f" ({idle} more read that gave no card)" if idle > 0 else ""
    out(f"cardpress import {request.format}: {giving} {files} in {_shown(root)}{read}")
    imported = len(deck.cards())
    repaired = f" ({len(deck.repaired)} repaired)" if deck.repaired else ""
    skipped_count = deck.found() - imported
    out(
        f"  questions: {deck.found()} found, {imported} imported{repaired}, {skipped_count} skipped"
    )
    out(
        f"  {_count(planned.cards, 'card')} in {_count(planned.sections, 'section')}: "
        f"{done.added} added, "
        f"{done.updated} updated, {done.unchanged} unchanged"
    )
    _listed(out, f"repaired {len(deck.repaired)}", _lines(deck.repaired))
    _listed(out, f"suspected merges: {len(deck.suspects)}", _lines(deck.suspects))
    if done.kept_edits:
        out(f"  kept {done.kept_edits} edited or deleted by hand (unchanged in the source)")
    _listed(out, f"removed from the source: {len(done.removed)}", done.removed)
    empty = f" ({deck.empty_answers} with an empty answer)" if deck.empty_answers else ""
    _listed(out, f"skipped {skipped_count}{empty}", _lines(deck.skipped))
    if done.images_copied or deck.missing_images:
        missing = _lines(deck.missing_images)
        heading = f"images: {done.images_copied} copied, {len(missing)} not copied"
        if missing:
            _listed(out, heading, missing)
        else:
            out(f"  {heading}")
    if done.state_damaged:
        out(
            f"  warning: {_shown(request.to)}/{STATE_NAME} cannot be read ({done.state_damaged}): "
            "ignored, so every block counts as new and hand edits are kept; it is written again"
        )
    _listed(out, f"conflicts: {len(done.conflicts)}", done.conflicts)
    _listed(out, f"build warnings: {len(warnings)}", warnings)
    for line in deck.notes:
        out(f"  {line}")
    out(f"  source: {found.source}")
    personal = ": for personal study only" if found.personal_only else ""
    out(f"  license: {found.license}{personal}")


def _lines(skips: list[Skip]) -> list[str]:
    """Report lines in source order."""
    ordered = sorted(skips, key=lambda s: (s.location.path, s.location.line))
    return [f"{s.location}: {s.reason}" for s in ordered]


def _listed(out: Callable[[str], None], heading: str, lines: list[str]) -> None:
    if lines:
        out(f"  {heading}:")
        for line in lines:
            out(f"    {line}")
