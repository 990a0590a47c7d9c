"""``python -m cardpress``, ``python build.py`` and the ``cardpress`` command.

Ctrl-C at any moment from this module's first line on ends with one line on stderr and
status 130, never a traceback. While the modules load, before the work starts and once
its exit status is decided (the exit handlers included), nothing needs cleaning up: the
process ends at once. While the work runs, Ctrl-C is a ``KeyboardInterrupt``, which each
command turns into what it left behind. Before this module runs (Python starting) and
after the last exit handler (Python tearing down) a Ctrl-C is the interpreter's own:
while it starts, its traceback of its own frames; as it ends, the process ended by the
signal (status 130 in a shell, nothing printed). When the parent has Ctrl-C ignored (a
background job), cardpress ignores it too.
"""

import atexit
import contextlib
import os
import signal
import sys


def _interrupted(signum: int, frame: object) -> None:
    """Ctrl-C outside the work: nothing to clean up, so end now, in one line."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # the interrupted code may have been writing
            stream.flush()
    os.write(2, b"cardpress: interrupted\n")
    os._exit(130)


if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    signal.signal(signal.SIGINT, _interrupted)


def entry() -> None:
    """Run the command line; exit with its status, or 130 after a Ctrl-C."""
    from cardpress.build.interrupts import hold

    ours = signal.getsignal(signal.SIGINT) is _interrupted
    atexit.register(hold, "shut-down")  # the last Python code before the process ends
    hold("started")
    try:
        try:
            from cardpress.cli import main

            if ours:
                signal.signal(signal.SIGINT, signal.default_int_handler)
            status = main()
        finally:
            if ours:
                signal.signal(signal.SIGINT, _interrupted)
    except KeyboardInterrupt:
        print("cardpress: interrupted", file=sys.stderr)
        status = 130
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: the rest is lost
            stream.flush()
    hold("finished")
    # CPython remembers a Ctrl-C that ended an exec() or eval() of a string (dataclasses and
    # named tuples make their methods so while a module loads) as unhandled even once it was
    # handled, and under `python -m` ends the process by the signal instead of with its
    # status: an empty exec() makes it forget.
    exec("")
    sys.exit(status)


if __name__ == "__main__":
    entry()
