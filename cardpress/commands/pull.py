"""``cardpress pull``: bring edits made in Anki back into the Markdown.

For every field edited in Anki (see ``cardpress.anki.edits``), a three-way merge: edited
only in Anki, it is converted to Markdown and written in place of the card's question,
answer or details; edited in the Markdown too, or not sayable in Markdown, it is
reported and left alone. ``--dry-run`` prints the change as a diff and writes nothing.
See docs/anki.md.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cardpress.commands.options import add_collection_arguments, add_content_arguments

    add_content_arguments(parser)
    add_collection_arguments(
        parser, "the Anki profile whose collection to read (default: as cardpress sync finds it)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the change to the Markdown, write nothing"
    )


def run(args: argparse.Namespace) -> int:
    from cardpress.commands.failures import reported

    return reported(lambda: _pull(args), "no Markdown file was changed")


def _pull(args: argparse.Namespace) -> int:
    from cardpress import atomic
    from cardpress.anki.edits import plain, short_diff
    from cardpress.anki.profiles import find_collection
    from cardpress.anki.pull import pull_edits, unified_diff
    from cardpress.build.pipeline import source_date_epoch
    from cardpress.errors import path_shown
    from cardpress.parse import read_content
    from cardpress.template_folders import chosen_folder

    templates = chosen_folder(args.templates)
    place = find_collection(args.profile, args.collection)
    state = read_content(args.content, now=source_date_epoch())
    pull = pull_edits(args.content, state, place, templates)
    diff = unified_diff(pull, path_shown)
    if diff:
        print("\n".join(diff))
    for edit, reason in pull.refused:
        print(
            f"{edit.deck}: {edit.card_id}, field {edit.field}: not pulled: {reason} "
            f"(Markdown to Anki: {short_diff(plain(edit.package), plain(edit.anki))})"
        )
    if not pull.pulled and not pull.refused:
        print(f"nothing to pull: no field in {place.shown} was edited in Anki")
        return 0
    if args.dry_run:
        print(f"dry run: {len(pull.pulled)} field(s) would be pulled; nothing was written")
        return 0
    for path, (_, new) in sorted(pull.files.items()):
        atomic.write_bytes(path, new.encode("utf-8"))
    print(
        f"pulled {len(pull.pulled)} field(s) edited in Anki into {len(pull.files)} file(s); "
        "review the change, then build (or sync)"
    )
    return 0
