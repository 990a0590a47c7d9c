"""``cardpress serve``: build, watch, and serve the output folder on 127.0.0.1; the pages
reload after each rebuild and show its problems when it failed (like ``mkdocs serve``)."""

from __future__ import annotations

import argparse
import threading


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


class _Recorded:
    """The CLI's output that also keeps the problem lines of the build in progress."""

    def __init__(self, quiet: bool, verbose: bool):
        from cardpress.commands.build import Output

        self.output = Output(quiet, verbose)
        self.lines: list[str] = []

    def info(self, line: str) -> None:
        self.output.info(line)

    def detail(self, line: str) -> None:
        self.output.detail(line)

    def warn(self, line: str) -> None:
        self.lines.append(line)
        self.output.warn(line)


def run(args: argparse.Namespace) -> int:
    from cardpress.build.watch import watch
    from cardpress.commands.build import build_options, run_build
    from cardpress.errors import UsageError
    from cardpress.serve.server import LOOPBACK, BuildStatus, make_server

    recorded = _Recorded(args.quiet, args.verbose)
    try:
        options = build_options(args)
    except UsageError as exc:
        recorded.output.warn(f"cardpress: error: {exc}")
        return exc.exit_status
    status = BuildStatus()
    try:
        server = make_server(options.out, status, args.port)
    except OSError as exc:
        recorded.output.warn(f"cardpress: error: cannot serve on port {args.port}: {exc.strerror}")
        return 1
    threading.Thread(target=server.serve_forever, daemon=True).start()
    where = f"serving {options.out} at http://{LOOPBACK}:{server.server_port}/ (Ctrl-C to stop)"

    def build_and_publish() -> int:
        recorded.lines = []
        code = run_build(options, recorded)  # type: ignore[arg-type]
        status.publish(code == 0, recorded.lines)
        if status.current() == 1:  # the first build: now there is something to see
            print(where, flush=True)
        return code

    try:
        return watch(options, build_and_publish, recorded.info)
    finally:
        server.shutdown()
        server.server_close()
