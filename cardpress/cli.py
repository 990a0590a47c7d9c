"""The command line: ``main(argv) -> int``; exit 0 built, 1 content errors, 2 usage errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cardpress import __version__
from cardpress.build import BuildOptions, build, source_date_epoch
from cardpress.errors import CardpressError, ContentError, UsageError
from cardpress.renderers import FORMATS


def _formats(value: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown format '{','.join(unknown) or value}' (choose from {', '.join(FORMATS)})"
        )
    return names


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cardpress",
        description="Build an Anki deck, a PDF cheat sheet and an HTML page "
        "from structured Markdown Q&A files.",
    )
    p.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        metavar="DIR",
        help="folder of decks to read (default: content)",
    )
    p.add_argument(
        "--templates",
        type=Path,
        default=Path("templates"),
        metavar="DIR",
        help="folder of Jinja templates (default: templates)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("dist"),
        metavar="DIR",
        help="folder to write the outputs to (default: dist)",
    )
    p.add_argument(
        "--only",
        type=_formats,
        default=tuple(FORMATS),
        metavar="FORMATS",
        help=f"comma-separated outputs to build (default: {','.join(FORMATS)})",
    )
    p.add_argument(
        "--paper",
        choices=("a4", "letter"),
        help="paper size of the PDF (default: the deck's, else a4)",
    )
    p.add_argument("--check", action="store_true", help="check the content and write nothing")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    p.add_argument("-v", "--verbose", action="store_true", help="print every step")
    p.add_argument("--version", action="version", version=f"cardpress {__version__}")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)

    def info(line: str) -> None:
        if not args.quiet:
            print(line, flush=True)

    def detail(line: str) -> None:
        if args.verbose and not args.quiet:
            print(line, flush=True)

    def warn(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        options = BuildOptions(
            content=args.content,
            templates=args.templates,
            out=args.out,
            formats=args.only,
            check=args.check,
            strict=args.strict,
            paper=args.paper,
            source_date_epoch=source_date_epoch(),
        )
        build(options, info, detail, warn)
    except ContentError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        errors = sum(d.is_error for d in exc.diagnostics)
        warnings = len(exc.diagnostics) - errors
        print(
            f"cardpress: {errors} error(s), {warnings} warning(s); nothing written", file=sys.stderr
        )
        return exc.exit_status
    except UsageError as exc:
        print(f"cardpress: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except CardpressError as exc:
        print(f"cardpress: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("cardpress: interrupted; outputs left as they were", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
