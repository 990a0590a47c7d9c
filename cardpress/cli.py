"""The command line: ``main(argv) -> int``; exit 0 built, 1 content errors, 2 usage errors."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from cardpress import __version__, extras, print_options
from cardpress.build import BuildOptions, build, source_date_epoch
from cardpress.commands import COMMANDS
from cardpress.errors import CardpressError, ContentError, UsageError, summarised
from cardpress.interrupts import Interrupted
from cardpress.model import CardSettings, QuizSettings
from cardpress.papers import PAPERS
from cardpress.renderers import FORMATS


def _formats(value: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown format '{','.join(unknown) or value}' (choose from {', '.join(FORMATS)})"
        )
    return names


def _checked(check: Callable[[str], object]) -> Callable[[str], object]:
    """An argparse type from a ``print_options`` check (its ValueError says what is allowed)."""

    def convert(value: str) -> object:
        try:
            return check(value)
        except ValueError as bad:
            raise argparse.ArgumentTypeError(str(bad)) from None

    return convert


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


def add_content_arguments(p: argparse.ArgumentParser, *, templates: bool = True) -> None:
    """Where the decks (and the templates) are: the options every subcommand that reads
    content shares with the build."""
    p.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        metavar="DIR",
        help="folder of decks to read (default: content)",
    )
    if templates:
        p.add_argument(
            "--templates",
            type=Path,
            metavar="DIR",
            help="folder of Jinja templates whose files replace the packaged ones "
            "(default: only the packaged templates)",
        )


def add_build_arguments(p: argparse.ArgumentParser) -> None:
    """The options of a build, shared by every subcommand that builds."""
    add_content_arguments(p)
    p.add_argument(
        "--out",
        type=Path,
        default=Path("dist"),
        metavar="DIR",
        help="folder to write the outputs to (default: dist)",
    )
    by_default = [name for name, row in FORMATS.items() if row.by_default]
    asked = [name for name, row in FORMATS.items() if not row.by_default]
    p.add_argument(
        "--only",
        type=_formats,
        default=None,
        metavar="FORMATS",
        help=f"comma-separated outputs to build (default: {','.join(by_default)}, "
        f"and {' and '.join(asked)} for decks that ask for them in their front matter)",
    )
    p.add_argument(
        "--paper",
        choices=tuple(PAPERS),
        help="paper size of the PDF (default: the deck's, else a4)",
    )
    asked = [name for name, row in FORMATS.items() if not row.by_default]
    cards = p.add_argument_group(
        "printed flashcards and quiz sheet",
        f"Built for a deck with {' or '.join(f'{name}: true' for name in asked)} in its front "
        f"matter, or for every deck with --only {','.join(asked)}. An option given here wins "
        "over the deck's own setting.",
    )
    cards.add_argument(
        "--card-size",
        type=_checked(print_options.card_size),
        metavar="SIZE",
        help=f"size of the printed cards: {print_options.SIZE_HELP} (default: the deck's, else a7)",
    )
    cards.add_argument(
        "--card-sides",
        type=_checked(print_options.card_sides),
        metavar="SIDES",
        help=f"how fronts and backs meet: {', '.join(print_options.SIDES)} "
        "(default: the deck's, else duplex-long)",
    )
    cards.add_argument(
        "--back-offset",
        type=_checked(print_options.back_offset),
        metavar="X,Y",
        help="move the backs X mm right and Y mm down, to correct a printer (see --calibrate)",
    )
    cards.add_argument(
        "--calibrate",
        action="store_true",
        help="start the cards with a calibration sheet that measures the printer's offset",
    )
    cards.add_argument(
        "--quiz-answers",
        type=_checked(print_options.quiz_answers),
        metavar="WHERE",
        help="the quiz's answer key: end (after the questions) or separate (on its own pages)",
    )
    cards.add_argument(
        "--shuffle",
        type=_checked(print_options.shuffle_seed),
        metavar="SEED",
        help="put the quiz's questions in a random order, the same for the same seed",
    )
    p.add_argument("--check", action="store_true", help="check the content and write nothing")
    p.add_argument(
        "--watch",
        action="store_true",
        help="rebuild on every change in the content and templates folders",
    )
    p.add_argument(
        "--prune",
        action="store_true",
        help="remove the outputs of decks that no longer exist (deleted, or given another "
        "id), which a build only reports; files changed since cardpress wrote them stay",
    )
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    p.add_argument("-v", "--verbose", action="store_true", help="print every step")


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


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        command = COMMANDS[argv[0]]
        sub = argparse.ArgumentParser(prog=f"cardpress {command.name}", description=command.summary)
        command.add_arguments(sub)
        args = sub.parse_args(argv[1:])
        if extras.refused(command.extra, f"cardpress {command.name}"):
            return 2
        if command.extra_for_options:
            extra, options = command.extra_for_options
            given = [o for o in options if getattr(args, o, None)]
            if given and extras.refused(extra, f"cardpress {command.name} --{given[0]}"):
                return 2
        try:
            return command.run(args)
        except KeyboardInterrupt:
            print("cardpress: interrupted", file=sys.stderr, flush=True)
            return 130
    return run_build_command(parser().parse_args(argv))


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
            from cardpress.live_loop import run_watch

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


def entry() -> None:
    """The installed command: ``main()``, whose exit status, once decided, a late Ctrl-C
    cannot turn into a traceback or a success it was not."""
    try:
        status = main()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # done: nothing left to interrupt
    except KeyboardInterrupt:
        print("cardpress: interrupted", file=sys.stderr, flush=True)
        status = 130
    sys.exit(status)


if __name__ == "__main__":
    entry()
