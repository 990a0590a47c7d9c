"""``cardpress serve``: build, watch, and serve the output folder on 127.0.0.1; the pages
reload after each rebuild and show its problems when it failed (like ``mkdocs serve``)."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cardpress.serve.server import BuildStatus


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cardpress.commands.options import add_build_arguments

    add_build_arguments(parser)
    parser.add_argument(
        "--port",
        type=int,
        default=8000,
        metavar="N",
        help="port on 127.0.0.1 to serve on (default: 8000; 0 picks a free one)",
    )


class _Page:
    """What the page hears of each round: a new build to reload when the page is written
    (or its problems), then each later output as it is ready."""

    def __init__(self, status: BuildStatus, where: str):
        self.status = status
        self.where = where

    def shown(self, code: int, written: list[Path], problems: list[str], more: bool) -> None:
        first = self.status.current() == 0
        if first or code != 0 or written or not self.status.ok:
            self.status.publish(code == 0, problems, busy=more)
        else:  # nothing of the page changed (a printout's template, say): no reload
            self.status.unchanged(busy=more)
        if first:  # the first build: now there is something to see
            print(self.where, flush=True)

    def ready(self, code: int, written: list[Path], problems: list[str]) -> None:
        self.status.announce(code == 0, [path.name for path in written], problems)

    def done(self) -> None:
        self.status.done()


def run(args: argparse.Namespace) -> int:
    from cardpress.commands.build import Output, build_options
    from cardpress.commands.live import run_watch
    from cardpress.errors import UsageError
    from cardpress.serve.server import LOOPBACK, BuildStatus, make_server

    output = Output(args.quiet, args.verbose)
    try:
        options = build_options(args)
    except UsageError as exc:
        output.warn(f"cardpress: error: {exc}")
        return exc.exit_status
    status = BuildStatus()
    try:
        server = make_server(options.out, status, args.port)
    except OSError as exc:
        output.warn(f"cardpress: error: cannot serve on port {args.port}: {exc.strerror}")
        return 1
    threading.Thread(target=server.serve_forever, daemon=True).start()
    where = f"serving {options.out} at http://{LOOPBACK}:{server.server_port}/ (Ctrl-C to stop)"
    try:
        return run_watch(options, output, _Page(status, where))
    finally:
        server.shutdown()
        server.server_close()
