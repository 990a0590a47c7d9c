"""Worker processes that end when the process that started them ends.

A build killed with SIGTERM or SIGKILL gets no chance to stop its workers; without this
they would go on laying out a PDF nobody will read, for ever. On Linux the kernel sends
the worker SIGKILL when its parent ends (``PR_SET_PDEATHSIG``); elsewhere a thread in the
worker checks every half second that its parent is still the one that started it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1
WATCH_INTERVAL = 0.5  # seconds, where the kernel cannot watch for us


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Forked workers (they inherit the imports made so far) that die with this process."""
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )


def die_with_parent(parent: int) -> None:
    """Run first in a worker: end it as soon as ``parent`` has ended. Ctrl-C, which a
    terminal sends to every process of the build, is the parent's to handle: it stops
    its workers (``stop_now``), so a worker never dies of it on its own, with a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not (sys.platform.startswith("linux") and _kernel_kills_orphan()):
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent ended before we could ask
        os._exit(1)


def _kernel_kills_orphan() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_INTERVAL)
    os._exit(1)


def stop_now(executor: ProcessPoolExecutor) -> None:
    """End the workers at once, whatever they are doing, and wait until they are gone."""
    for process in list((executor._processes or {}).values()):
        process.terminate()
    executor.shutdown(wait=True, cancel_futures=True)
