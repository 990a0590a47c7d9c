"""``cardpress import FORMAT SOURCE... --to content/<deck>``: bring Q&A in from elsewhere."""

from __future__ import annotations

import argparse
from pathlib import Path

from cardpress.importers import IMPORTERS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = "formats: " + "; ".join(f"{i.name}: {i.summary}" for i in IMPORTERS.values())
    parser.add_argument(
        "format", choices=list(IMPORTERS), metavar="FORMAT", help=", ".join(IMPORTERS) + " (below)"
    )
    parser.add_argument(
        "sources", nargs="+", type=Path, metavar="SOURCE", help="files or folders to read"
    )
    parser.add_argument(
        "--to",
        type=Path,
        required=True,
        metavar="DIR",
        help="the deck folder to write, e.g. content/devops (its name is the deck id)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the report, write nothing")
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip source files whose path (below the sources' folder) or name matches",
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="MAPPING",
        help="columns (csv: question=Front,answer=Back,tags=Tags,section=Deck) or, for "
        "anki, fields of a note type (NOTETYPE:question=Word,answer=Meaning)",
    )
    parser.add_argument(
        "--trailer",
        action="append",
        default=[],
        metavar="REGEX",
        help="numbered: also drop answer lines matching REGEX (besides 'Back to Top')",
    )
    parser.add_argument(
        "--encoding",
        default="",
        metavar="NAME",
        help="what source files that are not UTF-8 are in (cp1252, latin-1, utf-16, ...): "
        "they are converted, and the report lists them",
    )
    parser.add_argument("--id", dest="deck_id", metavar="ID", help="deck id (default: DIR's name)")
    parser.add_argument("--title", help="deck title (default: from the source)")
    parser.add_argument("--license", help="the sources' license, when no LICENSE file says it")
    parser.add_argument("--source", help="where the sources come from (default: git remote)")


def run(args: argparse.Namespace) -> int:
    from cardpress import extras
    from cardpress.errors import CardpressError

    if extras.refused(IMPORTERS[args.format].extra, f"cardpress import {args.format}"):
        return 2
    from cardpress.importers import ImportOptions
    from cardpress.importers.run import ImportRequest, run_import

    request = ImportRequest(
        format=args.format,
        sources=tuple(args.sources),
        to=args.to,
        dry_run=args.dry_run,
        exclude=tuple(args.exclude),
        options=ImportOptions(field_map=tuple(args.map), trailers=tuple(args.trailer)),
        deck_id=args.deck_id,
        title=args.title,
        license=args.license,
        source=args.source,
        encoding=args.encoding,
    )
    try:
        return run_import(request, lambda line: print(line, flush=True))
    except BrokenPipeError:  # `cardpress import ... | head`: stop printing, quietly
        import os
        import sys

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except CardpressError as exc:
        import sys

        print(f"cardpress: error: {exc}", file=sys.stderr, flush=True)
        return exc.exit_status
