"""What a sync put on each note of a deck, recorded in the collection (its config): the
tags beyond that record are the user's own, which the next sync puts back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cardpress.anki.notes import deck_tag

if TYPE_CHECKING:
    from cardpress.anki.sync import DeckPlan, NoteRow

TAGS_RECORD = "cardpress:tags:{deck}"
"""The collection's config key of what the last sync put on each note of a deck."""


def recorded_tags(col: Any, deck: str) -> dict[str, frozenset[str]]:
    """GUID -> the tags (case-folded) the last sync into this collection put on each note
    of ``deck``: what is there beyond them is the user's own. Kept in the collection, it
    stays right however many builds ran in between (each records its package in the lock)."""
    value = col.get_config(TAGS_RECORD.format(deck=deck), None)
    if not isinstance(value, dict):
        return {}
    return {
        str(guid): frozenset(str(t).casefold() for t in tags)
        for guid, tags in value.items()
        if isinstance(tags, list)
    }


def record_tags(col: Any, plan: DeckPlan, left_alone: Iterable[str] = ()) -> None:
    """Remember in the collection the tags the sync just put on the deck's notes (not on
    the notes it ``left_alone``); written only when they changed, so that a sync with
    nothing to do changes nothing."""
    held = {guid for (guid,) in col.db.all("select guid from notes")} - set(left_alone)
    record = {guid: list(tags) for guid, tags in sorted(plan.tags.items()) if guid in held}
    key = TAGS_RECORD.format(deck=plan.deck)
    if col.get_config(key, None) != record:
        col.set_config(key, record)


def has_record(col: Any, deck: str) -> bool:
    """Whether a sync of ``deck`` into this collection ever recorded its tags."""
    return col.get_config(TAGS_RECORD.format(deck=deck), None) is not None


def seed_record(col: Any, plan: DeckPlan, before: dict[str, NoteRow]) -> None:
    """Before the sync's build changes the lock file: a collection without a record of the
    deck takes the lock's record of what the last package put on the deck's notes, so that
    a rerun after a kill still tells those tags from the user's own."""
    key = TAGS_RECORD.format(deck=plan.deck)
    if col.get_config(key, None) is not None:
        return
    mine = deck_tag(plan.deck).casefold()
    record = {
        guid: sorted(tags)
        for guid, tags in sorted(plan.put_there.items())
        if guid in before and mine in folded(before[guid].tags)
    }
    if record:
        col.set_config(key, record)


def folded(tags: Iterable[str]) -> set[str]:
    return {t.casefold() for t in tags}
