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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cardpress.anki.owners import Ownership
    from cardpress.anki.profiles import CollectionPlace
    from cardpress.anki.sync import DeckPlan, DeckWork, NoteRow
    from cardpress.build.pipeline import BuildOptions


@dataclass(frozen=True)
class Planned:
    """One deck's sync as planned on the collection before anything changes."""

    plan: DeckPlan
    owners: Ownership
    work: DeckWork
    """What the sync would do (the dry run's report, the first check of --max-delete)."""


def checkpoint(step: str) -> None:
    """The sync reached ``step`` (planned, backed-up, built, kept-own-tags, imported,
    applied, recorded), a point it announces (``cardpress.build.interrupts.hold``): tests
    stop the sync at each step to check that running it again ends where one whole sync
    would, and interrupt it there."""
    from cardpress.build.interrupts import hold

    hold(step)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cardpress.commands.options import add_collection_arguments, add_content_arguments

    add_content_arguments(parser)
    add_collection_arguments(
        parser,
        "the Anki profile whose collection to sync (default: the only profile; Anki's "
        "folder is found as Anki finds it, or set ANKI_BASE)",
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
    from cardpress.anki.collection import open_collection
    from cardpress.anki.profiles import find_collection
    from cardpress.anki.sync import plan_deck
    from cardpress.build.pipeline import source_date_epoch
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
    from cardpress.anki.edits import deck_notes, sync_edits

    known = [deck_notes(deck, state.locks[deck.key], templates) for deck in state.decks]
    col = open_collection(place)
    try:
        args.anki_edits = sync_edits(col, known, args.keep_anki_edits, args.overwrite_anki_edits)
        return _sync(args, plans, place, col)
    finally:
        col.close()


def _sync(args: argparse.Namespace, plans: list[DeckPlan], place: CollectionPlace, col: Any) -> int:
    from cardpress.anki import report as anki_report
    from cardpress.anki.owners import ownership, ownership_lines, read_own_tags
    from cardpress.anki.sync import SyncError, deck_work, note_rows
    from cardpress.anki.tag_record import has_record, recorded_tags

    rows = note_rows(col)
    planned = []
    for plan in plans:
        first = not has_record(col, plan.deck)
        owners = ownership(plan, rows, recorded_tags(col, plan.deck), first=first)
        kept = read_own_tags(col, plan.deck)
        work = deck_work(col, plan, rows, rows, owners, kept, delete=args.delete)
        planned.append(Planned(plan, owners, work))
    if args.delete and not args.dry_run:
        for deck in planned:
            _check_deletions(args, deck.plan, deck.work.removed)
    args.anki_edits = args.anki_edits.without(
        {g for d in planned for g in d.owners.foreign},
        frozenset(n for d in planned for n in d.owners.reclaimed),
    )
    if args.anki_edits.edits and args.anki_edits.decision is None and not args.dry_run:
        raise SyncError(args.anki_edits.refusal())
    from cardpress.anki.sync_needed import nothing_to_change

    args.nothing_to_change = nothing_to_change(col, planned, args.anki_edits, delete=args.delete)
    if args.dry_run:
        print("\n".join(args.anki_edits.lines(dry_run=True)))
        for index, deck in enumerate(planned):
            if index:
                print()
            print("\n".join(anki_report.summary(deck.plan.changes, sync=True)))
            print("\n".join(ownership_lines(deck.owners, deck.plan, dry_run=True)))
            print("\n".join(_work_lines(col, deck.work, args.delete, dry_run=True)))
        if args.delete:
            try:
                for deck in planned:
                    _check_deletions(args, deck.plan, deck.work.removed)
            except SyncError as exc:
                print(f"the sync would stop: {exc}")
        print(f"dry run: {place.shown} was not changed")
        return 0
    checkpoint("planned")
    return _apply(args, planned, place, col, rows)


def _check_deletions(args: argparse.Namespace, plan: DeckPlan, removed: list[int]) -> None:
    """Stop if ``--delete`` would delete more notes of the deck than ``--max-delete``."""
    from cardpress.anki.sync import SyncError, default_max_delete

    limit = args.max_delete if args.max_delete is not None else default_max_delete(plan)
    if len(removed) > limit:
        raise SyncError(
            f"{plan.deck}: --delete would delete {len(removed)} notes, more than "
            f"--max-delete {limit}; nothing was deleted. See which with --dry-run --delete, "
            f"and if that is right run again with --max-delete {len(removed)}"
        )


def _apply(
    args: argparse.Namespace,
    planned: list[Planned],
    place: CollectionPlace,
    col: Any,
    rows: dict[str, NoteRow],
) -> int:
    from cardpress.anki.sync import read_lock_bytes, restore_lock_bytes
    from cardpress.build.pipeline import BuildOptions, source_date_epoch

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
        plans = [deck.plan for deck in planned]
        saved = {plan.deck: read_lock_bytes(plan) for plan in plans}
        pending = {plan.deck for plan in plans}
        try:
            _build_and_import(args, planned, place, col, rows, options, pending)
        except BaseException:
            for plan in plans:
                if plan.deck in pending:
                    restore_lock_bytes(plan, saved[plan.deck])
            raise
    return 0


def _build_and_import(
    args: argparse.Namespace,
    planned: list[Planned],
    place: CollectionPlace,
    col: Any,
    rows: dict[str, NoteRow],
    options: BuildOptions,
    pending: set[str],
) -> None:
    from cardpress.anki.collection import anki_trouble
    from cardpress.anki.sync import cleanup_build
    from cardpress.anki.sync_needed import back_up_before_change
    from cardpress.anki.tag_record import seed_record
    from cardpress.build.pipeline import build
    from cardpress.errors import CardpressError

    backup = back_up_before_change(col, place, not args.nothing_to_change)
    checkpoint("backed-up")
    try:
        for deck in planned:  # before the build changes the lock files
            seed_record(col, deck.plan, rows)
        out = options.out
        try:
            build(options, _ignore, _ignore, _ignore)  # the notices are for a manual import
        finally:
            cleanup_build(out)
        checkpoint("built")
        for deck in planned:
            _import_deck(args, deck, place, col, out / f"{deck.plan.deck}.apkg", pending)
    except (CardpressError, OSError, KeyboardInterrupt):
        raise
    except Exception as exc:  # the engine's errors have no common base we can name
        from cardpress.anki.sync import SyncError

        raise SyncError(
            f"{place.shown}: Anki could not write the collection: {anki_trouble(exc)}. It "
            f"is as the last step left it and opens fine; run cardpress sync again once that "
            f"is fixed: it finishes the work, your own tags included"
            + (f" (or restore {backup})" if backup else "")
        ) from None


def _import_deck(
    args: argparse.Namespace,
    deck: Planned,
    place: CollectionPlace,
    col: Any,
    package: Path,
    pending: set[str],
) -> None:
    """Import one deck's package and do what the import cannot, on the deck's notes alone."""
    from cardpress.anki.owners import (
        drop_notes,
        forget_own_tags,
        keep_own_tags,
        ownership_lines,
        package_stamps,
        read_own_tags,
    )
    from cardpress.anki.sync import (
        apply,
        deck_work,
        forget_gone_tombstones,
        import_package,
        note_rows,
        own_tags,
    )
    from cardpress.anki.tag_record import record_tags, recorded_tags
    from cardpress.build.pipeline import source_date_epoch

    plan, owners = deck.plan, deck.owners
    drop_notes(package, owners.foreign)  # a guid: setting takes over no other deck's note
    before = note_rows(col)
    mods = dict(col.db.all("select guid, mod from notes"))
    recorded = recorded_tags(col, plan.deck)
    kept = read_own_tags(col, plan.deck)
    # The import replaces the tags of the notes it updates: the user's own tags on them
    # are recorded in the collection first, so that a rerun after a kill puts them back.
    updating = [
        guid
        for guid, mod in package_stamps(package).items()
        if guid in before
        and owners.may_touch(guid, before)
        and (mod > mods[guid] or before[guid].nid in owners.reclaimed)
    ]
    keep_own_tags(
        col,
        plan.deck,
        {guid: own_tags(plan, recorded, guid, before[guid].tags, kept) for guid in updating},
    )
    checkpoint("kept-own-tags")
    kept = read_own_tags(col, plan.deck)
    if owners.reclaimed:  # older than any package: the import gives them their text back
        reclaimed = sorted(owners.reclaimed)
        marks = ",".join("?" * len(reclaimed))
        col.db.execute(f"update notes set mod = 0 where id in ({marks})", *reclaimed)
    log = import_package(col, package)
    pending.discard(plan.deck)
    checkpoint("imported")
    args.anki_edits.after_import(col, plan.deck, set(owners.foreign))
    now = note_rows(col)
    readded = {  # tombstones of notes deleted in Anki: a sync never brings them back
        now[g].nid for g in plan.tags if g not in plan.live and g not in before and g in now
    }
    left = {g: row for g, row in now.items() if row.nid not in readded}
    work = deck_work(col, plan, before, left, owners, kept, delete=args.delete)
    if args.delete:  # the exact notes about to go, right before they go
        _check_deletions(args, plan, work.removed)
    lines = ownership_lines(owners, plan, dry_run=False)
    lines += _work_lines(col, work, args.delete, dry_run=False)
    apply(col, work, sorted(readded), delete=args.delete)
    checkpoint("applied")
    record_tags(col, plan, owners.foreign)
    forget_own_tags(col, plan.deck)
    checkpoint("recorded")
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
    from cardpress.anki.notes import REMOVED_TAG
    from cardpress.anki.sync import note_ids_field

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
