"""``python -m cardpress`` and the ``cardpress`` command: Ctrl-C at any moment, even while
the modules are still loading, ends with one line and status 130, never a traceback."""

import sys


def entry() -> None:
    try:
        from cardpress.cli import entry as run
    except KeyboardInterrupt:
        print("cardpress: interrupted", file=sys.stderr, flush=True)
        sys.exit(130)
    run()


if __name__ == "__main__":
    entry()
