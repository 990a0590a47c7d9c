"""A build: read and check everything, render every stale output to a temporary file, then
move them all into place. A failure at any step leaves the output folder as it was.

Outputs that are already up to date are not rendered again (see ``freshness``); when
nothing changed, the build returns before the parser or any renderer is even imported.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cardpress import atomic, template_folders
from cardpress.anki.record import stage_locks
from cardpress.build import freshness, interrupts, leftovers
from cardpress.caching import build_folder, output_lock
from cardpress.content.scan import ContentScan
from cardpress.errors import BuildError, UsageError, summarised
from cardpress.print_options import PrintOptions
from cardpress.renderers import FORMATS

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from cardpress.build.jobs import Job
    from cardpress.lock import Lock
    from cardpress.parse.cache import ParseCache
    from cardpress.parse.loader import ContentState
    from cardpress.parse.parallel import ParallelParse

Log = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    content: Path = Path("content")
    templates: Path | None = None  # the user's templates over the packaged ones
    out: Path = Path("dist")
    formats: tuple[str, ...] = tuple(FORMATS)
    formats_named: bool = False
    """The formats were named (``--only``): every deck gets them, asked for or not."""
    check: bool = False
    strict: bool = False
    paper: str | None = None
    source_date_epoch: int | None = None
    jobs: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    prune: bool = False
    """Remove the outputs of decks that no longer exist (see ``cardpress.build.leftovers``)."""
    progress: bool = True  # print renderers' progress lines
    printing: PrintOptions = field(
        default_factory=PrintOptions
    )  # cards and quiz options from the command line

    def templates_folder(self) -> Path:
        """The templates the build renders with: the user's folder, else the packaged one."""
        return self.templates or template_folders.packaged_folder()


@dataclass
class BuildReport:
    state: ContentState | None = None
    written: list[Path] = field(default_factory=list)
    up_to_date: int = 0


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


def _check_output_folder(options: BuildOptions) -> None:
    """Outputs inside the content folder would be read back as content (and a repository
    could ship them): refuse, before anything is read."""
    content = os.path.realpath(options.content)
    out = os.path.realpath(options.out)
    if Path(out).is_relative_to(content):
        raise UsageError(
            f"--out {options.out} lies inside the content folder {options.content}: "
            "write the outputs to a folder outside it (for example --out dist)"
        )
    existing = Path(out)
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"--out {options.out}: {existing} is a file, not a folder")


def build(options: BuildOptions, info: Log, detail: Log, warn: Log) -> BuildReport:
    """Run one build; raises CardpressError for anything the user must fix."""
    template_folders.chosen_folder(options.templates)
    if options.check:
        return _build(options, info, detail, warn)
    _check_output_folder(options)
    with output_lock(options.out, info):
        try:
            return _build(options, info, detail, warn)
        except OSError as exc:
            raise BuildError(f"{exc.filename or options.out}: {exc.strerror or exc}") from None


def _build(options: BuildOptions, info: Log, detail: Log, warn: Log) -> BuildReport:
    started = time.perf_counter()
    now = options.source_date_epoch if options.source_date_epoch is not None else int(time.time())

    scan = ContentScan.of(options.content)  # every content file is read through it, once
    plan = None
    if not options.check:
        plan = freshness.plan(
            scan,
            options.templates,
            options.out,
            options.formats,
            options.paper,
            options.source_date_epoch,
            options.strict,
            options.printing,
            options.formats_named,
        )
        for line in plan.state.damaged_warnings(options.out):
            warn(line)
        if plan.complete:
            for warning in summarised(plan.state.warnings, options.content) + (
                plan.output_warnings()
            ):
                warn(warning)
            outputs = plan.outputs
            if options.prune and plan.state.leftovers:
                leftovers.settle(options.out, True, plan.state, plan.state, None, info, warn)
            info(
                f"nothing to do: {outputs} output(s) of {len(plan.units)} deck(s) are up to date "
                f"({time.perf_counter() - started:.2f} s)"
            )
            return BuildReport(up_to_date=outputs)

    # Only now: a no-op build never imports the lock, the model's users or the workers.
    from cardpress.build.jobs import start_second_core, stop

    second = None
    if plan is not None:
        second = start_second_core(_stale_formats(plan, options.formats), options.jobs)
    try:
        return _build_stale(options, scan, plan, second, now, started, info, detail, warn)
    except BaseException:
        if second is not None:  # a content error: do not wait for its import to finish
            stop(second[0])
        raise
    finally:
        if second is not None:
            second[0].shutdown(cancel_futures=True)


def _build_stale(
    options: BuildOptions,
    scan: ContentScan | None,
    plan: freshness.Plan | None,
    second: tuple[ProcessPoolExecutor, str] | None,
    now: int,
    started: float,
    info: Log,
    detail: Log,
    warn: Log,
) -> BuildReport:
    """Read and check, then (unless ``--check``) the steps that write: plan the jobs,
    render them, stage the lock files, move the outputs into place, finish."""
    from cardpress.build.jobs import anki_notes, check_glyphs, plan_jobs

    started_at = time.time()
    cache = None if options.check else _parse_cache(options)
    here = None if plan is None else _stale_formats(plan, options.formats)
    if here is not None and second is not None:
        here.discard(second[1])
    state = _read(options, scan, cache, second, now, here)
    report = BuildReport(state=state)
    for line in summarised(state.warnings, options.content):
        warn(line)
    cards = sum(deck.card_count for deck in state.decks)
    info(f"read {len(state.decks)} deck(s), {cards} cards in {time.perf_counter() - started:.2f} s")
    if options.check or plan is None:
        info(f"checked {len(state.decks)} deck(s), {cards} cards: no errors")
        return report

    markdown_hashes = state.scan.markdown_hashes()
    jobs = plan_jobs(options, plan, state, markdown_hashes, report, detail, warn)
    check_glyphs(jobs, options, warn)
    staged: list[tuple[Lock, Path]] = []  # lock files written beside their place
    try:
        _render(options, jobs, second)
        notices = stage_locks(state, anki_notes(jobs), options.templates_folder(), staged, warn)
        _commit(jobs, report, info)
    except BaseException:
        _abandon(jobs, staged, second)
        raise
    try:
        with interrupts.after_writing(report.written):
            interrupts.hold("committed")
            _finish(
                options,
                plan,
                state,
                jobs,
                report,
                markdown_hashes,
                cache,
                started_at,
                (staged, notices),
                info,
                detail,
                warn,
            )
            interrupts.hold("recorded")
    finally:
        for _, temp in staged:  # those an interruption kept from moving into place
            temp.unlink(missing_ok=True)
    return report


def _parse_cache(options: BuildOptions) -> ParseCache:
    from cardpress.parse.cache import ParseCache

    return ParseCache(build_folder(options.out) / "parse")


def _read(
    options: BuildOptions,
    scan: ContentScan | None,
    cache: ParseCache | None,
    second: tuple[ProcessPoolExecutor, str] | None,
    now: int,
    here: set[str] | None = None,
) -> ContentState:
    """Every deck read and checked (a ContentError otherwise), uncached files parsed on
    the other core too when it is free; ``here``: the formats this process will render."""
    from cardpress.build.jobs import stop
    from cardpress.parse.loader import read_content  # only now: the parser costs imports

    ahead = _parse_ahead(options, cache, second, here)
    try:
        return read_content(
            options.content, strict=options.strict, now=now, cache=ahead or cache, scan=scan
        )
    finally:
        if ahead is not None and ahead.own is not None:
            stop(ahead.own)  # done, or a content error: nothing left to wait for


def _render(
    options: BuildOptions, jobs: list[Job], second: tuple[ProcessPoolExecutor, str] | None
) -> None:
    """Every job rendered to a temporary file beside its place; nothing moved yet."""
    from cardpress.build.jobs import draw_formulas, render_all

    try:
        options.out.mkdir(parents=True, exist_ok=True)
        if not os.access(options.out, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        draw_formulas(jobs, build_folder(options.out) / "formulas")
        render_all(jobs, second)
    except OSError as exc:  # a full disk, a read-only folder: nothing was moved yet
        raise BuildError(
            f"{options.out}: cannot write the outputs ({exc.strerror or exc}); "
            "the previous outputs were left as they were"
        ) from None


def _commit(jobs: list[Job], report: BuildReport, info: Log) -> None:
    """Move every rendered output into place, each atomically."""
    interrupts.hold("rendered")
    with interrupts.after_writing(report.written):
        for job in jobs:
            assert job.temp is not None
            atomic.commit(job.temp, job.final)
            report.written.append(job.final)
            _report(job, info)


def _abandon(
    jobs: list[Job],
    staged: list[tuple[Lock, Path]],
    second: tuple[ProcessPoolExecutor, str] | None,
) -> None:
    """A failed or interrupted build: no temporary file left behind."""
    from cardpress.build.jobs import stop, unlink_temps

    if second is not None:  # first stop it, or it could still write a temporary file
        stop(second[0])
    unlink_temps(jobs)
    for _, temp in staged:
        temp.unlink(missing_ok=True)


def _finish(
    options: BuildOptions,
    plan: freshness.Plan,
    state: ContentState,
    jobs: list[Job],
    report: BuildReport,
    markdown_hashes: dict[str, str],
    cache: ParseCache | None,
    started_at: float,
    locks: tuple[list[tuple[Lock, Path]], list[str]],
    info: Log,
    detail: Log,
    warn: Log,
) -> None:
    """After the outputs are in place: sweep, the lock files (``locks``: those written
    beside their place, and the notices), the notices, the state."""
    for job in jobs:
        atomic.sweep(job.final, started_at)
    staged, notices = locks
    rewritten: set[str] = set()  # decks whose lock this build wrote
    for lock, temp in staged:
        lock.commit_staged(temp)
        if lock.deck not in rewritten:
            detail(f"updated {lock.path}")
        rewritten.add(lock.deck)
    for deck in state.decks:
        atomic.sweep(state.locks[deck.key].path, started_at)
        for part in state.locks[deck.key].part_hashes():
            atomic.sweep(part, started_at)
    for notice in notices:
        info(notice)
    try:
        recorded = freshness.record(
            options.out, options.formats, plan, state, jobs, markdown_hashes, rewritten
        )
        keys = [deck.key for deck in state.decks]
        leftovers.settle(options.out, options.prune, plan.state, recorded, keys, info, warn)
        if cache is not None:
            cache.save()
    except OSError as exc:  # the outputs are written; only the next build costs more
        warn(
            f"cardpress: warning: cannot keep the build cache in {build_folder(options.out)} "
            f"({exc.strerror or exc}); the next build rebuilds everything"
        )
    for line in cache.damaged_warnings() if cache is not None else []:
        warn(line)
    if report.up_to_date:
        info(f"{report.up_to_date} output(s) already up to date")


def _parse_ahead(
    options: BuildOptions,
    cache: ParseCache | None,
    second: tuple[ProcessPoolExecutor, str] | None,
    here: set[str] | None,
) -> ParallelParse | None:
    """The parse cache with a worker that parses uncached files on the other core: the
    Anki worker once it imported genanki, else one of its own, started when needed. Not
    beside the PDF worker, which imports WeasyPrint meanwhile and then lays out there.
    Once the worker parses, this process imports the renderers of ``here`` first: the
    worker parses the files that leaves no time for, instead of that import waiting for
    the parse to end."""
    if cache is None or options.jobs < 2 or (second is not None and second[1] != "anki"):
        return None
    from cardpress.parse.parallel import ParallelParse

    def import_renderers() -> None:
        for fmt in sorted(here or ()):
            FORMATS[fmt].renderer()

    executor = second[0] if second is not None else None
    root = options.content.resolve()
    return ParallelParse(cache, executor, root, options.strict, import_renderers)


def _stale_formats(plan: freshness.Plan, formats: tuple[str, ...]) -> set[str]:
    return {fmt for unit in plan.units for fmt in formats if not plan.is_fresh(unit.unit, fmt)}


def _report(job: Job, info: Log) -> None:
    info(f"wrote {job.final} ({job.deck.card_count} cards, {job.seconds:.2f} s)")


__all__ = ["BuildOptions", "BuildReport", "build", "source_date_epoch"]
