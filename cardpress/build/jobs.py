"""A build's jobs: one per stale (deck, format), each with the context its renderer gets
(``plan_jobs``), rendered to a temporary file, the slowest format in a worker process on
the other core and the rest here, at the same time.

The worker starts before parsing, so it imports its renderer (WeasyPrint takes most of a
second) meanwhile; which format gets it is the ``worker`` fact of its ``FORMATS`` row.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from cardpress import __version__, atomic
from cardpress.anki.record import notes_to_write
from cardpress.caching import build_folder
from cardpress.errors import BuildError, ContentError
from cardpress.lock import Lock
from cardpress.model import Deck
from cardpress.renderers import FORMATS, RenderContext

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from cardpress.anki.package_notes import PackageNote
    from cardpress.build import freshness
    from cardpress.build.pipeline import BuildOptions, BuildReport
    from cardpress.parse.loader import ContentState

Log = Callable[[str], None]


@dataclass
class Job:
    """One output of one deck to render."""

    deck: Deck
    fmt: str
    context: RenderContext
    final: Path
    temp: Path | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # printed by its renderer


def unlink_temps(jobs: list[Job]) -> None:
    for job in jobs:
        if job.temp is not None:
            with contextlib.suppress(OSError):
                job.temp.unlink(missing_ok=True)


def start_second_core(stale: set[str], workers: int) -> tuple[ProcessPoolExecutor, str] | None:
    """A worker process for the slowest stale format, started before parsing so that it
    imports its renderer (WeasyPrint takes most of a second) while this process parses."""
    heavy = min(
        (fmt for fmt in stale if FORMATS[fmt].worker), key=lambda f: FORMATS[f].worker, default=None
    )
    if workers < 2 or heavy is None or (not FORMATS[heavy].worker_alone and len(stale) < 2):
        return None
    from cardpress.processes import worker_pool  # only here: multiprocessing costs imports

    executor = worker_pool(1)
    executor.submit(_import_renderer, heavy)
    return executor, heavy


def stop(executor: ProcessPoolExecutor) -> None:
    """End the worker at once, whatever it is rendering, and wait until it is gone."""
    for process in list((executor._processes or {}).values()):
        process.terminate()
    executor.shutdown(wait=True, cancel_futures=True)


def _import_renderer(fmt: str) -> None:
    FORMATS[fmt].renderer()


def draw_formulas(jobs: list[Job], folder: Path) -> None:
    """Give the outputs that draw formulas (``FORMATS``) their deck with SVG in place of
    each formula: drawn once per deck, from the cache where it can be."""
    finished: dict[str, Deck] = {}
    for job in jobs:
        if job.deck.math and FORMATS[job.fmt].draws_formulas:
            if job.deck.key not in finished:
                from cardpress.markup.formula_svg import FormulaCache, with_svg

                finished[job.deck.key] = with_svg(job.deck, FormulaCache(folder))
            job.deck = finished[job.deck.key]


def render_all(jobs: list[Job], second: tuple[ProcessPoolExecutor, str] | None) -> None:
    """Render every job to a temporary file: the slowest format in the worker process,
    the rest here, at the same time."""
    for job in jobs:
        job.temp = atomic.reserve(job.final)
    remote = [job for job in jobs if second is not None and job.fmt == second[1]]
    futures: list[Future[tuple[float, dict[str, tuple[str, int]], list[str]]]] = []
    if second is not None:
        futures = [second[0].submit(_render_in_worker, job) for job in remote]
    for job in jobs:
        if job not in remote:
            job.seconds = _render_one(job)
    if futures:
        from concurrent.futures.process import BrokenProcessPool
    for job, future in zip(remote, futures, strict=True):
        try:
            job.seconds, stamps, job.warnings = future.result()
        except BrokenProcessPool:
            raise BuildError(
                f"{job.final}: the worker process rendering it ended unexpectedly "
                "(out of memory?); the previous outputs were left as they were"
            ) from None
        if isinstance(job.context.stamps, Lock):
            job.context.stamps.stamps.update(stamps)


def _render_in_worker(job: Job) -> tuple[float, dict[str, tuple[str, int]], list[str]]:
    """Runs in the worker process: render, and return the stamps the renderer recorded
    and its warnings.

    Only the stamps that changed here: the worker's copy of the lock was taken before this
    process's own renderers recorded theirs, and its stale entries must not undo them.
    """
    lock = job.context.stamps
    before = dict(lock.stamps) if isinstance(lock, Lock) else {}
    seconds = _render_one(job)
    if not isinstance(lock, Lock):
        return seconds, {}, job.warnings
    changed = {key: v for key, v in lock.stamps.items() if before.get(key) != v}
    return seconds, changed, job.warnings


@dataclass(frozen=True)
class ProgressLine:
    """Prints a renderer's progress; a class, not a closure, so a worker can get it."""

    deck: str
    enabled: bool

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"  {self.deck}: {message}", flush=True)


@dataclass(frozen=True)
class WarningLine:
    """Prints a renderer's warning to stderr (from a worker process too)."""

    def __call__(self, line: str) -> None:
        print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class _Collect:
    """Passes a renderer's warnings on and keeps them, to repeat while the output is fresh."""

    warn: Callable[[str], None]
    kept: list[str]

    def __call__(self, line: str) -> None:
        self.warn(line)
        self.kept.append(line)


def _render_one(job: Job) -> float:
    started = time.perf_counter()
    assert job.temp is not None
    try:
        context = replace(job.context, warn=_Collect(job.context.warn, job.warnings))
        FORMATS[job.fmt].renderer()(job.deck, context, job.temp)
    except Exception as error:
        import jinja2  # only here: the renderer has imported it already

        if not isinstance(error, jinja2.TemplateError):
            raise
        raise BuildError(f"{job.final.name}: {error.message or error}") from None
    if not job.temp.exists() or not job.temp.stat().st_size:
        raise BuildError(f"{job.final}: the {job.fmt} renderer wrote nothing")
    return time.perf_counter() - started


def plan_jobs(
    options: BuildOptions,
    plan: freshness.Plan,
    state: ContentState,
    markdown_hashes: dict[str, str],
    report: BuildReport,
    detail: Log,
    warn: Log,
) -> list[Job]:
    """One job per stale output; an Anki job carries its package's notes, worked out
    once here for the renderer and the lock's record."""
    jobs: list[Job] = []
    for deck in state.decks:
        sources = _sources_fingerprint(deck, markdown_hashes)
        context = _context(deck, state, options, sources)
        unit = state.units[deck.key].unit
        for fmt in options.formats:
            if not options.formats_named and not FORMATS[fmt].wanted_by(deck):
                continue
            final = options.out / f"{deck.key}{FORMATS[fmt].suffix}"
            if plan.is_fresh(unit, fmt) and plan.state.decks[unit].key == deck.key:
                report.up_to_date += 1
                detail(f"up to date: {final}")
                for warning in plan.state.decks[unit].outputs[fmt].warnings:
                    warn(warning)
                continue
            if fmt == "anki":
                notes = notes_to_write(deck, state.locks[deck.key], options.templates_folder())
                jobs.append(Job(deck, fmt, replace(context, anki_notes=notes), final))
            else:
                jobs.append(Job(deck, fmt, context, final))
    return jobs


def anki_notes(jobs: list[Job]) -> dict[str, tuple[PackageNote, ...]]:
    """The notes of each Anki package just rendered, by deck key."""
    return {
        job.deck.key: job.context.anki_notes
        for job in jobs
        if job.fmt == "anki" and job.context.anki_notes is not None
    }


def check_glyphs(jobs: list[Job], options: BuildOptions, warn: Log) -> None:
    """Characters of a printed output (a PDF) about to be laid out that no installed font
    has: a warning at the card (with --strict an error, before anything is written)."""
    decks = list({job.deck.key: job.deck for job in jobs if FORMATS[job.fmt].uses_paper}.values())
    if not decks:
        return
    from cardpress.renderers.pdf.fonts import missing_glyphs

    found = [d for deck in decks for d in missing_glyphs(deck, options.strict)]
    if options.strict and found:
        raise ContentError(found)
    for diagnostic in found:
        warn(diagnostic.shown(options.content))


def _context(deck: Deck, state: ContentState, options: BuildOptions, sources: str) -> RenderContext:
    lock = state.locks[deck.key]
    dated = lock.content_time(sources)
    return RenderContext(
        templates_dir=options.templates_folder().resolve(),
        build_time=options.source_date_epoch if options.source_date_epoch is not None else dated,
        version=__version__,
        paper=options.paper,
        stamps=lock,
        cache_dir=build_folder(options.out),
        progress=ProgressLine(deck.key, options.progress),
        note_ids=lock.renamed_note_ids(),
        tombstones=lock.tombstones(),
        printing=options.printing,
        warn=WarningLine(),
        strict=options.strict,
        media=state.media_data(deck),
    )


def _sources_fingerprint(deck: Deck, markdown_hashes: dict[str, str]) -> str:
    """The deck's Markdown and images as they were read: its date changes with them."""
    parts = [f"{path}\0{markdown_hashes.get(path, '')}" for path in deck.sources]
    parts += [f"{media.path}\0{media.sha256}" for media in deck.media]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
