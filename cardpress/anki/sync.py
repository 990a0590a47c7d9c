"""``cardpress sync``'s work on a collection: what an import cannot do, done through Anki's
own engine (the ``anki`` package), so that the next AnkiWeb sync carries every change.

After the package is imported exactly as File > Import would (keeping every review),
the sync moves each card of a cardpress note to its current subdeck, puts back the tags
the user added in Anki (the import replaced them), and handles the notes of the deck
that the package no longer holds: tagged ``cardpress::removed`` and suspended, or, with
``--delete``, deleted. Nothing here bumps the collection's schema: no full sync follows.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardpress import atomic
from cardpress.anki.changes import DeckChanges, next_package
from cardpress.anki.notes import REMOVED_TAG, guid_for
from cardpress.anki.tag_record import folded, recorded_tags
from cardpress.errors import CardpressError
from cardpress.lock import Lock
from cardpress.lock.files import part_files
from cardpress.model import TAG_NAMESPACE, CardKind, Deck

if TYPE_CHECKING:
    from cardpress.anki.owners import Ownership

SUSPENDED = -1
"""Anki's queue number of a suspended card."""


class SyncError(CardpressError):
    """The collection cannot be synced now (open in Anki, unreadable, too much to delete)."""


@dataclass(frozen=True)
class DeckPlan:
    """What the next package holds for one deck, as the sync needs it."""

    changes: DeckChanges
    live: dict[str, str]
    """GUID -> subdeck of every note of a current card."""
    tags: dict[str, tuple[str, ...]]
    """GUID -> the package's tags of every note it holds, tombstones included."""
    put_there: dict[str, frozenset[str]]
    """GUID -> the tags (case-folded) the last package the lock knows put on the note,
    for a collection that has no record of its own (see ``tag_record.recorded_tags``)."""
    lock_path: Path
    """The deck's lock file, whose tombstones of notes gone from Anki the sync forgets."""
    tombstones: dict[str, str]
    """GUID -> card id of each removed card's note the package carries."""
    updated: frozenset[str] = frozenset()
    """GUIDs of the notes the import will update (and whose tags it will replace)."""
    card_ids: dict[str, str] = field(default_factory=dict)
    """GUID -> card id of every note the package holds."""
    named: frozenset[str] = frozenset()
    """GUIDs that ``guid:`` settings name: notes the deck owns only if they are its own."""
    known: frozenset[str] = frozenset()
    """The GUIDs of every note this deck's packages can have held, by the lock file."""
    had_lock: bool = True
    """Whether the deck had a lock file before the sync's build."""

    @property
    def deck(self) -> str:
        return self.changes.deck


def plan_deck(deck: Deck, lock: Lock, removed: Sequence[str], templates: Path) -> DeckPlan:
    """The plan for ``deck``, from its content and the lock as the last build left it."""
    changes, notes = next_package(deck, lock, removed, templates)
    renamed_from = {new: old for old, new in lock.renames}
    put_there: dict[str, frozenset[str]] = {}
    for note in notes:
        entry = lock.previous.get(renamed_from.get(note.card_id, note.card_id))
        if entry is not None and entry.built is not None:
            put_there[note.guid] = frozenset(t.casefold() for t in entry.built.tags)
    updated = {n.card_id for n in changes.notes if n.outcome == "updated"}
    return DeckPlan(
        changes=changes,
        updated=frozenset(n.guid for n in notes if n.card_id in updated),
        live={n.guid: n.deck for n in notes if not n.removed},
        tags={n.guid: n.tags for n in notes},
        put_there=put_there,
        lock_path=lock.path,
        tombstones={n.guid: n.card_id for n in notes if n.removed},
        card_ids={n.guid: n.card_id for n in notes},
        named=frozenset(card.guid for card in deck.cards() if card.guid),
        known=_known_guids(deck.key, lock),
        had_lock=lock.path.is_file(),
    )


def _known_guids(deck_key: str, lock: Lock) -> frozenset[str]:
    """The GUIDs of the notes of every card the lock knows, removed ones included, in
    every kind (a version 1 lock does not say which kinds were built)."""
    keys = {deck_key, lock.recorded_deck or deck_key}
    return frozenset(
        guid_for(key, entry.note or card_id, kind)
        for card_id, entry in lock.previous.items()
        for key in keys
        for kind in CardKind
    )


def default_max_delete(plan: DeckPlan) -> int:
    """20 notes, or a tenth of the deck (at least one) when that is fewer."""
    return min(20, max(1, len(plan.live) // 10))


@dataclass
class DeckWork:
    """What the sync does to one deck's notes in the collection beyond the import."""

    deck: str
    moves: dict[str, list[int]] = field(default_factory=dict)
    """Target subdeck -> Anki card ids to move there."""
    retag: dict[int, list[str]] = field(default_factory=dict)
    """Note id -> its tags after the sync, where they differ from now."""
    removed: list[int] = field(default_factory=list)
    """Notes of the deck the package no longer holds (or holds only as tombstones)."""
    suspend: list[int] = field(default_factory=list)
    unsuspend: list[int] = field(default_factory=list)
    """Cards of notes that come back from removal, suspended by an earlier sync."""
    restored_own_tags: int = 0
    """Notes whose own tags (added in Anki) the sync puts back after the import."""

    @property
    def empty(self) -> bool:
        return not (self.moves or self.retag or self.suspend or self.unsuspend)


@dataclass(frozen=True)
class NoteRow:
    nid: int
    tags: tuple[str, ...]


def note_rows(col: Any) -> dict[str, NoteRow]:
    """GUID -> every note of the collection, with its tags."""
    return {
        guid: NoteRow(nid, tuple(tags.split()))
        for guid, nid, tags in col.db.all("select guid, id, tags from notes")
    }


def deck_work(
    col: Any,
    plan: DeckPlan,
    before: dict[str, NoteRow],
    now: dict[str, NoteRow],
    owners: Ownership,
    kept_own: dict[str, tuple[str, ...]],
    *,
    delete: bool,
) -> DeckWork:
    """Compare the collection (``now``; ``before`` the import) with the plan, acting only
    on the notes the deck owns (``owners``); ``kept_own`` are the user's own tags recorded
    before an import that a kill interrupted. Given the same rows twice, it predicts what
    a sync would do (the dry run)."""
    work = DeckWork(plan.deck)
    recorded = recorded_tags(col, plan.deck)
    work.removed = sorted(now[g].nid for g in owners.removable if g in now)
    for guid, package_tags in plan.tags.items():
        found = now.get(guid)
        if found is None or not owners.may_touch(guid, before):
            continue
        row = found
        old = before.get(guid)
        wanted = list(package_tags)
        if old is not None:
            own = own_tags(plan, recorded, guid, old.tags, kept_own)
            wanted += own
            lost = guid in plan.updated if now is before else not folded(own) <= folded(row.tags)
            if own and lost:
                work.restored_own_tags += 1
        if guid not in plan.live and REMOVED_TAG.casefold() not in folded(wanted):
            wanted.append(REMOVED_TAG)
        wanted = _unique(wanted)
        if folded(wanted) != folded(row.tags):
            work.retag[row.nid] = wanted
    removed = set(work.removed)
    for row in now.values():  # removed notes the package no longer carries
        tagged = REMOVED_TAG.casefold() in folded(row.tags)
        if row.nid in removed and row.nid not in work.retag and not tagged:
            work.retag[row.nid] = [*row.tags, REMOVED_TAG]
    if delete:
        for nid in work.removed:
            work.retag.pop(nid, None)
    _plan_cards(col, plan, before, now, work, owners, delete=delete)
    return work


def own_tags(
    plan: DeckPlan,
    recorded: dict[str, frozenset[str]],
    guid: str,
    tags: Iterable[str],
    kept_own: dict[str, tuple[str, ...]],
) -> list[str]:
    """The tags the user added to the note ``guid``, which now carries ``tags``."""
    put_there = recorded.get(guid) or plan.put_there.get(guid, frozenset())
    return _unique([*_own_tags(tags, put_there), *kept_own.get(guid, ())])


def _plan_cards(
    col: Any,
    plan: DeckPlan,
    before: dict[str, NoteRow],
    now: dict[str, NoteRow],
    work: DeckWork,
    owners: Ownership,
    *,
    delete: bool,
) -> None:
    """The card moves, suspensions and unsuspensions."""
    nid_target = {
        now[g].nid: deck
        for g, deck in plan.live.items()
        if g in now and owners.may_touch(g, before)
    }
    revived = {
        now[g].nid
        for g in plan.live
        if g in now and g in before and REMOVED_TAG.casefold() in folded(before[g].tags)
    }
    removed = set(work.removed)
    wanted_ids: dict[str, int | None] = {}
    for cid, nid, did, odid, queue in col.db.all("select id, nid, did, odid, queue from cards"):
        target = nid_target.get(nid)
        if target is not None:
            if target not in wanted_ids:
                wanted_ids[target] = col.decks.id_for_name(target)
            if (odid or did) != wanted_ids[target]:
                work.moves.setdefault(target, []).append(cid)
            if nid in revived and queue == SUSPENDED:
                work.unsuspend.append(cid)
        elif nid in removed and not delete and queue != SUSPENDED:
            work.suspend.append(cid)
    work.moves = {target: sorted(ids) for target, ids in sorted(work.moves.items())}
    work.suspend.sort()
    work.unsuspend.sort()


def _own_tags(tags: Iterable[str], put_there: frozenset[str]) -> list[str]:
    """The tags the user added: neither put there by the last package nor cardpress's."""
    namespace = f"{TAG_NAMESPACE}::".casefold()
    return [
        t for t in tags if t.casefold() not in put_there and not t.casefold().startswith(namespace)
    ]


def _unique(tags: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for tag in tags:
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            kept.append(tag)
    return kept


def import_package(col: Any, package: Path) -> Any:
    """Import like File > Import with Anki's default options; returns Anki's log."""
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    try:
        response = col.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(package),
                options=ImportAnkiPackageOptions(),  # Anki's defaults: update if newer
            )
        )
    except Exception as exc:  # the backend's errors have no common base we can name
        raise SyncError(f"{package.name}: Anki could not import the package: {exc}") from None
    col.models._clear_cache()
    return response.log


def apply(col: Any, work: DeckWork, readded: Sequence[int], *, delete: bool) -> None:
    """Carry out ``work`` through the engine's own operations (each one a transaction
    that AnkiWeb's next normal sync carries)."""
    if work.retag:
        notes = []
        for nid, tags in sorted(work.retag.items()):
            note = col.get_note(nid)
            note.tags = tags
            notes.append(note)
        imported = {note.id: note.mod for note in notes}
        col.update_notes(notes)
        # A package's stamp can run a second ahead of the clock (two builds in one
        # second); retagging must not make the note look older than the package, or
        # the next sync would import it again.
        for nid, mod in imported.items():
            col.db.execute("update notes set mod = ? where id = ? and mod < ?", mod, nid, mod)
    for target, card_ids in work.moves.items():
        col.set_deck(card_ids, col.decks.id(target))
    if work.unsuspend:
        col.sched.unsuspend_cards(work.unsuspend)
    if delete and work.removed:
        col.remove_notes(work.removed)
    elif work.suspend:
        col.sched.suspend_cards(work.suspend)
    if readded:
        col.remove_notes(list(readded))


def note_ids_field(col: Any, nids: Iterable[int]) -> list[str]:
    """The cardpress card ids (the last field, ``Id``) of these notes."""
    found = []
    for nid in nids:
        flds = col.db.scalar("select flds from notes where id = ?", nid)
        if flds is not None:
            found.append(str(flds).split("\x1f")[-1])
    return sorted(found)


def cleanup_build(folder: Path) -> None:
    """Forget the cache folder a temporary build left behind."""
    from cardpress.caching import build_folder

    shutil.rmtree(build_folder(folder), ignore_errors=True)


def read_lock_bytes(plan: DeckPlan) -> dict[Path, bytes]:
    """The deck's lock file and its parts as they are before the sync's build, by path
    (empty: there is none)."""
    paths = [plan.lock_path, *part_files(plan.lock_path)]
    saved = {}
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            saved[path] = path.read_bytes()
    return saved


def restore_lock_bytes(plan: DeckPlan, saved: dict[Path, bytes]) -> None:
    """Put the lock file and its parts back as they were: its package never reached the
    collection. Parts first, the index last; parts the sync's build added go."""
    for part in part_files(plan.lock_path):
        if part not in saved:
            part.unlink(missing_ok=True)
    for path, data in sorted(saved.items(), key=lambda item: item[0] == plan.lock_path):
        path.parent.mkdir(exist_ok=True)
        atomic.write_bytes(path, data)
    if plan.lock_path not in saved:
        plan.lock_path.unlink(missing_ok=True)


def forget_gone_tombstones(col: Any, plan: DeckPlan, now: int) -> list[str]:
    """Tombstones whose notes are no longer in the collection (deleted by the sync or in
    Anki): the lock stops carrying them, so the next import cannot bring them back."""
    held = {guid for (guid,) in col.db.all("select guid from notes")}
    gone = [card_id for guid, card_id in plan.tombstones.items() if guid not in held]
    if not gone:
        return []
    lock = Lock.read(plan.lock_path, plan.deck, now)
    forgotten = lock.forget_tombstones(gone)
    lock.save()
    return forgotten
