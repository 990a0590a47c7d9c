"""A build: read and check everything, render every output to a temporary file, then
move them all into place. A failure at any step leaves the output folder as it was."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cardpress import __version__, atomic
from cardpress.errors import BuildError, UsageError
from cardpress.lock import Lock
from cardpress.model import Deck
from cardpress.parse import ContentState, model_fingerprint, read_content
from cardpress.renderers import FORMATS, RenderContext

Log = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    content: Path = Path("content")
    templates: Path = Path("templates")
    out: Path = Path("dist")
    formats: tuple[str, ...] = tuple(FORMATS)
    check: bool = False
    strict: bool = False
    paper: str | None = None
    source_date_epoch: int | None = None


@dataclass
class BuildReport:
    state: ContentState | None = None
    written: list[Path] = field(default_factory=list)


def source_date_epoch(environ: dict[str, str] | os._Environ[str] = os.environ) -> int | None:
    raw = environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise UsageError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds, not '{raw}'"
        ) from None
    if value < 0:
        raise UsageError("SOURCE_DATE_EPOCH may not be negative")
    return value


def build(options: BuildOptions, info: Log, detail: Log, warn: Log) -> BuildReport:
    """Run one build; raises CardpressError for anything the user must fix."""
    if not options.templates.is_dir():
        raise UsageError(f"{options.templates}: templates folder does not exist")
    started = time.perf_counter()
    now = options.source_date_epoch if options.source_date_epoch is not None else int(time.time())
    state = read_content(options.content, strict=options.strict, now=now)
    report = BuildReport(state=state)
    for warning in state.warnings:
        warn(str(warning))
    cards = sum(deck.card_count for deck in state.decks)
    detail(
        f"read {len(state.decks)} deck(s), {cards} cards in {time.perf_counter() - started:.2f} s"
    )
    if options.check:
        info(f"checked {len(state.decks)} deck(s), {cards} cards: no errors")
        return report

    options.out.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for deck in state.decks:
            lock = state.locks[deck.key]
            context = _context(deck, lock, options)
            for name in options.formats:
                fmt = FORMATS[name]
                final = options.out / f"{deck.key}{fmt.suffix}"
                started = time.perf_counter()
                with atomic.staged_file(final) as temp:
                    fmt.renderer()(deck, context, temp)
                    if not temp.stat().st_size:
                        raise BuildError(f"{final}: the {name} renderer wrote nothing")
                    staged.append((temp, final))
                info(
                    f"wrote {final} ({deck.card_count} cards, "
                    f"{time.perf_counter() - started:.2f} s)"
                )
        for temp, final in staged:
            atomic.commit(temp, final)
            report.written.append(final)
    except BaseException:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    for deck in state.decks:
        _save_lock(state.locks[deck.key], detail)
        removed = state.removed.get(deck.key, [])
        if removed:
            info(removed_notice(deck, removed))
    return report


def removed_notice(deck: Deck, removed: list[str]) -> str:
    ids = ", ".join(removed)
    query = " or ".join(f'"CardpressId:{card_id}"' for card_id in removed[:20])
    return (
        f"{deck.key}: {len(removed)} card(s) removed since the last build: {ids}. "
        f"Importing cannot delete notes; find them in Anki with: {query}"
    )


def _context(deck: Deck, lock: Lock, options: BuildOptions) -> RenderContext:
    dated = lock.content_time(model_fingerprint(deck))
    return RenderContext(
        content_dir=options.content.resolve(),
        templates_dir=options.templates.resolve(),
        build_time=options.source_date_epoch if options.source_date_epoch is not None else dated,
        version=__version__,
        paper=options.paper,
        stamps=lock,
    )


def _save_lock(lock: Lock, detail: Log) -> None:
    if lock.save():
        detail(f"updated {lock.path}")
