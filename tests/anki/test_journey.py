"""The user's journey with the real Anki engine: import, study for a while, edit the
Markdown, rebuild, import again with Anki's default options, and lose nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cardpress.anki.notes import removed_notes_search, replaced_note_search
from cardpress.model import CardKind
from tests.conftest import TEMPLATES
from tests.support.files_support import png, write_files
from tests.support.journey_deck import INDEX

BASICS_V1 = """## Basics
<!-- id: basics -->

### What is the capital of France?

Paris.

### Which HTTP status means "not found"?

404.

---

Details about the 4xx class.

### Idempotent
<!-- kind: reversed -->

Has the same effect however many times it is applied.

## Pictures
<!-- id: pictures -->

### What colour is this square?

![a square](img/square.png)

Red.
"""

MORE_V1 = """## More
<!-- id: more -->

### Handshake
<!-- kind: cloze -->

First {{SYN}}, then {{SYN-ACK}}, then {{ACK}}.

### How do you list files with details?

```bash
ls -la
```

### A card that will be removed

Goodbye.
"""

# v2: an answer edited, a question reworded, a card moved to another file and section,
# cards reordered, a card added and a card removed.
BASICS_V2 = """## Basics
<!-- id: basics -->

### Idempotent
<!-- kind: reversed -->

Has the same effect however many times it is applied.

### Which HTTP status code says a resource was not found?

404.

---

Details about the 4xx class.

### What is the capital of France?

Paris, on the Seine.

### How do you list files with details?

```bash
ls -la
```

## Pictures
<!-- id: pictures -->

### What colour is this square?

![a square](img/square.png)

Red.
"""

MORE_V2 = """## More
<!-- id: more -->

### Handshake
<!-- kind: cloze -->

First {{SYN}}, then {{SYN-ACK}}, then {{ACK}}.

### What does DNS do?

It turns names into addresses.
"""


@pytest.fixture
def content(tmp_path) -> Path:
    return write_files(
        tmp_path / "content" / "journey",
        {
            "index.md": INDEX,
            "10-basics.md": BASICS_V1,
            "20-more.md": MORE_V1,
            "img/square.png": png(4, 4, (220, 20, 20)),
        },
    ).parent


def test_reimport_after_edits_updates_in_place_and_keeps_every_review(
    content, tmp_path, build_deck, run_cli, anki
):
    out = build_deck(content, tmp_path / "out")
    log = anki.import_package(out / "journey.apkg")
    assert len(log["new"]) == 7 and not log["conflicting"]
    v1_ids = {note["Id"] for note in anki.notes()}
    assert anki.study_all() == 10  # 4 basic + 2 reversed + 3 cloze + 1 picture
    reviews = anki.review_count()
    studied = anki.scheduling()
    assert all(state[0] != 0 for state in studied.values())  # nothing is new any more

    capital = anki.note("what-is-the-capital-of-france")
    http_id = next(i for i in v1_ids if i.startswith("which-http-status"))
    unchanged_mod = anki.note("idempotent").mod

    write_files(content / "journey", {"10-basics.md": BASICS_V2, "20-more.md": MORE_V2})
    result = run_cli("--content", content, "--out", out, "--only", "anki")
    assert result.status == 0, result.err
    assert "a-card-that-will-be-removed" in result.out  # the build reports the removed card

    log = anki.import_package(out / "journey.apkg")
    assert not log["conflicting"]
    assert log["new"] == ["what-does-dns-do"]
    # Exactly the edited notes: answer edited, question reworded, card moved (its Source),
    # and the removed card's note, which gains the tag cardpress::removed.
    assert log["updated"] == sorted(
        [capital["Id"], http_id, "how-do-you-list-files-with", "a-card-that-will-be-removed"]
    )

    notes = {note["Id"]: note for note in anki.notes()}
    assert len(notes) == 8  # seven old notes (one now stale) and the new one
    assert set(notes) == v1_ids | {"what-does-dns-do"}
    assert notes[capital["Id"]].id == capital.id
    assert "Paris, on the Seine." in notes[capital["Id"]]["Answer"]
    assert "resource was not found" in notes[http_id]["Question"]
    moved = notes["how-do-you-list-files-with"]
    assert "Basics" in moved["Source"] and ".md" not in moved["Source"]  # its new section
    assert "basics" in moved.tags and "more" not in moved.tags
    assert notes["idempotent"].mod == unchanged_mod  # reordering alone changes nothing

    # Every review and every scheduling state survived; only the new card is new.
    assert anki.review_count() == reviews
    after = anki.scheduling()
    assert {key: after[key] for key in studied} == studied
    assert [key for key in after if key not in studied] == [("what-does-dns-do", 0)]

    # The removed card's note stays in Anki and the documented search finds it alone.
    stale = anki.notes(removed_notes_search("journey", ["a-card-that-will-be-removed"]))
    assert [note["Id"] for note in stale] == ["a-card-that-will-be-removed"]


def test_moved_card_keeps_its_subdeck_in_anki(content, tmp_path, build_deck, anki):
    """Anki never moves the cards of a note it updates: documented in docs/anki.md."""
    out = build_deck(content, tmp_path / "out")
    anki.import_package(out / "journey.apkg")
    write_files(content / "journey", {"10-basics.md": BASICS_V2, "20-more.md": MORE_V2})
    anki.import_package(build_deck(content, out) / "journey.apkg")
    [card] = anki.note("how-do-you-list-files-with").cards()
    assert anki.deck_of(card) == "Journey::More"
    # ...and the search docs/anki.md gives finds it: in the "More" subdeck, not tagged "more".
    misplaced = anki.notes('"deck:Journey::More" -tag:more')
    assert [note["Id"] for note in misplaced] == ["how-do-you-list-files-with"]


def test_edits_apply_even_with_a_fixed_source_date_epoch(
    content, tmp_path, build_deck, anki, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = build_deck(content, tmp_path / "out")
    anki.import_package(out / "journey.apkg")
    write_files(content / "journey", {"10-basics.md": BASICS_V1.replace("Paris.", "Paris!")})
    log = anki.import_package(build_deck(content, out) / "journey.apkg")
    assert log["updated"] == ["what-is-the-capital-of-france"] and not log["conflicting"]
    assert "Paris!" in anki.note("what-is-the-capital-of-france")["Answer"]


def test_template_and_css_changes_update_the_note_types_in_place(
    content, tmp_path, build_deck, run_cli, anki
):
    out = build_deck(content, tmp_path / "out")
    anki.import_package(out / "journey.apkg")
    anki.study_all()
    before = {nt["id"]: nt["name"] for nt in anki.col.models.all()}
    notes_before = {note.id: note.mod for note in anki.notes()}
    schedule = anki.scheduling()

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    css = templates / "anki" / "card.css"
    css.write_text(css.read_text().replace("font-size: 20px;", "font-size: 23px;"))
    front = templates / "anki" / "basic_front.html"
    front.write_text(front.read_text().replace('class="question"', 'class="question changed"'))
    args = ("--content", content, "--out", out, "--only", "anki", "--templates", templates)
    assert run_cli(*args).status == 0

    log = anki.import_package(out / "journey.apkg")
    assert log["conflicting"] == log["new"] == log["updated"] == []
    assert {nt["id"]: nt["name"] for nt in anki.col.models.all()} == before  # no copies
    basic = anki.col.models.by_name("cardpress basic")
    assert basic is not None
    assert "font-size: 23px;" in basic["css"]
    assert 'class="question changed"' in basic["tmpls"][0]["qfmt"]
    assert {note.id: note.mod for note in anki.notes()} == notes_before
    assert anki.scheduling() == schedule
    card = anki.note("what-is-the-capital-of-france").cards()[0]
    assert 'class="question changed"' in anki.render(card).question


def test_a_kind_change_makes_a_new_note_and_changing_back_finds_the_old_one(
    content, tmp_path, build_deck, anki
):
    out = build_deck(content, tmp_path / "out")
    anki.import_package(out / "journey.apkg")
    anki.study_all()
    original = anki.note("what-is-the-capital-of-france")
    [studied] = original.cards()

    heading = "### What is the capital of France?\n"
    reversed_v = BASICS_V1.replace(heading, heading + "<!-- kind: reversed -->\n")
    write_files(content / "journey", {"10-basics.md": reversed_v})
    log = anki.import_package(build_deck(content, out) / "journey.apkg")
    assert not log["conflicting"] and log["new"] == ["what-is-the-capital-of-france"]
    both = anki.notes("Id:what-is-the-capital-of-france")
    assert sorted(anki.note_type_name(n) for n in both) == [
        "cardpress basic",
        "cardpress basic and reversed",
    ]
    left_behind = replaced_note_search("journey", "what-is-the-capital-of-france", CardKind.BASIC)
    assert [n.id for n in anki.notes(left_behind)] == [original.id]

    write_files(content / "journey", {"10-basics.md": BASICS_V1})
    log = anki.import_package(build_deck(content, out) / "journey.apkg")
    assert log["conflicting"] == log["new"] == []
    assert original.id in {n.id for n in anki.notes("Id:what-is-the-capital-of-france")}
    [card] = anki.col.get_note(original.id).cards()
    assert (card.id, card.type, card.ivl, card.due, card.reps) == (
        studied.id,
        studied.type,
        studied.ivl,
        studied.due,
        studied.reps,
    )
    assert studied.reps == 1


def test_a_new_cloze_deletion_adds_a_card_and_keeps_the_others(content, tmp_path, build_deck, anki):
    out = build_deck(content, tmp_path / "out")
    anki.import_package(out / "journey.apkg")
    anki.study_all()
    schedule = anki.scheduling()
    more = MORE_V1.replace("then {{ACK}}.", "then {{ACK}}, then {{data}}.")
    write_files(content / "journey", {"20-more.md": more})
    log = anki.import_package(build_deck(content, out) / "journey.apkg")
    assert log["updated"] == ["handshake"] and not log["conflicting"]
    cards = anki.note("handshake").cards()
    assert sorted(card.ord for card in cards) == [0, 1, 2, 3]
    after = anki.scheduling()
    assert all(after[("handshake", n)] == schedule[("handshake", n)] for n in range(3))
    assert after[("handshake", 3)][0] == 0  # the new deletion is a new card


def test_a_changed_image_reaches_anki(content, tmp_path, build_deck, anki):
    out = build_deck(content, tmp_path / "out")
    anki.import_package(out / "journey.apkg")
    green = png(4, 4, (20, 160, 20))
    write_files(content / "journey", {"img/square.png": green})
    log = anki.import_package(build_deck(content, out) / "journey.apkg")
    assert log["updated"] == ["what-colour-is-this-square"]
    [card] = anki.note("what-colour-is-this-square").cards()
    answer = anki.render(card).answer
    shown = [name for name in anki.media_names() if f'src="{name}"' in answer]
    assert len(shown) == 1
    assert (Path(anki.col.media.dir()) / shown[0]).read_bytes() == green


def test_an_edit_made_in_anki_stays_until_the_card_changes_in_the_markdown(
    content, tmp_path, build_deck, anki, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # v1 was built long ago
    out = build_deck(content, tmp_path / "out")
    anki.import_package(out / "journey.apkg")
    note = anki.note("what-is-the-capital-of-france")
    note["Answer"] = "<p>Paris (my own note)</p>"
    anki.col.update_note(note)  # Anki stamps the edit with the current time
    edited = anki.note("what-is-the-capital-of-france").mod
    assert edited > 1700000000

    log = anki.import_package(build_deck(content, out) / "journey.apkg")  # nothing changed
    assert log["updated"] == []
    assert "my own note" in anki.note("what-is-the-capital-of-france")["Answer"]

    # The Markdown changes after the edit in Anki: the Markdown wins.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(edited + 60))
    write_files(content / "journey", {"10-basics.md": BASICS_V1.replace("Paris.", "Paris!")})
    log = anki.import_package(build_deck(content, out) / "journey.apkg")
    assert log["updated"] == ["what-is-the-capital-of-france"]
    assert "Paris!" in anki.note("what-is-the-capital-of-france")["Answer"]


def test_renaming_the_deck_title_leaves_the_cards_in_the_old_deck(
    content, tmp_path, build_deck, anki
):
    out = build_deck(content, tmp_path / "out")
    anki.import_package(out / "journey.apkg")
    write_files(content / "journey", {"index.md": INDEX.replace("title: Journey", "title: Trip")})
    log = anki.import_package(build_deck(content, out) / "journey.apkg")
    assert not log["conflicting"] and not log["new"]
    assert {"Trip", "Trip::Basics"} <= anki.deck_names()
    assert {anki.deck_of(card).split("::")[0] for card in anki.cards()} == {"Journey"}
