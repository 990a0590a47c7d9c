"""The rounds of ``serve`` and ``--watch``: after an edit, the outputs in the order the
person looks at them (``LIVE_STAGES``). The page first, so that it reloads as soon as it
is written; the deck just after; the printouts last, in a background process, each
announced when it is ready, and all stopped by the next edit, which makes them stale.

Each stage is a build of its own, as ``--only`` makes one (outputs rendered to temporary
files, moved into place, the state recorded): a stage that fails or is stopped leaves the
outputs of the stages before it, and its own previous outputs, as they were.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from cardpress.build.pipeline import BuildOptions
from cardpress.caching import KeptBetweenBuilds
from cardpress.renderers import FORMATS, LIVE_STAGES

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

BACKGROUND = LIVE_STAGES[-1]
STOP_SECONDS = 30.0  # how long a stopped background build may take to clean up
STARTED = "started"  # the background process's first message: it may now be interrupted


class Lines(Protocol):
    def info(self, line: str) -> None: ...
    def detail(self, line: str) -> None: ...
    def warn(self, line: str) -> None: ...


class RoundOutput:
    """The command's output over one round: a warning that one stage printed is not
    printed again by the next (they read the same content); ``lines`` keeps the round's
    problem lines, which ``serve`` shows on the page."""

    def __init__(self, out: Lines, lines: list[str] | None = None):
        self.out = out
        self.lines: list[str] = list(lines or [])

    def info(self, line: str) -> None:
        self.out.info(line)

    def detail(self, line: str) -> None:
        self.out.detail(line)

    def warn(self, line: str) -> None:
        if line not in self.lines:
            self.lines.append(line)
            self.out.warn(line)


class Audience(Protocol):
    """Who hears of a round's stages (``serve``'s page, through its status)."""

    def shown(self, code: int, written: list[Path], problems: list[str], more: bool) -> None:
        """The first stage (the page) is done: its outputs are in place, or it failed;
        ``more``: later stages follow."""

    def ready(self, code: int, written: list[Path], problems: list[str]) -> None:
        """A later stage is done: a deck or a printout is in place, or it failed."""

    def done(self) -> None:
        """The round is over: every stage done, or failed, or stopped by a newer edit."""


class Silent:
    """An audience of none: ``--watch`` prints its lines and nothing more."""

    def shown(self, code: int, written: list[Path], problems: list[str], more: bool) -> None:
        pass

    def ready(self, code: int, written: list[Path], problems: list[str]) -> None:
        pass

    def done(self) -> None:
        pass


def live_stages(options: BuildOptions) -> list[tuple[str, BuildOptions]]:
    """The builds of a round, in ``LIVE_STAGES`` order; each of the formats of its stage."""
    stages = []
    for stage in LIVE_STAGES:
        formats = tuple(f for f in options.formats if FORMATS[f].live_stage == stage)
        if formats:
            stages.append((stage, replace(options, formats=formats)))
    return stages


def _kept_between_rounds() -> tuple[KeptBetweenBuilds[Any, Any], ...]:
    """The memories a round keeps for the next: parsed files and the lock's parts."""
    from cardpress.lock import kept_parts
    from cardpress.parse import cache

    return cache.REMEMBERED, kept_parts.REMEMBERED


class LiveBuilds:
    """The rounds of builds of ``serve`` and ``--watch``; a context that stops the
    background printouts when it ends."""

    def __init__(self, options: BuildOptions, out: RoundOutput, audience: Audience | None = None):
        self.options = options
        self.out = out
        self.audience = audience or Silent()
        self.printouts = Printouts(out, self.audience)

    def __enter__(self) -> LiveBuilds:
        for kept in _kept_between_rounds():  # each round decodes only what the edit touched
            kept.keep()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.printouts.stop()
        for kept in _kept_between_rounds():
            kept.forget()

    def round(self) -> int:
        """Build what the edit made stale, the page first; returns the exit status of the
        builds it waited for (the printouts go on in the background)."""
        from cardpress.commands.build import run_build

        if self.printouts.stop():
            self.out.info("stopped the printouts in progress: the content changed")
        self.out.lines = []
        stages = live_stages(self.options)
        code = 0
        for number, (stage, options) in enumerate(stages):
            if stage == BACKGROUND and number > 0:
                self.printouts.start(options, self.out.lines)
                _settle_memory()
                return code  # the printouts end the round
            written: list[Path] = []
            code = run_build(options, self.out, written)  # type: ignore[arg-type]
            more = code == 0 and number + 1 < len(stages)
            if number == 0:
                self.audience.shown(code, written, list(self.out.lines), more)
            else:
                self.audience.ready(code, written, list(self.out.lines))
            if code != 0:
                break
        self.audience.done()
        _settle_memory()
        return code


def _settle_memory() -> None:
    """After a round, while nobody waits: collect its garbage, then exempt what is left
    (what the next round reuses: parsed files, lock parts, cards' markup) from later
    collections. Otherwise every collection during a round walks those millions of
    objects again; at 10,000 cards that was most of a page's build."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Printouts:
    """The printouts of the last edit, built by a process of their own (spawned, so it
    shares no state with this one's threads), one format at a time."""

    def __init__(self, out: RoundOutput, audience: Audience):
        self.out = out
        self.audience = audience
        self.process: BaseProcess | None = None
        self.listener: threading.Thread | None = None
        self.started = threading.Event()

    def start(self, options: BuildOptions, printed: list[str]) -> None:
        import multiprocessing  # only here: a round without printouts does without

        context = multiprocessing.get_context("spawn")
        receive, send = context.Pipe(duplex=False)
        quiet = replace(options, progress=False)
        self.process = context.Process(
            target=build_printouts,
            args=(quiet, send, list(printed)),
            name="cardpress-printouts",
        )
        names = ", ".join(options.formats)
        self.out.info(f"building the printouts ({names}) in the background; an edit stops them")
        self.started = threading.Event()
        self.process.start()
        send.close()
        self.listener = threading.Thread(
            target=self._listen,
            args=(receive, self.process, options.out, self.started),
            daemon=True,
        )
        self.listener.start()

    def _listen(
        self, receive: Connection, process: BaseProcess, out: Path, started: threading.Event
    ) -> None:
        """Announce each printout as the background process reports it; reap it at the end."""
        try:
            while True:
                try:
                    message = receive.recv()
                except (EOFError, OSError):
                    break
                if message == STARTED:
                    started.set()
                    continue
                code, names, problems = message
                written = [out / name for name in names]
                for path in written:
                    self.out.info(f"ready: {path}")
                self.audience.ready(code, written, problems)
        finally:
            receive.close()
            process.join()
            self.audience.done()

    def stop(self) -> bool:
        """Stop the printouts in progress as Ctrl-C would (the build removes its temporary
        files and leaves its outputs as they were); True when some were in progress."""
        process, self.process = self.process, None
        if process is None:
            return False
        busy = process.is_alive()
        if busy and not self.started.is_set():
            process.kill()  # still starting: nothing written, nothing to clean up
        elif busy and process.pid is not None:
            os.kill(process.pid, signal.SIGINT)
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
        process.join()
        if self.listener is not None:
            self.listener.join(STOP_SECONDS)
        return busy


def build_printouts(options: BuildOptions, send: Connection, printed: list[str]) -> None:
    """In the background process: each printout format as a build of its own, reported
    to the parent (exit status, file names written, problem lines) as soon as it is done.
    Its own process group: the parent stops it (a Ctrl-C reaches the parent alone).
    Warnings the parent printed this round are not printed again; its problems are."""
    os.setpgrp()
    send.send(STARTED)
    from cardpress.build.interrupts import HOLD_ENV, PRINTOUTS_HOLD_ENV

    if os.environ.get(PRINTOUTS_HOLD_ENV):
        os.environ[HOLD_ENV] = os.environ[PRINTOUTS_HOLD_ENV]
    from cardpress.commands.build import Output, run_build

    _stop_with_parent(os.getppid())
    lines = RoundOutput(Output(quiet=True, verbose=False), printed)
    try:
        for fmt in options.formats:
            written: list[Path] = []
            before = len(lines.lines)
            code = run_build(replace(options, formats=(fmt,)), lines, written)  # type: ignore[arg-type]
            send.send((code, [path.name for path in written], lines.lines[before:]))
            if code != 0:
                break
    except KeyboardInterrupt:
        pass  # stopped by a newer edit, or Ctrl-C: the build left the outputs as they were
    finally:
        send.close()


def _stop_with_parent(parent: int) -> None:
    """Interrupt this process, as Ctrl-C, if the process that started it ends first."""

    def check() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=check, daemon=True).start()


def run_watch(options: BuildOptions, out: Lines, audience: Audience | None = None) -> int:
    """``--watch`` and ``serve``: rounds of builds until interrupted. (Terminated instead,
    this process ends at once; its background printouts notice and stop themselves.)"""
    from cardpress.build.watch import watch

    with LiveBuilds(options, RoundOutput(out), audience) as live:
        return watch(options, live.round, out.info)


__all__ = ["Audience", "LiveBuilds", "RoundOutput", "live_stages", "run_watch"]
