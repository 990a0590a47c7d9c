"""A note's identity in Anki: its GUID, the ids of the decks it goes to, its tags, and
the searches that find a deck's notes in a collection.

Anki matches an imported note to the one it has by GUID alone. So a note's GUID comes
from the deck key and the card id (never from its text). Sections become subdecks, and
every note carries the tag ``cardpress::<deck key>`` and its card id in the ``Id`` field,
so that notes whose cards were removed can be found (see ``removed_notes_search``).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable

import genanki

from cardpress.anki.notetypes import NOTE_TYPES
from cardpress.model import TAG_NAMESPACE, Card, CardKind, Deck, Section

REMOVED_TAG = f"{TAG_NAMESPACE}::removed"


def section_deck_name(deck: Deck, section: Section) -> str:
    """The Anki subdeck a section's cards go to."""
    top = deck_name_part(deck.title, deck.key)
    levels = [" ".join(level.replace("::", " ").split()) for level in section.deck_path]
    above = "".join(f"{level}::" for level in levels if level)
    return f"{top}::{above}{deck_name_part(section.title.text, section.key)}"


def note_guid(deck: Deck, card: Card) -> str:
    """The GUID of a card that was never renamed (see ``guid_for``).

    A card with a ``guid`` setting (imported from Anki) keeps that note's GUID instead.
    """
    return card.guid or guid_for(deck.key, card.id, card.kind)


@functools.lru_cache(maxsize=1 << 16)  # asked again for the same notes by the lock's record
def guid_for(deck_key: str, note_id: str, kind: CardKind) -> str:
    """The note's identity in Anki: the deck key and the card's first id, never its text.

    ``note_id`` is the card's id, or the id it had before a rename (``was:``).
    A note cannot change its note type through an import (Anki reports it "conflicting"
    and never updates it again), so a card that changes kind becomes a new note: the kind
    is part of the GUID, except for basic cards. Changing back finds the old note again.
    """
    parts = [deck_key, note_id] if kind is CardKind.BASIC else [deck_key, note_id, kind.value]
    guid: str = genanki.guid_for(*parts)
    return guid


def deck_id(deck_key: str) -> int:
    return _stable_id(f"cardpress deck {deck_key}")


def section_deck_id(deck_key: str, section_key: str) -> int:
    return _stable_id(f"cardpress deck {deck_key} section {section_key}")


def _stable_id(text: str) -> int:
    """An id in [2**31, 2**52): above genanki's note type range, exact in JavaScript."""
    digest = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    return (1 << 31) + digest % ((1 << 52) - (1 << 31))


def deck_name_part(title: str, fallback: str) -> str:
    """A deck name as Anki stores it: no blank ``::`` levels, single spaces."""
    parts = [" ".join(part.split()) for part in title.split("::")]
    return "::".join(part for part in parts if part) or fallback


def anki_tag(tag: str) -> str:
    """A tag as Anki stores it: no spaces, no empty ``::`` levels."""
    parts = ["_".join(part.split()) for part in tag.split("::")]
    return "::".join(part for part in parts if part)


def deck_tag(deck_key: str) -> str:
    """The tag every note of a deck carries, to find all of its notes in Anki."""
    return f"{TAG_NAMESPACE}::{deck_key}"


def note_tags(deck: Deck, card: Card) -> list[str]:
    tags = [anki_tag(tag) for tag in (*card.tags, deck_tag(deck.key))]
    return list(dict.fromkeys(tag for tag in tags if tag))


def removed_notes_search(deck_key: str, card_ids: Iterable[str]) -> str:
    """An Anki browser search that finds the notes of removed cards of one deck."""
    terms = [f'"Id:{search_escape(card_id)}"' for card_id in sorted(card_ids)]
    return f'"tag:{deck_tag(deck_key)}" ({" OR ".join(terms)})'


def replaced_note_search(deck_key: str, card_id: str, old_kind: CardKind) -> str:
    """An Anki browser search for the note a card left behind when it changed kind."""
    note_type = NOTE_TYPES[old_kind].name
    return f'"tag:{deck_tag(deck_key)}" "Id:{search_escape(card_id)}" "note:{note_type}"'


def search_escape(text: str) -> str:
    """Anki search treats ``_`` and ``*`` as wildcards and ``"`` and ``\\`` specially."""
    return re.sub(r'([\\"*_:])', r"\\\1", text)
