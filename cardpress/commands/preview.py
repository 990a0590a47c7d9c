"""``cardpress preview``: what importing the next build's Anki packages will do.

Run after editing and before building: it reads the content and the lock files (writing
nothing) and compares the notes the next package will hold with what the last one held.
It needs no Anki; see docs/anki.md for what each line means.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cardpress.commands.options import add_collection_arguments, add_content_arguments

    add_content_arguments(parser)
    parser.add_argument(
        "--json", action="store_true", help="print the changes as JSON, for other tools"
    )
    add_collection_arguments(
        parser,
        "like --anki, in this Anki profile",
        "like --anki, in this collection file",
        anki_help="also list the fields edited in Anki that the Markdown would replace, in the "
        "collection sync would use (the only profile, or ANKI_BASE)",
    )


def run(args: argparse.Namespace) -> int:
    from cardpress.commands.failures import reported

    return reported(lambda: _preview(args), "nothing to preview")


def _preview(args: argparse.Namespace) -> int:
    from cardpress.anki import report as anki_report
    from cardpress.anki.changes import next_package
    from cardpress.build.pipeline import source_date_epoch
    from cardpress.parse import read_content
    from cardpress.template_folders import chosen_folder

    templates = chosen_folder(args.templates)
    state = read_content(args.content, now=source_date_epoch())
    changes = [
        next_package(deck, state.locks[deck.key], state.removed.get(deck.key, []), templates)[0]
        for deck in state.decks
    ]
    edits = _anki_edits(args, state, templates)
    if args.json:
        data: dict[str, Any] = {"preview": 1, "decks": [c.to_json() for c in changes]}
        if edits is not None:
            data["anki_edits"] = [
                {"deck": e.deck, "card": e.card_id, "field": e.field, "diff": e.diff()}
                for e in edits
            ]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    for warning in state.warnings:
        print(warning, file=sys.stderr)
    for index, deck_changes in enumerate(changes):
        if index:
            print()
        print("\n".join(anki_report.summary(deck_changes)))
    if edits is not None:
        from cardpress.anki.edits import ADVICE, report

        print()
        sure = [e for e in edits if not e.behind]
        if sure:
            print(f"{len(sure)} field(s) edited in Anki that the Markdown would replace:")
            print("\n".join(report(sure)))
            print(f"  a sync stops for them: {ADVICE}")
        else:
            print("no field edited in Anki is at risk")
        behind = [e for e in edits if e.behind]
        if behind:
            print(
                f"{len(behind)} field(s) in Anki differ from the last build, and their notes "
                "were last changed before it: not imported yet, or edited in Anki before it "
                "(an import would replace them):"
            )
            print("\n".join(report(behind)))
    return 0


def _anki_edits(args: argparse.Namespace, state: Any, templates: Path) -> list[Any] | None:
    """The fields edited in Anki that the Markdown would replace (None: not asked)."""
    if not (args.anki or args.profile or args.collection):
        return None
    from cardpress.anki.collection import open_collection
    from cardpress.anki.edits import deck_notes, edited_fields
    from cardpress.anki.profiles import find_collection

    place = find_collection(args.profile, args.collection)
    known = [deck_notes(deck, state.locks[deck.key], templates) for deck in state.decks]
    col = open_collection(place)
    try:
        return edited_fields(col, known, include_behind=True)
    finally:
        col.close()
