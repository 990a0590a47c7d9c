"""Decks that repeat their questions, with the real Anki engine: an interview deck whose
14 sections ask the same four questions, and 1,000 generated cards drawn from small
pools of questions and answers. Rebuilding unchanged content updates no note, and every
note keeps the answer (and the reviews) it had."""

from __future__ import annotations

import re
from pathlib import Path

from tests.lock.test_ids import TOPICS, generated, interview
from tests.support.anki_support import AnkiUser


def touch_every_file(content: Path) -> None:
    """A change that changes no card: every file is parsed again, nothing comes from a cache."""
    for path in content.rglob("*.md"):
        path.write_text(path.read_text() + "\n")


def answers(anki: AnkiUser) -> dict[str, str]:
    return {note["Id"]: note["Answer"] for note in anki.notes()}


def test_fourteen_sections_asking_the_same_questions_rebuild_as_nothing_updated(
    tmp_path, build_deck, anki
):
    content = interview(tmp_path / "content", TOPICS)
    out = build_deck(content, tmp_path / "out")
    log = anki.import_package(out / "interview.apkg")
    assert len(log["new"]) == 56
    anki.study_all()
    schedule, first = anki.scheduling(), answers(anki)
    for note in anki.notes():  # every note holds the answer of its own section
        topic = re.search(r"Topic \d+", note["Answer"])
        assert topic and topic.group(0) in note["Source"]

    touch_every_file(content)
    log = anki.import_package(build_deck(content, out) / "interview.apkg")
    assert log["updated"] == log["new"] == log["conflicting"] == []
    assert answers(anki) == first and anki.scheduling() == schedule

    # Two answers edited among the cards sharing their question: exactly those notes change.
    edits = {"Topic 3": {"Who made it?": "Someone else."}, "Topic 12": {"When?": "Later."}}
    interview(content, TOPICS, edits)
    log = anki.import_package(build_deck(content, out) / "interview.apkg")
    assert log["new"] == log["conflicting"] == []
    assert log["updated"] == sorted(["who-made-it-3", "when-12"])
    assert "Someone else." in anki.note("who-made-it-3")["Answer"]
    assert anki.scheduling() == schedule


def test_a_thousand_cards_with_repeats_sync_twice_with_nothing_changed(
    tmp_path, run_cli, monkeypatch
):
    content = generated(tmp_path / "content", seed=7)
    base = tmp_path / "Anki2"
    AnkiUser(base / "User 1").close()
    monkeypatch.setenv("ANKI_BASE", str(base))
    first = run_cli("sync", "--content", content)
    assert first.status == 0, first.err
    anki = AnkiUser(base / "User 1")
    try:
        assert len(anki.notes()) == 1000
        before = {note.id: (note["Id"], note["Answer"], note.mod) for note in anki.notes()}
        cards = {card.id: card.nid for card in anki.cards()}
    finally:
        anki.close()

    touch_every_file(content)
    again = run_cli("sync", "--content", content)
    assert again.status == 0, again.err
    assert "0 new, 0 updated, 1000 unchanged" in again.out
    anki = AnkiUser(base / "User 1")
    try:
        assert {n.id: (n["Id"], n["Answer"], n.mod) for n in anki.notes()} == before
        assert {card.id: card.nid for card in anki.cards()} == cards
    finally:
        anki.close()
