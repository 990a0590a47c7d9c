"""``python -m cardpress`` and the ``cardpress`` command: Ctrl-C at any moment, even while
the modules are still loading, ends with one line and status 130, never a traceback."""

import sys


def entry() -> int:
    try:
        from cardpress.cli import main

        return main()
    except KeyboardInterrupt:
        print("cardpress: interrupted", file=sys.stderr, flush=True)
        return 130


if __name__ == "__main__":
    sys.exit(entry())
