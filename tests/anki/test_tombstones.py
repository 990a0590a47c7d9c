"""Removed cards with the real Anki engine, for both people who import a package: someone
who studied the deck sees each removed note tagged and keeps every card and review;
someone who imports it for the first time gets no card of a removed note to study."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cardpress.anki.notes import REMOVED_TAG, removed_notes_search
from tests.support.anki_support import AnkiUser, after_this_second
from tests.support.files_support import png, write_files
from tests.support.journey_deck import BASICS_V2, FILES_V1, MORE_V2, TOOLS_V2, anki_states

if TYPE_CHECKING:
    from anki.cards import Card as AnkiCard

V2: dict[str, str | bytes] = {
    "10-basics.md": BASICS_V2,
    "20-more.md": MORE_V2,
    "35-tools.md": TOOLS_V2,
}
GONE = {  # the cards round one of the journey deck removes
    "a-card-that-will-be-removed",
    "is-get-safe",
    "what-is-a-socket",  # given an explicit id: its old note is a tombstone
}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return write_files(tmp_path / "content" / "journey", FILES_V1).parent


def edit_to_v2(content: Path, files: dict[str, str | bytes] | None = None) -> None:
    (content / "journey" / "30-tools.md").unlink()
    changed = files or V2
    write_files(content / "journey", {**changed, "img/square.png": png(4, 4, (20, 160, 20))})


def cut(text: str, heading: str) -> str:
    """``text`` without the card under ``heading``."""
    start = text.index(heading)
    end = text.find("\n### ", start + 1)
    return text[:start] + (text[end + 1 :] if end >= 0 else "")


# Round one, and a card of each other kind removed too: a reversed note and a cloze note.
V2_EVERY_KIND: dict[str, str | bytes] = {
    **V2,
    "10-basics.md": cut(BASICS_V2, "### Idempotent"),
    "20-more.md": cut(MORE_V2, "### Handshake"),
}


def studyable(anki: AnkiUser) -> list[str]:
    """The Id of the note of every card that a study session could show."""
    return sorted(card.note()["Id"] for card in anki.cards("-is:suspended -is:buried"))


def test_a_first_time_learner_gets_no_card_of_a_removed_note(
    content, tmp_path, build_deck, run_cli
):
    out = build_deck(content, tmp_path / "out")
    after_this_second()
    edit_to_v2(content, V2_EVERY_KIND)
    assert run_cli("--content", content, "--out", out, "--only", "anki").status == 0

    newcomer = AnkiUser(tmp_path / "newcomer")
    try:
        log = newcomer.import_package(out / "journey.apkg")
        assert not log["conflicting"]
        removed = newcomer.notes(f"tag:{REMOVED_TAG}")
        assert {note["Id"] for note in removed} == GONE | {"idempotent", "handshake"}
        kinds = {newcomer.note_type_name(note) for note in removed}
        assert kinds == {"cardpress basic", "cardpress basic and reversed", "cardpress cloze"}
        assert all(note.cards() == [] for note in removed)
        live = {note["Id"] for note in newcomer.notes(f"-tag:{REMOVED_TAG}")}
        assert set(studyable(newcomer)) == live
        assert not newcomer.cards(f"tag:{REMOVED_TAG}")
        assert not newcomer.cards("deck:Journey -deck:Journey::*")  # nothing in the top deck
        # The search the build prints still finds the removed notes, to delete them.
        search = removed_notes_search("journey", sorted(GONE | {"idempotent", "handshake"}))
        assert {note.id for note in removed} <= {note.id for note in newcomer.notes(search)}
        studied = newcomer.study_all()
        assert studied == len(newcomer.cards())  # every card there is, is a live card
    finally:
        newcomer.close()


def test_someone_who_studied_the_deck_keeps_every_card_and_review(
    content, tmp_path, build_deck, run_cli
):
    out = build_deck(content, tmp_path / "out")
    learner = AnkiUser(tmp_path / "learner")
    try:
        learner.import_package(out / "journey.apkg")
        learner.study_all()
        states, reviews = anki_states(learner), learner.review_count()
        before = {
            note["Id"]: (note.id, note.fields, sorted(card.id for card in note.cards()))
            for note in learner.notes()
        }
        after_this_second()
        edit_to_v2(content)
        assert run_cli("--content", content, "--out", out, "--only", "anki").status == 0
        log = learner.import_package(out / "journey.apkg")
        assert not log["conflicting"]

        tagged = learner.notes(f"tag:{REMOVED_TAG}")
        assert {note["Id"] for note in tagged} == GONE
        for note in tagged:  # the tag is the only change, and every card stays
            note_id, fields, cards = before[note["Id"]]
            if note.id == note_id:
                assert note.fields == fields
                assert sorted(card.id for card in note.cards()) == cards
        assert learner.review_count() == reviews
        after = anki_states(learner)
        assert {cid: after[cid] for cid in states} == states
    finally:
        learner.close()


def test_a_card_brought_back_gets_its_cards_for_both(content, tmp_path, build_deck):
    out = build_deck(content, tmp_path / "out")
    learner = AnkiUser(tmp_path / "learner")
    newcomer = AnkiUser(tmp_path / "newcomer")
    try:
        learner.import_package(out / "journey.apkg")
        learner.study_all()
        [studied] = learner.note("a-card-that-will-be-removed").cards()
        after_this_second()
        more = content / "journey" / "20-more.md"
        v1 = more.read_text()
        more.write_text(v1[: v1.index("### A card that will be removed")])
        build_deck(content, out)
        learner.import_package(out / "journey.apkg")
        newcomer.import_package(out / "journey.apkg")
        assert newcomer.note("a-card-that-will-be-removed").cards() == []

        after_this_second()
        more.write_text(v1)
        build_deck(content, out)
        for person in (learner, newcomer):
            log = person.import_package(out / "journey.apkg")
            assert log["updated"] == ["a-card-that-will-be-removed"], log
            note = person.note("a-card-that-will-be-removed")
            assert REMOVED_TAG not in note.tags
            assert [anki_deck(person, c) for c in note.cards()] == ["Journey::More"]
        [kept] = learner.note("a-card-that-will-be-removed").cards()
        assert (kept.id, kept.reps, kept.ivl) == (studied.id, studied.reps, studied.ivl)
        [fresh] = newcomer.note("a-card-that-will-be-removed").cards()
        assert fresh.type == 0  # a new card to study
    finally:
        learner.close()
        newcomer.close()


def anki_deck(person: AnkiUser, card: AnkiCard) -> str:
    return person.deck_of(card)


def test_importing_the_package_back_leaves_out_the_removed_notes(
    content, tmp_path, build_deck, run_cli, monkeypatch
):
    out = build_deck(content, tmp_path / "out")
    after_this_second()
    edit_to_v2(content)
    build_deck(content, out)
    monkeypatch.chdir(tmp_path)
    result = run_cli("import", "anki", out / "journey.apkg", "--to", "content/again")
    assert result.status == 0, result.err
    imported = "".join(p.read_text() for p in (tmp_path / "content" / "again").rglob("*.md"))
    assert "A card that will be removed" not in imported and "Is GET safe?" not in imported
    assert "note 'a-card-that-will-be-removed' of a card removed from its cardpress deck" in (
        result.out + result.err
    )
