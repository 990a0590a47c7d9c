"""Anki packages made by the real Anki engine, as a user's Anki would export them.

Holds no tests. A collection with Anki's stock note types (and one of its own), HTML
fields, an image, tags and a deck tree, exported as a legacy ``.apkg``, a new-format
``.apkg`` (zstd ``collection.anki21b`` plus the dummy ``collection.anki2``) and a
``.colpkg``.
"""

from __future__ import annotations

from pathlib import Path

from anki.collection import Collection  # first: anki's modules import each other in a cycle
from anki.decks import DeckId
from anki.import_export_pb2 import ExportAnkiPackageOptions

from tests.support.files_support import png


def make_collection(folder: Path) -> Collection:
    folder.mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / "collection.anki2"))
    ports = col.decks.id("Networking::Ports")
    basics = col.decks.id("Networking")
    web = col.decks.id("Networking::Web")
    assert ports and basics and web
    picture = col.media.write_data("osi-layers.png", png(4, 3, (10, 120, 200)))

    def add(kind: str, deck: DeckId, tags: list[str], **fields: str) -> None:
        note_type = col.models.by_name(kind)
        assert note_type is not None
        note = col.new_note(note_type)
        for name, value in fields.items():
            note[name] = value
        note.tags = tags
        col.add_note(note, deck)

    add("Basic", ports, ["net", "ssh"], Front="What port does <b>SSH</b> use?", Back="22")
    add(
        "Basic",
        basics,
        ["net"],
        Front="Name the layers of the OSI model",
        Back=f'<div>Seven, from physical to application:</div><img src="{picture}">'
        "<ul><li>physical</li><li>data link</li><li>...</li></ul>",
    )
    add(
        "Basic (and reversed card)",
        web,
        ["web"],
        Front="idempotent request",
        Back="a request that has the same effect however often it is sent",
    )
    add("Cloze", basics, ["net"], Text="A {{c1::TTL}} limits the hops of a {{c2::packet}}.")
    add("Basic", ports, ["net"], Front="Which port does HTTPS use?", Back="")
    vocab = col.models.new("Vocab")
    for name in ("Word", "Meaning", "Example"):
        col.models.add_field(vocab, col.models.new_field(name))
    template = col.models.new_template("Card 1")
    template["qfmt"], template["afmt"] = "{{Word}}", "{{Meaning}}<hr>{{Example}}"
    col.models.add_template(vocab, template)
    col.models.add(vocab)
    add("Vocab", web, ["words"], Word="latency", Meaning="delay before a transfer", Example="")
    return col


def export(col: Collection, out: Path, *, legacy: bool) -> Path:
    options = ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy
    )
    col.export_anki_package(out_path=str(out), options=options, limit=None)
    return out
