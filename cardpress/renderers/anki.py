"""The Anki deck: one .apkg per deck that imports cleanly and updates in place.

Anki matches an imported note to the one it has by GUID alone, and updates it only when
the package's note is newer: the notes (``anki.package_notes``) carry their identity
(``anki.notes``) and fingerprint; this module lays them out in decks, with their note
types and media, and writes the package (``anki.package``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import genanki
import jinja2

from cardpress.anki.notes import deck_id, deck_name_part, section_deck_id, section_deck_name
from cardpress.anki.notetypes import RenderedNoteType, render_note_types
from cardpress.anki.package import NoteRow, PackageDeck, Stamped, write_package
from cardpress.anki.package_notes import IMAGE_SOURCE, inert, package_notes
from cardpress.errors import BuildError
from cardpress.model import Deck, Section
from cardpress.renderers import RenderContext
from cardpress.templates import shared_environment

INTRO_MEDIA_PREFIX = "_"  # Anki's importer keeps media no field names only with this prefix


def render(deck: Deck, context: RenderContext, out: Path) -> None:
    env = shared_environment(context.templates_dir)
    note_types = render_note_types(context.templates_dir)
    notes = context.anki_notes
    if notes is None:  # rendered outside a build
        notes = tuple(package_notes(deck, env, context.note_ids, context.tombstones))
    models = {kind: _model(note_types[kind]) for kind in sorted({n.kind for n in notes})}
    note_type_mods = {
        model.model_id: context.modified(
            f"anki:notetype:{model.model_id}", note_types[kind].fingerprint
        )
        for kind, model in models.items()
    }
    shown = intro_media(deck)
    names = set(shown)
    top = _top_deck(deck, env, names)
    anki_decks: dict[str, tuple[Any, list[NoteRow]]] = {top.name: (top, [])}
    for section in deck.sections:
        name = section_deck_name(deck, section)
        if section.cards and name not in anki_decks:
            description = _section_description(section, env, names)
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
    media += [(INTRO_MEDIA_PREFIX + name, context.media_data(name)) for name in shown]
    stamped = Stamped(notes=note_mods, note_types=note_type_mods)
    package_decks = [PackageDeck(d, tuple(rows)) for d, rows in anki_decks.values()]
    by_id = {model.model_id: model for model in models.values()}
    write_package(out, package_decks, by_id, stamped, media)


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


def _top_deck(deck: Deck, env: jinja2.Environment, shown: set[str]) -> Any:
    description = env.get_template("anki/deck_description.html").render(
        description=deck.description, intro=deck.intro
    )
    return genanki.Deck(
        deck_id(deck.key),
        deck_name_part(deck.title, deck.key),
        inert(_with_intro_media(description.strip(), shown)),
    )


def _section_description(section: Section, env: jinja2.Environment, shown: set[str]) -> str:
    template = env.get_template("anki/deck_description.html")
    return inert(
        _with_intro_media(template.render(description="", intro=section.intro).strip(), shown)
    )


def intro_media(deck: Deck) -> list[str]:
    """The images the deck's and its sections' introductions show."""
    intros = [deck.intro.html, *(s.intro.html for s in deck.sections if s.cards)]
    names = {media.name for media in deck.media}
    return sorted({n for intro in intros for n in IMAGE_SOURCE.findall(intro) if n in names})


def _with_intro_media(description: str, names: set[str]) -> str:
    """A deck description names its images (``names``, of ``intro_media``: found once a
    deck, not once a section) with the ``_`` prefix Anki's importer keeps (it copies only
    media that a note field names or whose name starts with ``_``)."""
    if not names:
        return description
    return IMAGE_SOURCE.sub(
        lambda m: f'src="{INTRO_MEDIA_PREFIX}{m.group(1)}"' if m.group(1) in names else m.group(0),
        description,
    )
