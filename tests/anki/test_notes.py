"""The Anki package imported into a real Anki collection: notes, cards, decks, tags, media,
rendering, and the bytes of the package itself."""

from __future__ import annotations

import html
import json
import re
import shutil
import sqlite3
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from cardpress.anki.notes import (
    anki_tag,
    deck_id,
    note_guid,
    removed_notes_search,
    section_deck_id,
)
from cardpress.markup import cloze
from tests.conftest import BuildDeck
from tests.support.files_support import png, write_files
from tests.support.lock_files import lock_data

DECK = "networking-basics"
# Anki's template errors read "... has a problem" and wrap names in U+2068/U+2069.
TEMPLATE_ERRORS = ("has a problem", "\u2068")


@pytest.fixture
def example_apkg(build_deck: BuildDeck, example_content: Path, tmp_path: Path) -> Path:
    return build_deck(example_content, tmp_path / "out") / f"{DECK}.apkg"


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_example_deck_gives_the_right_notes_cards_decks_and_tags(example_apkg, anki):
    log = anki.import_package(example_apkg)
    assert len(log["new"]) == 4
    assert log["conflicting"] == log["updated"] == []

    notes = Counter(anki.note_type_name(note) for note in anki.notes())
    assert notes == {"cardpress basic": 2, "cardpress basic and reversed": 1, "cardpress cloze": 1}
    cards = Counter(anki.note_type_name(card.note()) for card in anki.cards())
    assert cards == {"cardpress basic": 2, "cardpress basic and reversed": 2, "cardpress cloze": 3}

    assert {"Networking Basics", "Networking Basics::Transport", "Networking Basics::Tools"} <= (
        anki.deck_names()
    )
    decks = {card.note()["Id"]: anki.deck_of(card) for card in anki.cards()}
    assert decks["ordered-delivery"] == "Networking Basics::Transport"
    assert decks["port"] == "Networking Basics::Transport"
    assert decks["tcp-three-way-handshake"] == "Networking Basics::Transport"
    assert decks["how-do-you-list-listening-tcp"] == "Networking Basics::Tools"

    deck_tags = {"networking", "example", "cardpress::networking-basics"}
    assert set(anki.note("ordered-delivery").tags) == deck_tags | {"transport", "tcp-udp"}
    assert set(anki.note("tcp-three-way-handshake").tags) == (
        deck_tags | {"transport", "tcp-udp", "handshake"}
    )
    assert set(anki.note("how-do-you-list-listening-tcp").tags) == deck_tags | {"tools", "cli"}


def test_fields_hold_the_card_parts(example_apkg, anki):
    anki.import_package(example_apkg)
    ordered = anki.note("ordered-delivery")
    assert text_of(ordered["Question"]) == "Which transport protocol guarantees ordered delivery?"
    assert "<strong>TCP</strong>" in ordered["Answer"]
    assert "independent datagrams" in ordered["Details"]
    assert 'class="callout callout-tip"' in ordered["Callouts"]
    assert "UDP is a message service" in ordered["Callouts"]
    assert text_of(ordered["Source"]) == "Transport"  # the file only with source_path: true

    cloze = anki.note("tcp-three-way-handshake")
    assert "{{c1::SYN}}" in cloze["Text"] and "{{c3::ACK::last step}}" in cloze["Text"]
    assert text_of(cloze["Title"]) == "TCP three-way handshake"
    assert cloze["Details"] == cloze["Callouts"] == ""


def test_every_card_renders_a_front_and_its_answer(example_apkg, anki):
    anki.import_package(example_apkg)
    for card in anki.cards():
        rendered = anki.render(card)
        assert text_of(rendered.question), card.note()["Id"]
        for error in (*TEMPLATE_ERRORS, "{{"):  # no field reference left unrendered
            assert error not in rendered.question and error not in rendered.answer

    by_key = {(c.note()["Id"], c.ord): anki.render(c) for c in anki.cards()}
    ordered = by_key["ordered-delivery", 0]
    assert "guarantees ordered delivery" in ordered.question
    assert "retransmits" not in ordered.question
    assert "retransmits" in ordered.answer and "callout-tip" in ordered.answer
    assert "source-section" in ordered.answer and "networking.md" not in ordered.answer

    tools = by_key["how-do-you-list-listening-tcp", 0]
    assert 'class="highlight"' in tools.answer and "-ltnp" in tools.answer
    assert "<table>" in tools.answer and "callout-warning" in tools.answer

    port_forward, port_reverse = by_key["port", 0], by_key["port", 1]
    assert "Port" in port_forward.question and "16-bit" not in port_forward.question
    assert "16-bit number" in port_reverse.question and "Port" not in port_reverse.question
    assert "Port" in port_reverse.answer

    hints = [text_of(by_key["tcp-three-way-handshake", n].question) for n in range(3)]
    assert "[...], then SYN-ACK" in hints[0]
    assert "SYN, then [...], then ACK" in hints[1]
    assert "[last step]" in hints[2]
    assert "SYN-ACK" in by_key["tcp-three-way-handshake", 1].answer


def test_a_cloze_note_has_one_card_per_deletion(example_apkg, anki):
    anki.import_package(example_apkg)
    for note in anki.notes("note:'cardpress cloze'"):
        numbers = cloze.numbers(note["Text"])
        assert sorted(card.ord + 1 for card in note.cards()) == numbers == [1, 2, 3]


def test_css_and_templates_arrive_in_anki(example_apkg, anki):
    anki.import_package(example_apkg)
    for name in ("cardpress basic", "cardpress basic and reversed", "cardpress cloze"):
        notetype = anki.col.models.by_name(name)
        assert notetype is not None
        assert ".nightMode .highlight .k" in notetype["css"]
        assert ".night_mode .highlight .k" in notetype["css"]


def test_unchanged_rebuild_is_byte_identical(build_deck, example_content, tmp_path, monkeypatch):
    first = build_deck(example_content, tmp_path / "one") / f"{DECK}.apkg"
    second = build_deck(example_content, tmp_path / "two") / f"{DECK}.apkg"
    # Another clock changes nothing either: times come from the lock, not from the clock.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2000000000")
    third = build_deck(example_content, tmp_path / "three") / f"{DECK}.apkg"
    assert first.read_bytes() == second.read_bytes() == third.read_bytes()


def _package_db(apkg: Path, folder: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(apkg) as archive:
        (folder / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(folder / "collection.anki2")


def test_note_times_come_from_the_lock_stamps(example_apkg, example_content, tmp_path):
    lock = lock_data(example_content / "networking.lock")
    db = _package_db(example_apkg, tmp_path)
    for flds, mod in db.execute("SELECT flds, mod FROM notes"):
        card_id = flds.split("\x1f")[-1]
        assert mod == lock["stamps"][f"anki:note:{card_id}"]["modified"]
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    for model_id, model in models.items():
        assert model["mod"] == lock["stamps"][f"anki:notetype:{model_id}"]["modified"]
    db.close()


def test_zip_entries_carry_fixed_metadata(example_apkg):
    with zipfile.ZipFile(example_apkg) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["collection.anki2", "media"]
        assert len({i.date_time for i in infos}) == 1
        assert json.loads(archive.read("media")) == {}


def test_images_are_bundled_as_media(build_deck, tmp_path, anki):
    image = png(3, 2, (200, 30, 30))
    content = write_files(
        tmp_path / "content",
        {
            "pictures.md": (
                "---\ntitle: Pictures\nid: pictures\n---\n\n## Shapes\n\n"
                "### What colour is this square?\n\n![a square](img/square.png)\n\nRed.\n"
            ),
            "img/square.png": image,
        },
    )
    apkg = build_deck(content, tmp_path / "out") / "pictures.apkg"
    with zipfile.ZipFile(apkg) as archive:
        names = json.loads(archive.read("media"))
        assert len(names) == 1
        [(index, name)] = names.items()
        assert archive.read(index) == image
    anki.import_package(apkg)
    assert name in anki.media_names()
    assert (Path(anki.col.media.dir()) / name).read_bytes() == image
    [card] = anki.cards()
    assert f'src="{name}"' in anki.render(card).answer


def test_tags_keep_anki_hierarchies(build_deck, tmp_path, anki):
    content = write_files(
        tmp_path / "content",
        {
            "aws.md": (
                "---\ntitle: AWS\nid: aws\ntags: [aws::iam, cloud]\n---\n\n## Policies\n"
                "<!-- id: policies -->\n\n### Deny or allow?\n<!-- tags: aws::iam::eval -->\n\n"
                "An explicit deny wins.\n"
            )
        },
    )
    anki.import_package(build_deck(content, tmp_path / "out") / "aws.apkg")
    [note] = anki.notes()
    assert set(note.tags) == {"aws::iam", "cloud", "policies", "aws::iam::eval", "cardpress::aws"}
    assert [n.id for n in anki.notes("tag:aws::iam")] == [note.id]  # parent finds children


def test_anki_tag_rules():
    assert anki_tag("aws::iam") == "aws::iam"
    assert anki_tag("two words") == "two_words"
    assert anki_tag("::a:: ::b::") == "a::b"
    assert anki_tag("   ") == ""


def test_two_decks_with_the_same_card_ids_never_share_a_note(build_deck, tmp_path, anki):
    def deck(key: str) -> str:
        return (
            f"---\ntitle: Deck {key}\nid: {key}\n---\n\n## Only\n\n"
            "### Same question?\n<!-- id: same -->\n\nSame answer.\n"
        )

    content = write_files(tmp_path / "content", {"a.md": deck("alpha"), "b.md": deck("beta")})
    out = build_deck(content, tmp_path / "out")
    for key in ("alpha", "beta"):
        assert anki.import_package(out / f"{key}.apkg")["new"] == ["same"]
    assert len(anki.notes()) == 2
    assert len(anki.notes("Id:same")) == 2
    assert {note.guid for note in anki.notes()} == {
        note_guid_for(key, "same") for key in ("alpha", "beta")
    }


def note_guid_for(deck_key: str, card_id: str) -> str:
    from genanki import guid_for

    return str(guid_for(deck_key, card_id))


def test_deck_ids_are_distinct_and_stable():
    ids = {deck_id("a"), deck_id("b"), section_deck_id("a", "x"), section_deck_id("b", "x")}
    assert len(ids) == 4
    assert all(2**31 <= i < 2**52 for i in ids)
    assert deck_id("networking-basics") == deck_id("networking-basics")
    assert section_deck_id("a", "x") != section_deck_id("ax", "")


def test_removed_notes_search_finds_exactly_the_removed_notes(build_deck, tmp_path, anki):
    def deck(*cards: str) -> dict[str, str | bytes]:
        body = "".join(f"### Question {c}?\n<!-- id: {c} -->\n\nAnswer {c}.\n\n" for c in cards)
        return {"d.md": f"---\ntitle: D\nid: d\n---\n\n## S\n\n{body}"}

    content = write_files(tmp_path / "content", deck("a_b", "axb", "keep"))
    anki.import_package(build_deck(content, tmp_path / "out") / "d.apkg")
    write_files(content, deck("axb", "keep"))
    anki.import_package(build_deck(content, tmp_path / "out") / "d.apkg")
    assert len(anki.notes()) == 3  # an import never deletes
    # "_" is a wildcard in Anki searches: the search must not also find "axb".
    assert [n["Id"] for n in anki.notes(removed_notes_search("d", ["a_b"]))] == ["a_b"]
    both = removed_notes_search("d", ["a_b", "keep"])
    assert sorted(n["Id"] for n in anki.notes(both)) == ["a_b", "keep"]


def test_guid_ignores_text_but_not_the_deck(example_content):
    from cardpress.parse import load_content

    [deck] = load_content(example_content)
    card = next(deck.cards())
    assert note_guid(deck, card) == note_guid_for(DECK, card.id)


def test_new_cards_come_up_in_the_order_of_the_markdown(example_apkg, anki):
    anki.import_package(example_apkg)
    ordered = sorted(anki.cards(), key=lambda card: (card.due, card.ord))
    ids = list(dict.fromkeys(card.note()["Id"] for card in ordered))
    assert ids == [
        "ordered-delivery",
        "tcp-three-way-handshake",
        "port",
        "how-do-you-list-listening-tcp",
    ]


def test_a_section_without_cards_makes_no_empty_subdeck(build_deck, tmp_path, anki):
    content = write_files(
        tmp_path / "content",
        {
            "d.md": (
                "---\ntitle: D\nid: d\n---\n\n## Only words\n\nAn introduction, no cards.\n\n"
                "## Cards\n\n### Question?\n\nAnswer.\n"
            )
        },
    )
    anki.import_package(build_deck(content, tmp_path / "out") / "d.apkg")
    assert {"D", "D::Cards"} <= anki.deck_names()
    assert "D::Only words" not in anki.deck_names()


def test_the_shipped_decks_import_and_every_card_renders(build_deck, tmp_path, anki):
    from cardpress.parse import load_content
    from tests.conftest import ROOT

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)  # a copy: the build updates lock files
    decks = load_content(content)
    out = build_deck(content, tmp_path / "out")
    for deck in decks:
        log = anki.import_package(out / f"{deck.key}.apkg")
        assert len(log["new"]) == deck.card_count and not log["conflicting"]
    assert len(anki.notes()) == sum(deck.card_count for deck in decks)
    for card in anki.cards():
        rendered = anki.render(card)
        assert text_of(rendered.question), card.note()["Id"]
        for error in TEMPLATE_ERRORS:
            assert error not in rendered.question and error not in rendered.answer


SOUND = "[sound:alarm.mp3]"
SPEECH = "[anki:tts lang=en_US]Hello there[/anki:tts]"


def test_sound_and_speech_tags_are_shown_as_text_and_play_nothing(build_deck, tmp_path, anki):
    """Anki plays [sound:...] and [anki:tts] wherever a field holds them: content is text."""
    content = write_files(
        tmp_path / "content",
        {
            "noisy.md": (
                f"---\ntitle: Noisy {SOUND}\nid: noisy\ndescription: Plays {SPEECH}\n---\n\n"
                f"Deck intro {SOUND}.\n\n## Section {SOUND} {SPEECH}\n\nSection intro {SOUND}.\n\n"
                f"### Question {SOUND}?\n\nAnswer {SPEECH} and [SOUND:upper.mp3].\n\n"
                f"Details {SOUND} [anki:play:q:0] [/anki:tts].\n\n"
                f"> [!NOTE]\n> Callout {SOUND}\n\n"
                f"### Term {SOUND}\n<!-- kind: reversed -->\n\nDefinition {SPEECH}.\n\n"
                "### Fill in\n<!-- kind: cloze -->\n\n"
                f"Say {{{{c1::{SOUND}::hint {SPEECH}}}}} now {{{{c2::two::[sound:hint.mp3]}}}}.\n"
            )
        },
    )
    anki.import_package(build_deck(content, tmp_path / "out") / "noisy.apkg")
    cards = anki.cards()
    assert len(cards) == 5  # basic, reversed both ways, two deletions
    for card in cards:
        output = card.render_output(reload=True)
        assert output.question_av_tags == [] and output.answer_av_tags == []
        assert "[anki:play" not in output.question_text + output.answer_text
    shown = " ".join(html.unescape(card.question() + card.answer()) for card in cards)
    for written in (SOUND, SPEECH, "[SOUND:upper.mp3]", "[anki:play:q:0]", "[sound:hint.mp3]"):
        assert written in shown, written
    for name_and_id in anki.col.decks.all_names_and_ids():
        description = anki.deck_description(name_and_id.id)
        assert "[sound:" not in description and "[anki:" not in description
