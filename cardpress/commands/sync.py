"""``cardpress sync``: apply the decks straight to an Anki collection.

It builds the Anki packages itself (in a temporary folder), refuses while Anki has the
collection open, backs the collection up, imports each package as Anki's File > Import
would, then does what an import cannot: moves cards to their current subdecks, keeps the
tags the user added in Anki, and tags and suspends (or, with ``--delete``, deletes) the
notes of removed cards. See docs/anki.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cardpress.anki_profiles import CollectionPlace
    from cardpress.anki_sync import DeckPlan, DeckWork
    from cardpress.build import BuildOptions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cardpress.cli import add_content_arguments

    add_content_arguments(parser)
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--profile",
        metavar="NAME",
        help="the Anki profile whose collection to sync (default: the only profile; Anki's "
        "folder is found as Anki finds it, or set ANKI_BASE)",
    )
    where.add_argument(
        "--collection", type=Path, metavar="PATH", help="a collection file (collection.anki2)"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print what the sync would do (the preview, moves, deletions) and change nothing",
    )
    parser.add_argument(
        "--delete",
        action="store_true",
        help="delete the notes of removed cards instead of tagging and suspending them",
    )
    edits = parser.add_mutually_exclusive_group()
    edits.add_argument(
        "--keep-anki-edits",
        action="store_true",
        help="fields edited in Anki that the Markdown would replace keep the edit (this run)",
    )
    edits.add_argument(
        "--overwrite-anki-edits",
        action="store_true",
        help="fields edited in Anki that the Markdown would replace get the Markdown's text",
    )
    parser.add_argument(
        "--max-delete",
        type=_count,
        default=None,
        metavar="N",
        help="with --delete, stop before changing anything if more than N notes of a deck "
        "would go (default: 20, or a tenth of the deck if that is fewer)",
    )


def _count(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number")
    return int(value)


def run(args: argparse.Namespace) -> int:
    from cardpress.commands.failures import reported

    try:
        return reported(lambda: _plan_and_sync(args), "the collection was not touched")
    except KeyboardInterrupt:
        print("cardpress: interrupted; the collection opens and checks clean", file=sys.stderr)
        return 130


def _plan_and_sync(args: argparse.Namespace) -> int:
    from cardpress.anki_profiles import find_collection
    from cardpress.anki_sync import open_collection, plan_deck
    from cardpress.build import source_date_epoch
    from cardpress.errors import UsageError
    from cardpress.parse import read_content
    from cardpress.template_folders import chosen_folder

    templates = chosen_folder(args.templates)
    if args.max_delete is not None and not args.delete:
        raise UsageError("--max-delete limits --delete: give both, or neither")
    place = find_collection(args.profile, args.collection)
    state = read_content(args.content, now=source_date_epoch())
    plans = [
        plan_deck(deck, state.locks[deck.key], state.removed.get(deck.key, []), templates)
        for deck in state.decks
    ]
    for warning in state.warnings:
        print(warning, file=sys.stderr)
    from cardpress.anki_edits import deck_notes, sync_edits

    known = [deck_notes(deck, state.locks[deck.key], templates) for deck in state.decks]
    col = open_collection(place)
    try:
        args.anki_edits = sync_edits(col, known, args.keep_anki_edits, args.overwrite_anki_edits)
        return _sync(args, plans, place, col)
    finally:
        col.close()


def _sync(args: argparse.Namespace, plans: list[DeckPlan], place: CollectionPlace, col: Any) -> int:
    from cardpress import anki_report
    from cardpress.anki_sync import SyncError, deck_work, note_rows

    rows = note_rows(col)
    planned = [(plan, deck_work(col, plan, rows, rows, delete=args.delete)) for plan in plans]
    if args.delete and not args.dry_run:
        _check_deletions(args, planned)
    if args.anki_edits.edits and args.anki_edits.decision is None and not args.dry_run:
        raise SyncError(args.anki_edits.refusal())
    from cardpress.anki_sync_needed import nothing_to_change

    args.nothing_to_change = nothing_to_change(col, planned, args.anki_edits, delete=args.delete)
    if args.dry_run:
        print("\n".join(args.anki_edits.lines(dry_run=True)))
        for index, (plan, work) in enumerate(planned):
            if index:
                print()
            print("\n".join(anki_report.summary(plan.changes, sync=True)))
            print("\n".join(_work_lines(col, work, args.delete, dry_run=True)))
        if args.delete:
            try:
                _check_deletions(args, planned)
            except SyncError as exc:
                print(f"the sync would stop: {exc}")
        print(f"dry run: {place.shown} was not changed")
        return 0
    return _apply(args, plans, place, col)


def _check_deletions(args: argparse.Namespace, planned: list[tuple[DeckPlan, DeckWork]]) -> None:
    from cardpress.anki_sync import SyncError, default_max_delete

    for plan, work in planned:
        limit = args.max_delete if args.max_delete is not None else default_max_delete(plan)
        if len(work.removed) > limit:
            raise SyncError(
                f"{plan.deck}: --delete would delete {len(work.removed)} notes, more than "
                f"--max-delete {limit}; nothing was changed. See which with --dry-run --delete, "
                f"and if that is right run again with --max-delete {len(work.removed)}"
            )


def _apply(
    args: argparse.Namespace, plans: list[DeckPlan], place: CollectionPlace, col: Any
) -> int:
    from cardpress.anki_sync import read_lock_bytes, restore_lock_bytes
    from cardpress.build import BuildOptions, source_date_epoch

    with tempfile.TemporaryDirectory(prefix="cardpress-sync-") as tmp:
        out = Path(tmp) / "dist"
        options = BuildOptions(
            content=args.content,
            templates=args.templates,
            out=out,
            formats=("anki",),
            formats_named=True,
            source_date_epoch=source_date_epoch(),
            progress=False,
        )
        # The build records the new packages in the lock files; until a package is in
        # the collection, a failure puts its deck's lock file back as it was.
        saved = {plan.deck: read_lock_bytes(plan) for plan in plans}
        pending = {plan.deck for plan in plans}
        try:
            _build_and_import(args, plans, place, col, options, pending)
        except BaseException:
            for plan in plans:
                if plan.deck in pending:
                    restore_lock_bytes(plan, saved[plan.deck])
            raise
    return 0


def _build_and_import(
    args: argparse.Namespace,
    plans: list[DeckPlan],
    place: CollectionPlace,
    col: Any,
    options: BuildOptions,
    pending: set[str],
) -> None:
    from cardpress.anki_sync import (
        apply,
        cleanup_build,
        deck_work,
        forget_gone_tombstones,
        import_package,
        note_rows,
        record_tags,
    )
    from cardpress.anki_sync_needed import back_up_before_change
    from cardpress.build import build, source_date_epoch

    out = options.out
    try:
        build(options, _ignore, _ignore, _ignore)  # the notices are for a manual import
    finally:
        cleanup_build(out)
    back_up_before_change(col, place, not args.nothing_to_change)
    for plan in plans:
        before = note_rows(col)
        log = import_package(col, out / f"{plan.deck}.apkg")
        pending.discard(plan.deck)
        now = note_rows(col)
        readded = {  # tombstones of notes deleted in Anki: a sync never brings them back
            now[g].nid for g in plan.tags if g not in plan.live and g not in before and g in now
        }
        args.anki_edits.after_import(col, plan.deck)
        kept = {g: row for g, row in now.items() if row.nid not in readded}
        work = deck_work(col, plan, before, kept, delete=args.delete)
        lines = _work_lines(col, work, args.delete, dry_run=False)
        apply(col, work, sorted(readded), delete=args.delete)
        record_tags(col, plan)
        forgotten = forget_gone_tombstones(col, plan, source_date_epoch() or 0)
        print(
            f"{plan.deck}: imported into {place.shown}: {len(log.new)} new, "
            f"{len(log.updated)} updated, {len(log.duplicate)} unchanged note(s)"
        )
        print("\n".join(lines))
        for line in args.anki_edits.lines(dry_run=False, deck=plan.deck):
            print(f"  {line}" if not line.startswith("  ") else line)
        if forgotten:
            print(
                f"  their notes are gone from Anki, so the packages stop carrying "
                f"{len(forgotten)} removed card(s): {', '.join(forgotten)}"
            )


def _ignore(line: str) -> None:
    pass


def _work_lines(col: Any, work: DeckWork, delete: bool, dry_run: bool) -> list[str]:
    """What the sync does (or would do) beyond the import, in words."""
    from cardpress.anki_sync import note_ids_field
    from cardpress.renderers.anki import REMOVED_TAG

    lines = []
    for target, card_ids in work.moves.items():
        notes = {col.db.scalar("select nid from cards where id = ?", cid) for cid in card_ids}
        lines.append(
            f"  {'would move' if dry_run else 'moved'} {len(card_ids)} card(s) to '{target}': "
            f"{', '.join(note_ids_field(col, notes))}"
        )
    if work.restored_own_tags:
        verb = "would keep" if dry_run else "kept"
        lines.append(f"  {verb} the tags you added in Anki on {work.restored_own_tags} note(s)")
    if work.removed:
        ids = ", ".join(note_ids_field(col, work.removed))
        fresh = [nid for nid in work.removed if nid in work.retag] or work.suspend
        if delete:
            verb = "would delete" if dry_run else "deleted"
            lines.append(f"  {verb} {len(work.removed)} note(s) of removed cards: {ids}")
        elif fresh:
            verb = "would tag" if dry_run else "tagged"
            lines.append(
                f"  {verb} the notes of removed cards {REMOVED_TAG} and suspend their cards "
                f"({len(work.removed)} note(s), {len(work.suspend)} card(s) to suspend): {ids}"
            )
        else:
            lines.append(
                f"  the notes of removed cards stay tagged {REMOVED_TAG} and suspended: {ids}"
            )
    if work.unsuspend:
        verb = "would unsuspend" if dry_run else "unsuspended"
        lines.append(f"  {verb} {len(work.unsuspend)} card(s) of cards that are back")
    if not lines:
        lines.append("  every card is in its subdeck; nothing else to do")
    return lines
