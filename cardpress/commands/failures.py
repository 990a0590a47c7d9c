"""How the commands that read the content (preview, sync, forget-removed) end on an error
the user can act on: the diagnostics or one ``cardpress: error:`` line, what was left
untouched, and the exit status. Never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable

from cardpress.errors import CardpressError, ContentError


def reported(body: Callable[[], int], untouched: str) -> int:
    """``body()``'s exit status, or the status of the error it raised, told on stderr;
    ``untouched`` says what the failed command left as it was ("nothing to preview")."""
    try:
        return body()
    except ContentError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        print(f"cardpress: the content has errors; {untouched}", file=sys.stderr)
        return exc.exit_status
    except CardpressError as exc:
        print(f"cardpress: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except OSError as exc:
        print(f"cardpress: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1
