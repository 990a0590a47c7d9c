"""Ctrl-C at a point a cardpress process announces (``cardpress.build.interrupts.hold``):
the process holds there until the test has sent SIGINT, so the interruption comes at that
exact point however loaded the machine is.

Holds no tests itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from cardpress.build.interrupts import HOLD_ENV, HOLD_SECONDS


def with_ctrl_c() -> None:
    """In the child before it runs: Ctrl-C as a terminal's foreground command gets it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupted_at(
    command: Sequence[str | Path],
    point: str,
    marker: Path,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], object] | None = None,
    release: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` until it holds at ``point``, send it SIGINT (what Ctrl-C sends), and
    return the ended process. It starts with Ctrl-C's default disposition, as in a
    terminal, even when the tests run where it is ignored (a background job), unless
    ``preexec_fn`` sets another. ``release``: then let it go on (remove the marker), for
    a process that is expected to outlive the signal."""
    process = subprocess.Popen(
        [str(part) for part in command],
        env={**(env or os.environ), HOLD_ENV: f"{point}:{marker}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn or with_ctrl_c,
    )
    try:
        deadline = time.monotonic() + HOLD_SECONDS
        while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if not marker.exists():
            process.kill()
            out, err = process.communicate()
            raise AssertionError(f"the process never held at {point!r}: {err}")
        process.send_signal(signal.SIGINT)
        if release:
            marker.unlink()
        out, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)
