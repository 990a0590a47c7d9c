"""Parsing a cold deck's files on both cores.

A deck's files are parsed in order, sharing what the deck has claimed so far (ids,
section keys, card count, images). Most files depend on that state only through clashes,
which the parse cache already handles: an entry is reused only when its ids and section
keys are still free and the card count stays within the limit, and is parsed again in
order otherwise. So a worker process parses a deck's uncached files from the last one
back, each on its own, exactly as if it filled the cache, while this process parses from
the first one on; when this process reaches a file the worker has taken, it takes the
worker's entry like a cache entry, and a file the worker has not started yet it parses
itself. The two meet wherever their speeds make them meet, so neither core waits long
for the other. A file the worker saw any diagnostic in, or that uses images (whose byte
budget is the deck's), is left to this process, and so is everything after a worker
failure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cardpress.content.files import SourceFile, Unreadable
from cardpress.errors import Reporter
from cardpress.markup.html import prepare
from cardpress.parse.cache import ParseCache, encode_entry
from cardpress.parse.deck import parse_or_reuse
from cardpress.parse.deck_state import DeckState
from cardpress.parse.drafts import ParsedFile

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
from cardpress.content.scan import ContentScan, FileBytes

MIN_FILES = 4
"""Fewer uncached files than this are parsed here: starting on the other core costs more."""
TASKS = 32
"""At most this many tasks for the worker, the deck's uncached files cut in runs: the two
processes meet within one run, and each run costs a message each way."""

Parsed = dict[str, tuple[ParsedFile, bytes]]


class ParallelParse:
    """A parse cache (``FileCache``) that parses ahead in a worker process: ``executor``'s,
    or one of its own (``own``, to stop after parsing), started only when a deck has
    enough uncached files. Once it has started, ``meanwhile`` runs here first (what the
    build will need after reading, such as its renderers' imports)."""

    def __init__(
        self,
        cache: ParseCache,
        executor: ProcessPoolExecutor | None,
        root: Path,
        strict: bool,
        meanwhile: Callable[[], object] | None = None,
    ):
        self.cache = cache
        self.meanwhile = meanwhile
        self.executor = executor
        self.own: ProcessPoolExecutor | None = None
        self.root = root
        self.strict = strict
        self.ahead: dict[str, Future[Parsed]] = {}

    def key(self, source: SourceFile) -> str:
        return self.cache.key(source)

    def prefetch(self, sources: Sequence[SourceFile]) -> None:
        cold = [source for source in sources if not self.cache.has(self.key(source))]
        if len(cold) < MIN_FILES:
            return
        for math in {source.math for source in cold}:  # before the fork: made here once
            prepare((source.text for source in cold if source.math == math), math)
        run = -(-len(cold) // TASKS)
        workers = self._workers()
        for start in reversed(range(0, len(cold), run)):  # the last run first
            files = cold[start : start + run]
            future = workers.submit(parse_alone, self.root, files, self.strict)
            self.ahead.update((self.key(source), future) for source in files)
        if self.meanwhile is not None:  # the worker takes the files this leaves no time for
            self.meanwhile()

    def _workers(self) -> ProcessPoolExecutor:
        if self.executor is None:
            # only now: multiprocessing, with logging, is a tenth of the start-up
            from cardpress.processes import worker_pool

            self.executor = self.own = worker_pool(1)  # ends with the build, even killed
        return self.executor

    def get(self, key: str, scan: ContentScan) -> ParsedFile | None:
        future = self.ahead.pop(key, None)
        if future is not None and not future.cancel():  # else not started: parsed here
            try:
                found = future.result().get(key)
            except Exception:  # the worker is only a head start: parse here instead
                found = None
            if found is not None:
                self.cache.put_encoded(key, *found)
                return found[0]
        return self.cache.get(key, scan)

    def put(self, key: str, parsed: ParsedFile) -> None:
        self.cache.put(key, parsed)

    def save(self) -> None:
        self.cache.save()


def parse_alone(root: Path, sources: list[SourceFile], strict: bool) -> Parsed:
    """Runs in the worker: each file parsed as the first of an empty deck, with its
    cache entry encoded; files with a diagnostic or an image are left out."""
    collected = _Collect()
    for source in sources:
        parse_or_reuse(source, DeckState(_NoReads(root), Reporter(strict)), collected)
    return {
        key: (parsed, encode_entry(parsed, key))
        for key, parsed in collected.entries.items()
        if not parsed.media
    }


class _Collect:
    """The worker's cache: it holds nothing yet and keeps what the parse puts."""

    def __init__(self) -> None:
        self.entries: dict[str, ParsedFile] = {}
        self.keys = ParseCache(Path())

    def key(self, source: SourceFile) -> str:
        return self.keys.key(source)

    def get(self, key: str, scan: ContentScan) -> ParsedFile | None:
        return None

    def put(self, key: str, parsed: ParsedFile) -> None:
        self.entries[key] = parsed

    def prefetch(self, sources: Sequence[SourceFile]) -> None:
        """Parses nothing ahead."""


class _NoReads(ContentScan):
    """The worker's scan: it reads no file, so each file stays read once, by the build's
    own scan. A file whose image would need reading gets a diagnostic and is left out."""

    def __init__(self, root: Path):  # no discovery: the worker is handed its files
        self.root = root
        self.found = []

    def read(self, path: Path, limit: int, what: str = "file") -> FileBytes:
        raise Unreadable(f"{what} is read by the build, not by a parse worker")
