"""``cardpress preview``: what importing the next build's Anki packages will do.

Run after editing and before building: it reads the content and the lock files (writing
nothing) and compares the notes the next package will hold with what the last one held.
It needs no Anki; see docs/anki.md for what each line means.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cardpress.cli import add_content_arguments

    add_content_arguments(parser)
    parser.add_argument(
        "--json", action="store_true", help="print the changes as JSON, for other tools"
    )


def run(args: argparse.Namespace) -> int:
    from cardpress.commands.failures import reported

    return reported(lambda: _preview(args), "nothing to preview")


def _preview(args: argparse.Namespace) -> int:
    from cardpress import anki_report
    from cardpress.anki_changes import next_package
    from cardpress.build import source_date_epoch
    from cardpress.parse import read_content
    from cardpress.template_folders import chosen_folder

    templates = chosen_folder(args.templates)
    state = read_content(args.content, now=source_date_epoch())
    changes = [
        next_package(deck, state.locks[deck.key], state.removed.get(deck.key, []), templates)[0]
        for deck in state.decks
    ]
    if args.json:
        data = {"preview": 1, "decks": [c.to_json() for c in changes]}
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    for warning in state.warnings:
        print(warning, file=sys.stderr)
    for index, deck_changes in enumerate(changes):
        if index:
            print()
        print("\n".join(anki_report.summary(deck_changes)))
    return 0
