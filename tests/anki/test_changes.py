"""``cardpress preview`` and the build's Anki notices, without Anki: renames with
``was:``, the rename hint, kind changes back, old lock files, errors."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import genanki

from tests.conftest import TEMPLATES, RunCli, snapshot
from tests.support.lock_files import lock_data, write_old_lock

DECK = "networking-basics"
LOCK = "networking.lock"
PART = "transport.json.gz"  # the part of the section of the card "port"
LISTEN = "### How do you list listening TCP sockets on Linux?\n"


def package_guids(package: Path) -> dict[str, str]:
    """Id field -> GUID of every note in an .apkg."""
    with zipfile.ZipFile(package) as archive:
        data = archive.read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    conn.deserialize(data)
    rows = conn.execute("SELECT guid, flds FROM notes").fetchall()
    conn.close()
    return {flds.split("\x1f")[-1]: guid for guid, flds in rows}


def preview_json(run_cli: RunCli, content: Path) -> dict[str, Any]:
    result = run_cli("preview", "--content", content, "--json")
    assert result.status == 0, result.err
    decks: list[dict[str, Any]] = json.loads(result.out)["decks"]
    [deck] = decks
    return deck


def edit(content: Path, old: str, new: str) -> None:
    markdown = content / "networking.md"
    text = markdown.read_text(encoding="utf-8")
    assert old in text
    markdown.write_text(text.replace(old, new), encoding="utf-8")


def test_preview_before_the_first_build_says_every_note_is_new_and_writes_nothing(
    run_cli, example_content
):
    before = snapshot(example_content)
    deck = preview_json(run_cli, example_content)
    assert deck["new"] == [
        "how-do-you-list-listening-tcp",
        "ordered-delivery",
        "port",
        "tcp-three-way-handshake",
    ]
    assert deck["updated"] == deck["unchanged"] == deck["removed"] == deck["moved"] == []
    human = run_cli("preview", "--content", example_content)
    assert human.status == 0
    assert "new notes: 4" in human.out and "updated notes: 0" in human.out
    assert snapshot(example_content) == before  # no lock file, nothing else


def test_preview_names_changed_fields_moves_and_restyles(run_cli, example_content, tmp_path):
    assert (
        run_cli("--content", example_content, "--out", tmp_path / "d", "--only", "anki").status == 0
    )
    assert preview_json(run_cli, example_content)["unchanged"] == [
        "how-do-you-list-listening-tcp",
        "ordered-delivery",
        "port",
        "tcp-three-way-handshake",
    ]
    edit(
        example_content,
        "## Tools\n<!-- tags: cli -->",
        "## Command line\n<!-- id: tools; tags: cli -->",
    )
    edit(example_content, "A 16-bit number", "A 16-bit unsigned number")
    deck = preview_json(run_cli, example_content)
    assert deck["updated"] == ["how-do-you-list-listening-tcp", "port"]
    assert deck["fields_changed"] == {
        "how-do-you-list-listening-tcp": ["Source"],
        "port": ["Answer"],
    }
    assert deck["moved"] == ["how-do-you-list-listening-tcp"]
    [move] = deck["moves"]
    assert move["to"] == "Networking Basics::Command line"
    assert move["search"] == (
        '"tag:cardpress::networking-basics" ("Id:how-do-you-list-listening-tcp")'
    )
    human = run_cli("preview", "--content", example_content).out
    assert "port: Answer" in human
    assert "Networking Basics::Tools -> Networking Basics::Command line" in human


def test_was_keeps_the_note_of_an_automatic_id(run_cli, example_content, tmp_path):
    out = tmp_path / "d"
    assert run_cli("--content", example_content, "--out", out, "--only", "anki").status == 0
    old_guid = package_guids(out / f"{DECK}.apkg")["how-do-you-list-listening-tcp"]
    assert old_guid == genanki.guid_for(DECK, "how-do-you-list-listening-tcp")

    # An explicit id alone starts a new note: the build says so and shows the fix.
    edit(example_content, LISTEN, LISTEN + "<!-- id: listening -->\n")
    deck = preview_json(run_cli, example_content)
    assert deck["new"] == ["listening"]
    assert deck["rename_hints"] == {"listening": "how-do-you-list-listening-tcp"}
    result = run_cli("--content", example_content, "--out", out, "--only", "anki")
    fix = "<!-- id: listening; was: how-do-you-list-listening-tcp -->"
    assert fix in result.out

    # The fix, after that build but before importing it: the old note comes back.
    edit(example_content, "<!-- id: listening -->", fix)
    deck = preview_json(run_cli, example_content)
    assert deck["renamed"] == {"listening": "how-do-you-list-listening-tcp"}
    assert "listening" in deck["updated"] and deck["new"] == []
    result = run_cli("--content", example_content, "--out", out, "--only", "anki")
    assert "card how-do-you-list-listening-tcp is now listening" in result.out
    guids = package_guids(out / f"{DECK}.apkg")
    assert guids["listening"] == old_guid
    assert "how-do-you-list-listening-tcp" not in guids  # renamed, so no tombstone

    # The lock remembers: the 'was:' may go, the note stays the same.
    edit(example_content, fix, "<!-- id: listening -->")
    assert "listening" in preview_json(run_cli, example_content)["unchanged"]
    assert run_cli("--content", example_content, "--out", out, "--only", "anki").status == 0
    assert package_guids(out / f"{DECK}.apkg")["listening"] == old_guid
    lock = lock_data(example_content / LOCK)
    assert lock["cards"]["listening"]["note"] == "how-do-you-list-listening-tcp"
    assert lock["cards"]["how-do-you-list-listening-tcp"]["renamed_to"] == "listening"


def test_was_without_an_id_or_with_an_unknown_id_is_reported(run_cli, example_content, tmp_path):
    out = tmp_path / "d"
    edit(example_content, LISTEN, LISTEN + "<!-- was: old-name -->\n")
    result = run_cli("--content", example_content, "--out", out)
    assert result.status == 1
    assert "networking.md:44:6: error: 'was' names the ids this card had before" in result.err
    assert not out.exists()
    edit(example_content, "<!-- was: old-name -->", "<!-- id: listening; was: old-name -->")
    result = run_cli("--content", example_content, "--out", out, "--only", "anki")
    assert result.status == 0
    assert "card listening says 'was: old-name', but the lock file has no card" in result.err


def test_kind_change_back_says_the_old_note_is_found(run_cli, example_content, tmp_path):
    out = tmp_path / "d"
    assert run_cli("--content", example_content, "--out", out, "--only", "anki").status == 0
    edit(example_content, "<!-- kind: reversed -->", "<!-- kind: basic -->")
    there = run_cli("--content", example_content, "--out", out, "--only", "anki").out
    assert "port changed from reversed to basic: Anki adds it as a new note" in there
    edit(example_content, "<!-- kind: basic -->", "<!-- kind: reversed -->")
    deck = preview_json(run_cli, example_content)
    assert deck["kind_changed"] == ["port"] and "port" in deck["updated"]
    back = run_cli("--content", example_content, "--out", out, "--only", "anki").out
    assert "port changed from basic back to reversed: Anki finds the reversed note" in back
    assert '"note:cardpress basic"' in back


def test_a_version_1_lock_is_read_without_loss(run_cli, example_content, tmp_path):
    out = tmp_path / "d"
    assert run_cli("--content", example_content, "--out", out, "--only", "anki").status == 0
    package = (out / f"{DECK}.apkg").read_bytes()
    lock_path = example_content / LOCK
    lock = lock_data(lock_path)
    lock["cardpress_lock"] = 1
    for entry in lock["cards"].values():
        entry.pop("anki")
    write_old_lock(lock_path, lock)
    assert preview_json(run_cli, example_content)["unchanged"] == sorted(lock["cards"])
    edit(example_content, "A 16-bit number", "A 16-bit unsigned number")
    assert preview_json(run_cli, example_content)["updated"] == ["port"]
    edit(example_content, "A 16-bit unsigned number", "A 16-bit number")
    assert (
        run_cli("--content", example_content, "--out", tmp_path / "e", "--only", "anki").status == 0
    )
    assert (tmp_path / "e" / f"{DECK}.apkg").read_bytes() == package  # same stamps, same bytes
    upgraded = lock_data(lock_path)
    assert upgraded["cardpress_lock"] == 4
    assert upgraded["stamps"] == lock["stamps"]
    for card_id, entry in lock["cards"].items():
        assert {k: upgraded["cards"][card_id][k] for k in entry} == entry


def test_preview_of_broken_content_reports_the_errors(run_cli, example_content):
    edit(example_content, "<!-- kind: reversed -->", "<!-- kind: flashcard -->")
    result = run_cli("preview", "--content", example_content, "--json")
    assert result.status == 1 and result.out == ""
    assert "unknown card kind 'flashcard'" in result.err


def test_forget_removed_drops_the_tombstones_and_keeps_the_ids(run_cli, example_content, tmp_path):
    out = tmp_path / "d"
    assert run_cli("--content", example_content, "--out", out, "--only", "anki").status == 0
    edit(
        example_content,
        "### Port\n<!-- kind: reversed -->\n",
        "### Port number\n<!-- kind: reversed -->\n",
    )
    edit(example_content, "A 16-bit number", "A number")  # question and answer: a new card
    result = run_cli("--content", example_content, "--out", out, "--only", "anki")
    assert "tagged cardpress::removed" in result.out
    assert "port" in package_guids(out / f"{DECK}.apkg")
    assert preview_json(run_cli, example_content)["tombstones"] == ["port"]

    before = snapshot(example_content)
    result = run_cli("forget-removed", "--content", example_content)
    assert result.status == 0
    assert (
        result.out
        == f"{DECK}: 1 tombstone(s) forgotten: port; the next packages no longer carry them\n"
    )
    changed = {k for k, v in snapshot(example_content).items() if before[k] != v}
    assert changed == {LOCK, f"{LOCK}.d/{PART}"}
    lock = lock_data(example_content / LOCK)
    assert lock["cards"]["port"]["removed"] is True and "anki" not in lock["cards"]["port"]
    assert preview_json(run_cli, example_content)["tombstones"] == []
    assert run_cli("--content", example_content, "--out", out, "--only", "anki").status == 0
    assert "port" not in package_guids(out / f"{DECK}.apkg")
    assert run_cli("forget-removed", "--content", example_content).out == f"{DECK}: no tombstones\n"


def test_preview_reports_restyled_note_types_and_a_changed_deck_id(
    run_cli, example_content, tmp_path
):
    assert (
        run_cli("--content", example_content, "--out", tmp_path / "d", "--only", "anki").status == 0
    )
    templates = tmp_path / "templates"
    (templates / "anki").mkdir(parents=True)
    css = (TEMPLATES / "anki" / "card.css").read_text(encoding="utf-8")
    (templates / "anki" / "card.css").write_text(css + "\n.card { letter-spacing: 0; }\n")
    result = run_cli("preview", "--content", example_content, "--templates", templates, "--json")
    [deck] = json.loads(result.out)["decks"]
    assert sorted(deck["note_types_restyled"]) == [
        "cardpress basic",
        "cardpress basic and reversed",
        "cardpress cloze",
    ]
    assert deck["updated"] == [] and deck["hazards"] == []

    edit(example_content, "id: networking-basics", "id: netbasics")
    result = run_cli("preview", "--content", example_content, "--json")
    [deck] = json.loads(result.out)["decks"]
    assert len(deck["new"]) == 4 and deck["updated"] == deck["unchanged"] == []
    assert deck["hazards"] == [
        "the deck id changed from 'networking-basics' to 'netbasics': every note is new to "
        "Anki and starts without reviews; the old notes stay. Change the id back unless "
        "that is what you want"
    ]
    built = run_cli("--content", example_content, "--out", tmp_path / "d", "--only", "anki")
    assert "netbasics: the deck id changed from 'networking-basics'" in built.out


def test_a_kind_change_is_reported_by_the_next_anki_build_after_other_builds(
    run_cli, example_content, tmp_path
):
    out = tmp_path / "d"
    assert run_cli("--content", example_content, "--out", out, "--only", "anki").status == 0
    edit(example_content, "<!-- kind: reversed -->", "<!-- kind: basic -->")
    assert run_cli("--content", example_content, "--out", out, "--only", "json").status == 0
    deck = preview_json(run_cli, example_content)
    assert deck["kind_changes"] == {"port": ["reversed", "basic"]} and deck["new"] == ["port"]
    result = run_cli("--content", example_content, "--out", out, "--only", "anki")
    assert "card port changed from reversed to basic: Anki adds it as a new note" in result.out
