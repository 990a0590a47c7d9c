"""``cardpress build``, and ``cardpress`` with no subcommand: the build's parser, its
options turned into a ``BuildOptions``, and one build (or a watch) with every error the
user can act on turned into lines and an exit status."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cardpress import __version__, print_options
from cardpress.build.interrupts import Interrupted
from cardpress.build.pipeline import BuildOptions, build, source_date_epoch
from cardpress.commands import COMMANDS
from cardpress.commands.options import add_build_arguments
from cardpress.errors import CardpressError, ContentError, UsageError, summarised
from cardpress.model import CardSettings, QuizSettings
from cardpress.renderers import FORMATS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_build_arguments(parser)


def run(args: argparse.Namespace) -> int:
    return run_build_command(args)


def parser() -> argparse.ArgumentParser:
    """The build's parser: ``cardpress [options]`` and ``cardpress build [options]``."""
    p = argparse.ArgumentParser(
        prog="cardpress",
        description="Build an Anki deck, a PDF cheat sheet and an HTML page "
        "from structured Markdown Q&A files.",
        epilog="subcommands (each has its own --help): "
        + "; ".join(f"{c.name}: {c.summary}" for c in COMMANDS.values()),
    )
    add_build_arguments(p)
    p.add_argument("--version", action="version", version=f"cardpress {__version__}")
    return p


class Output:
    """Where the CLI's lines go: results to stdout, problems to stderr."""

    def __init__(self, quiet: bool, verbose: bool):
        self.quiet = quiet
        self.verbose = verbose

    def info(self, line: str) -> None:
        if not self.quiet:
            print(line, flush=True)

    def detail(self, line: str) -> None:
        if self.verbose and not self.quiet:
            print(line, flush=True)

    def warn(self, line: str) -> None:
        print(line, file=sys.stderr, flush=True)


def run_build(options: BuildOptions, out: Output, written: list[Path] | None = None) -> int:
    """One build; every error the user can act on becomes lines and an exit status.
    ``written``, when given, gets the outputs the build moved into place."""
    try:
        report = build(options, out.info, out.detail, out.warn)
        if written is not None:
            written.extend(report.written)
    except ContentError as exc:
        for line in summarised(exc.diagnostics, options.content):
            out.warn(line)
        errors = sum(d.is_error for d in exc.diagnostics)
        warnings = len(exc.diagnostics) - errors
        out.warn(f"cardpress: {errors} error(s), {warnings} warning(s); nothing written")
        return exc.exit_status
    except CardpressError as exc:
        out.warn(f"cardpress: error: {exc}")
        return exc.exit_status
    return 0


def _printing(args: argparse.Namespace) -> print_options.PrintOptions:
    return print_options.PrintOptions(
        cards=CardSettings(
            size=args.card_size.name if args.card_size else None,
            sides=args.card_sides,
            back_offset=args.back_offset,
        ),
        quiz=QuizSettings(answers=args.quiz_answers, shuffle=args.shuffle),
        calibrate=args.calibrate,
    )


def build_options(args: argparse.Namespace) -> BuildOptions:
    """The build the parsed command line asks for; UsageError when it cannot be."""
    if args.prune and args.check:
        raise UsageError("--prune removes files and --check writes nothing: give one of them")
    return BuildOptions(
        content=args.content,
        templates=args.templates,
        out=args.out,
        formats=args.only or tuple(FORMATS),
        formats_named=args.only is not None,
        printing=_printing(args),
        check=args.check,
        prune=args.prune,
        strict=args.strict,
        paper=args.paper,
        source_date_epoch=source_date_epoch(),
        progress=not args.quiet,
    )


def run_build_command(args: argparse.Namespace) -> int:
    """Build (or watch) with the options parsed from the command line."""
    out = Output(args.quiet, args.verbose)
    try:
        options = build_options(args)
        if args.watch:
            from cardpress.commands.live import run_watch

            return run_watch(options, out)
        return run_build(options, out)
    except UsageError as exc:
        out.warn(f"cardpress: error: {exc}")
        return exc.exit_status
    except Interrupted as exc:
        out.warn(f"cardpress: {exc}")
        return 130
    except KeyboardInterrupt:
        out.warn("cardpress: interrupted; outputs left as they were")
        return 130
