"""Ctrl-C during a build: what it says once outputs were moved into place, and the points
a build announces so that a test can interrupt it at an exact moment.

A build interrupted before its first output is moved into place leaves the output folder
as it was. Once outputs are moved, they are the new ones: the interruption says which,
and the next build finishes the rest (the lock, the build state). Either way the exit
status is 130, never success.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

HOLD_ENV = "CARDPRESS_HOLD"
"""``POINT:FILE``: at POINT the process creates FILE and waits while it exists (at most
``HOLD_SECONDS``). Set by tests only; without it a point costs one lookup. The points are
the build's ``POINTS``, the steps of ``cardpress sync`` (``commands.sync.checkpoint``)
and the command's own (``cardpress.__main__``): started (nothing loaded yet), finished
(the exit status decided) and shut-down (the interpreter ending)."""
HOLD_SECONDS = 120.0
PRINTOUTS_HOLD_ENV = "CARDPRESS_HOLD_PRINTOUTS"
"""``HOLD_ENV``'s setting for the background printouts of ``serve`` and ``--watch`` alone
(``cardpress.commands.live``): a test holds them there while the page is rebuilt."""
POINTS = ("rendered", "committed", "recorded")
"""Every output rendered to its temporary file; every output moved into place; the lock
files and the build state written, just before the build returns."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C after some outputs were moved into place."""

    def __init__(self, written: list[Path]):
        super().__init__()
        self.written = list(written)

    def __str__(self) -> str:
        names = ", ".join(str(path) for path in self.written)
        return f"interrupted after writing {names}; run cardpress again to finish the build"


@contextlib.contextmanager
def after_writing(written: list[Path]) -> Iterator[None]:
    """A Ctrl-C in the block, once ``written`` holds anything, says what was written."""
    try:
        yield
    except Interrupted:
        raise
    except KeyboardInterrupt:
        if not written:
            raise
        raise Interrupted(written) from None


def hold(point: str) -> None:
    """Announce ``point`` and wait there, when the environment asks for it (tests)."""
    setting = os.environ.get(HOLD_ENV)
    if not setting:
        return
    name, _, path = setting.partition(":")
    if name != point or not path:
        return
    marker = Path(path)
    marker.write_text(str(os.getpid()), encoding="utf-8")
    deadline = time.monotonic() + HOLD_SECONDS
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
