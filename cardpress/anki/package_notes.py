"""The notes of a deck's package, as the package holds them: what the Anki renderer
writes, what the lock records of it and what ``preview`` and ``sync`` compare.

A note's modification time comes from the lock stamps of its fingerprint, which covers
what Anki shows (fields, tags, the bytes of its images), so it changes exactly when the
note does.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import jinja2

from cardpress.anki.notes import REMOVED_TAG, deck_name_part, guid_for, note_tags, section_deck_name
from cardpress.anki.notetypes import NOTE_TYPES
from cardpress.lock import Tombstone
from cardpress.markup import formulas
from cardpress.model import Callout, Card, CardKind, Deck, Section

IMAGE_SOURCE = re.compile(r'\bsrc="([^"]*)"')
# Anki plays ``[sound:...]`` and ``[anki:tts ...]...[/anki:tts]`` (and shows
# ``[anki:play:...]`` as play buttons) wherever they appear in a field's text.
_AV_TAG_RE = re.compile(r"\[(?=/?(?:sound|anki):)", re.IGNORECASE)


def inert(html: str) -> str:
    """Text for Anki with every sound and text-to-speech tag shown as text: the bracket
    becomes ``&#91;``, which Anki displays as ``[`` and does not read as a tag."""
    return _AV_TAG_RE.sub("&#91;", html)


@dataclass(frozen=True)
class PackageNote:
    """One note as the package holds it: what the renderer writes and the preview compares."""

    card_id: str
    kind: CardKind
    guid: str
    deck: str
    """The Anki deck its cards go to (the top deck for a tombstone)."""
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    fingerprint: str
    """Covers what Anki shows: its stamp changes exactly when this does."""
    removed: bool = False
    """A tombstone: the note of a removed card, unchanged but tagged ``cardpress::removed``."""


def package_notes(
    deck: Deck,
    env: jinja2.Environment,
    note_ids: Mapping[str, str],
    tombstones: Sequence[Tombstone],
) -> list[PackageNote]:
    """Every note of the deck's package, in the order of the Markdown, then the tombstones.

    A build works them out once per deck (``anki.record.notes_to_write``) and hands the
    same notes to the renderer and to the lock's record."""
    fields_of = FieldRenderer(env, show_path=deck.source_path, math=deck.math)
    media_sha = {media.name: media.sha256 for media in deck.media}
    tags_of: dict[tuple[str, ...], list[str]] = {}  # cards share their tags
    notes: list[PackageNote] = []
    for section in deck.sections:
        name = section_deck_name(deck, section)
        for card in section.cards:
            fields = fields_of(card, section)
            tags = tags_of.get(card.tags)
            if tags is None:
                tags = tags_of[card.tags] = note_tags(deck, card)
            notes.append(
                PackageNote(
                    card_id=card.id,
                    kind=card.kind,
                    guid=card.guid or guid_for(deck.key, note_ids.get(card.id, card.id), card.kind),
                    deck=name,
                    fields=tuple(fields),
                    tags=tuple(tags),
                    fingerprint=_note_fp(NOTE_TYPES[card.kind].id, fields, tags, media_sha),
                )
            )
    top = deck_name_part(deck.title, deck.key)
    for tombstone in tombstones:
        kind = CardKind(tombstone.kind)
        tags = list(dict.fromkeys([*tombstone.built.tags, REMOVED_TAG]))
        fields = list(tombstone.built.fields)
        notes.append(
            PackageNote(
                card_id=tombstone.card_id,
                kind=kind,
                guid=guid_for(deck.key, tombstone.note_id, kind),
                deck=top,
                fields=tuple(fields),
                tags=tuple(tags),
                fingerprint=_note_fp(NOTE_TYPES[kind].id, fields, tags, media_sha),
                removed=True,
            )
        )
    return notes


def note_fields(
    card: Card, section: Section, env: jinja2.Environment, show_path: bool = False
) -> list[str]:
    """The fields in the note type's order (see anki_notetypes)."""
    return FieldRenderer(env, show_path)(card, section)


class FieldRenderer:
    """Renders notes' fields, each field template loaded once and each distinct input
    rendered once: most cards have no callouts, and a section's cards share a source."""

    TEMPLATES = ("anki/fields/callouts.html", "anki/fields/source.html")

    def __init__(self, env: jinja2.Environment, show_path: bool = False, math: bool = False):
        self.show_path = show_path  # the deck's source_path setting
        self.math = math  # the deck's math setting: punctuation kept with its formula
        self.callouts_template, self.source_template = map(env.get_template, self.TEMPLATES)
        assert env.loader is not None
        self.template_texts = tuple(env.loader.get_source(env, n)[0] for n in self.TEMPLATES)
        self.callouts: dict[tuple[Callout, ...], str] = {}
        self.sources: dict[tuple[str, str, str], str] = {}

    def __call__(self, card: Card, section: Section) -> list[str]:
        callouts = self.callouts.get(card.callouts)
        if callouts is None:
            callouts = self.callouts_template.render(callouts=card.callouts).strip()
            self.callouts[card.callouts] = callouts
        where = (card.location.path if self.show_path else "", section.title.text, card.link)
        source = self.sources.get(where)
        if source is None:
            source = self.source_template.render(
                path=where[0], section=where[1], link=where[2]
            ).strip()
            self.sources[where] = source
        first, second = (
            (card.cloze.html, card.question.html)
            if card.kind.has_deletions
            else (card.question.html, card.answer.html)
        )
        fields = [first, second, card.details.html, callouts, source, card.id]
        if self.math:
            fields[:4] = map(formulas.punctuation_kept, fields[:4])
        return [inert(field) for field in fields]


def _note_fp(model_id: int, fields: list[str], tags: list[str], media_sha: dict[str, str]) -> str:
    """Covers what Anki shows, including the bytes of the images the fields use."""
    images = sorted(
        (name, media_sha[name])
        for field in fields
        if 'src="' in field  # most fields have no image: skip the pattern
        for name in map(html.unescape, IMAGE_SOURCE.findall(field))
        if name in media_sha
    )
    return _digest([model_id, fields, tags, images])


def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:32]
