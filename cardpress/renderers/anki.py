"""The Anki deck: one .apkg per deck that imports cleanly and updates in place.

Anki matches an imported note to the one it has by GUID alone, and updates it only when
the package's note is newer. So a note's GUID comes from the deck key and the card id
(never from its text), and its modification time from the lock stamps: it changes exactly
when the note's fields, tags or images change. Sections become subdecks, and every note
carries the tag ``cardpress::<deck key>`` and its card id in the ``Id`` field, so that
notes whose cards were removed can be found (see ``removed_notes_search``).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import genanki
import jinja2

from cardpress import formulas
from cardpress.errors import BuildError
from cardpress.lock import Tombstone
from cardpress.model import TAG_NAMESPACE, Callout, Card, CardKind, Deck, Section
from cardpress.renderers import RenderContext
from cardpress.renderers.anki_notetypes import NOTE_TYPES, RenderedNoteType, render_note_types
from cardpress.renderers.anki_package import NoteRow, PackageDeck, Stamped, write_package
from cardpress.templates import shared_environment

REMOVED_TAG = f"{TAG_NAMESPACE}::removed"
_SRC_RE = re.compile(r'\bsrc="([^"]*)"')
# Anki plays ``[sound:...]`` and ``[anki:tts ...]...[/anki:tts]`` (and shows
# ``[anki:play:...]`` as play buttons) wherever they appear in a field's text.
_AV_TAG_RE = re.compile(r"\[(?=/?(?:sound|anki):)", re.IGNORECASE)


def inert(html: str) -> str:
    """Text for Anki with every sound and text-to-speech tag shown as text: the bracket
    becomes ``&#91;``, which Anki displays as ``[`` and does not read as a tag."""
    return _AV_TAG_RE.sub("&#91;", html)


INTRO_MEDIA_PREFIX = "_"  # Anki's importer keeps media no field names only with this prefix


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


def render(deck: Deck, context: RenderContext, out: Path) -> None:
    env = shared_environment(context.templates_dir)
    note_types = render_note_types(context.templates_dir)
    notes = package_notes(deck, env, context.note_ids, context.tombstones)
    models = {kind: _model(note_types[kind]) for kind in sorted({n.kind for n in notes})}
    note_type_mods = {
        model.model_id: context.modified(
            f"anki:notetype:{model.model_id}", note_types[kind].fingerprint
        )
        for kind, model in models.items()
    }
    top = _top_deck(deck, env)
    anki_decks: dict[str, tuple[Any, list[NoteRow]]] = {top.name: (top, [])}
    for section in deck.sections:
        name = section_deck_name(deck, section)
        if section.cards and name not in anki_decks:
            description = _section_description(section, env, deck)
            section_deck = genanki.Deck(section_deck_id(deck.key, section.key), name, description)
            anki_decks[name] = (section_deck, [])
    note_mods: dict[str, int] = {}
    for position, note in enumerate(notes):  # new cards come up in the order of the Markdown
        model = models[note.kind]
        note_mods[note.guid] = context.modified(f"anki:note:{note.card_id}", note.fingerprint)
        # A tombstone carries its note but no card: people who have the note get its new
        # tags and keep their cards; anyone else gets no card of a removed note.
        ords = () if note.removed else _ords(model, list(note.fields))
        row = NoteRow(note.guid, model.model_id, note.fields, note.tags, ords, position)
        anki_decks[note.deck][1].append(row)

    deck_ids = [d.deck_id for d, _ in anki_decks.values()]
    if len(set(deck_ids)) != len(deck_ids):
        raise BuildError(f"{deck.key}: two sections give the same Anki deck id")
    media = [(m.name, context.media_data(m.name)) for m in deck.media]
    media += [(INTRO_MEDIA_PREFIX + name, context.media_data(name)) for name in intro_media(deck)]
    stamped = Stamped(notes=note_mods, note_types=note_type_mods)
    package_decks = [PackageDeck(d, tuple(rows)) for d, rows in anki_decks.values()]
    by_id = {model.model_id: model for model in models.values()}
    write_package(out, package_decks, by_id, stamped, media)


def package_notes(
    deck: Deck,
    env: jinja2.Environment,
    note_ids: Mapping[str, str],
    tombstones: Sequence[Tombstone],
) -> list[PackageNote]:
    """Every note of the deck's package, in the order of the Markdown, then the tombstones.

    The build asks twice in one process (to write the package, then to record it in the
    lock): the second time, for the same deck object and inputs, it gets the same notes
    at once."""
    fields_of = FieldRenderer(env, show_path=deck.source_path, math=deck.math)
    inputs = (fields_of.template_texts, dict(note_ids), tuple(tombstones))
    recent = _RECENT.get(deck.key)
    if recent is not None and recent[0] is deck and recent[1] == inputs:
        return list(recent[2])
    notes = _work_out_notes(deck, fields_of, note_ids, tombstones)
    _RECENT[deck.key] = (deck, inputs, tuple(notes))
    return notes


_RECENT: dict[str, tuple[Deck, object, tuple[PackageNote, ...]]] = {}
"""The last notes worked out for each deck key, with the deck and inputs they came from."""


def _work_out_notes(
    deck: Deck,
    fields_of: FieldRenderer,
    note_ids: Mapping[str, str],
    tombstones: Sequence[Tombstone],
) -> list[PackageNote]:
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


def section_deck_name(deck: Deck, section: Section) -> str:
    """The Anki subdeck a section's cards go to."""
    top = deck_name_part(deck.title, deck.key)
    return f"{top}::{deck_name_part(section.title.text, section.key)}"


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
        self.sources: dict[tuple[str, str], str] = {}

    def __call__(self, card: Card, section: Section) -> list[str]:
        callouts = self.callouts.get(card.callouts)
        if callouts is None:
            callouts = self.callouts_template.render(callouts=card.callouts).strip()
            self.callouts[card.callouts] = callouts
        where = (card.location.path if self.show_path else "", section.title.text)
        source = self.sources.get(where)
        if source is None:
            source = self.source_template.render(path=where[0], section=where[1]).strip()
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


def _model(note_type: RenderedNoteType) -> Any:
    spec = note_type.spec
    return genanki.Model(
        model_id=spec.id,
        name=spec.name,
        fields=note_type.genanki_fields(),
        templates=note_type.genanki_templates(),
        css=note_type.css,
        model_type=genanki.Model.CLOZE if spec.cloze else genanki.Model.FRONT_BACK,
    )


def _ords(model: Any, fields: list[str]) -> tuple[int, ...]:
    """The cards genanki makes of a note: the templates whose required fields are filled,
    or one card per cloze number."""
    if model.model_type == genanki.Model.CLOZE:
        cards = genanki.Note(model=model, fields=fields).cards
        return tuple(card.ord for card in cards)
    ops = {"any": any, "all": all}
    return tuple(o for o, which, needed in model._req if ops[which](fields[i] for i in needed))


def _top_deck(deck: Deck, env: jinja2.Environment) -> Any:
    description = env.get_template("anki/deck_description.html").render(
        description=deck.description, intro=deck.intro
    )
    return genanki.Deck(
        deck_id(deck.key),
        deck_name_part(deck.title, deck.key),
        inert(_with_intro_media(description.strip(), deck)),
    )


def _section_description(section: Section, env: jinja2.Environment, deck: Deck) -> str:
    template = env.get_template("anki/deck_description.html")
    return inert(
        _with_intro_media(template.render(description="", intro=section.intro).strip(), deck)
    )


def intro_media(deck: Deck) -> list[str]:
    """The images the deck's and its sections' introductions show."""
    intros = [deck.intro.html, *(s.intro.html for s in deck.sections if s.cards)]
    names = {media.name for media in deck.media}
    return sorted({n for intro in intros for n in _SRC_RE.findall(intro) if n in names})


def _with_intro_media(description: str, deck: Deck) -> str:
    """A deck description names its images with the ``_`` prefix Anki's importer keeps
    (it copies only media that a note field names or whose name starts with ``_``)."""
    names = set(intro_media(deck))
    return _SRC_RE.sub(
        lambda m: f'src="{INTRO_MEDIA_PREFIX}{m.group(1)}"' if m.group(1) in names else m.group(0),
        description,
    )


def _note_fp(model_id: int, fields: list[str], tags: list[str], media_sha: dict[str, str]) -> str:
    """Covers what Anki shows, including the bytes of the images the fields use."""
    images = sorted(
        (name, media_sha[name])
        for field in fields
        if 'src="' in field  # most fields have no image: skip the pattern
        for name in map(html.unescape, _SRC_RE.findall(field))
        if name in media_sha
    )
    return _digest([model_id, fields, tags, images])


def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:32]
