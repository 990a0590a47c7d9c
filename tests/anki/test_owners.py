"""A deck touches only its own notes in a collection, checked with the real Anki engine on
a collection that holds notes of the user's own: a ``guid:`` setting naming another note
takes nothing over through ``cardpress sync`` (and the build and preview name every such
card, since a plain import cannot be stopped); the ``cardpress::`` tags are cardpress's
alone; ``--delete`` and ``--max-delete`` count exactly the notes about to go; a deck id
that another deck already uses in the collection stops the first sync."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

from cardpress.anki.notes import guid_for
from cardpress.model import CardKind
from tests.anki.test_sync import snapshot
from tests.support.anki_support import AnkiUser, after_this_second, database
from tests.support.files_support import write_files
from tests.support.sync_support import add_user_notes, user_notes

if TYPE_CHECKING:
    from anki.notes import Note as AnkiNote

MINE = """---
title: Mine
id: mine
---
## Words

### What is a noun?

A naming word.

### What is a verb?

A doing word.

### What is an adverb?

A word that tells how.

### What is a pronoun?

A word in place of a noun.
"""


def evil(takeovers: dict[str, str], honest: bool = True) -> str:
    """A deck whose cards name other notes by ``guid:``."""
    cards = "".join(
        f"### {title}\n<!-- guid: {urllib.parse.quote(guid, safe='')} -->\n\nEvil text.\n\n"
        for title, guid in takeovers.items()
    )
    extra = "### An honest card\n\nFine.\n" if honest else ""
    return f"---\ntitle: Evil\nid: evil\n---\n## Take\n\n{cards}{extra}"


def sync(run_cli, content: Path, collection: Path, *args: str) -> str:
    result = run_cli("sync", "--content", content, "--collection", collection, *args)
    assert result.status == 0, result.err
    assert "Traceback" not in result.err
    return str(result.out)


def start(tmp_path: Path, run_cli) -> tuple[Path, Path]:
    """A collection with the user's own notes and the deck ``mine`` synced into it."""
    collection = tmp_path / "anki" / "collection.anki2"
    AnkiUser(collection.parent).close()
    add_user_notes(collection)
    mine = write_files(tmp_path / "mine", {"mine.md": MINE})
    sync(run_cli, mine, collection)
    return collection, mine


def by_guid(anki: AnkiUser, guid: str) -> AnkiNote:
    return anki.col.get_note(database(anki.col).scalar("select id from notes where guid = ?", guid))


def test_a_guid_setting_takes_over_no_note_of_another_deck(tmp_path, run_cli):
    collection, mine = start(tmp_path, run_cli)
    anki = AnkiUser(collection.parent)
    try:
        noun = anki.notes('"Id:what-is-a-noun"')[0]
        noun.add_tag("marked")
        anki.col.update_note(noun)
        [user_guid] = {n.guid for n in anki.notes('"Front:My question 3"')}
    finally:
        anki.close()
    after_this_second()
    mine_guid = guid_for("mine", "what-is-a-noun", CardKind.BASIC)
    hostile = write_files(
        tmp_path / "evil",
        {"evil.md": evil({"Stolen user note": user_guid, "Stolen noun": mine_guid})},
    )
    takeovers = ["stolen-noun", "stolen-user-note"]

    # The build and the preview name every card that takes over a note by guid.
    built = run_cli("--content", hostile, "--out", tmp_path / "dist", "--only", "anki")
    assert built.status == 0, built.err
    assert "2 card(s) take over the Anki note their guid: setting names: " in built.out
    assert "stolen-noun, stolen-user-note" in built.out
    preview = run_cli("preview", "--content", hostile, "--json")
    assert json.loads(preview.out)["decks"][0]["guid_takeovers"] == takeovers

    # The sync leaves both notes exactly as they were, and says so.
    users = user_notes(collection)
    before = snapshot(collection)
    noun_row = [row for row in before["notes"] if row[1] == mine_guid]
    dry = sync(run_cli, hostile, collection, "--dry-run")
    assert "would leave alone 2 note(s) that a guid: setting names" in dry
    output = sync(run_cli, hostile, collection)
    assert "left alone 2 note(s) that a guid: setting names but that are not this deck's" in output
    assert "stolen-noun, stolen-user-note" in output
    after = snapshot(collection)
    assert user_notes(collection) == users
    assert [row for row in after["notes"] if row[1] == mine_guid] == noun_row
    noun_cards = [row for row in before["cards"] if row[1] == noun_row[0][0]]
    assert [row for row in after["cards"] if row[1] == noun_row[0][0]] == noun_cards
    anki = AnkiUser(collection.parent)
    try:
        assert [n["Id"] for n in anki.notes("tag:cardpress::evil")] == ["an-honest-card"]
        # A plain import of the package cannot be stopped: the noun is taken over ...
        log = anki.import_package(tmp_path / "dist" / "evil.apkg")
        assert "stolen-noun" in log["updated"], log
        noun = by_guid(anki, mine_guid)
        assert "Evil text." in noun["Answer"] and "cardpress::mine" not in noun.tags
    finally:
        anki.close()

    # ... and the next sync of the deck it belongs to takes it back.
    output = sync(run_cli, mine, collection)
    assert "took back 1 note(s) that another deck's package had taken over" in output
    anki = AnkiUser(collection.parent)
    try:
        noun = by_guid(anki, mine_guid)
        assert noun["Question"] == "What is a noun?" and "A naming word." in noun["Answer"]
        assert "cardpress::mine" in noun.tags and "cardpress::evil" not in noun.tags
        assert {anki.deck_of(card) for card in noun.cards()} == {"Mine::Words"}
    finally:
        anki.close()
    assert sync(run_cli, mine, collection).count("took back") == 0


def test_content_cannot_write_cardpress_tags(tmp_path, run_cli):
    content = write_files(
        tmp_path / "content",
        {
            "mine.md": MINE.replace("title: Mine\n", "title: Mine\ntags: [grammar]\n").replace(
                "### What is a verb?\n", "### What is a verb?\n<!-- tags: CardPress::Other -->\n"
            ),
            "other.md": "---\ntitle: Other\nid: other\ntags: [cardpress::removed]\n---\n"
            "## S\n\n### Q?\n\nA.\n",
        },
    )
    result = run_cli("--content", content, "--out", tmp_path / "dist")
    assert result.status == 1 and "Traceback" not in result.err
    assert "mine.md:13:6: error: tag 'CardPress::Other' is in the cardpress:: namespace" in (
        result.err
    )
    assert "other.md:4:1: error: tag 'cardpress::removed' is in the cardpress:: namespace" in (
        result.err
    )
    assert not (tmp_path / "dist").exists()


def adopted_notes(collection: Path) -> list[tuple[object, ...]]:
    """GUID, modification time, tags and fields of the notes "Own ..." of the test below."""
    rows = snapshot(collection)["notes"]
    return sorted((row[1], row[3], row[5], row[6]) for row in rows if "Own " in row[6])


def test_delete_counts_exactly_the_notes_about_to_go(tmp_path, run_cli):
    collection, mine = start(tmp_path, run_cli)
    # Notes of the user's own in cardpress's note type, without any deck's tag (as after
    # Change Note Type in Anki), named by a deck that then drops them.
    anki = AnkiUser(collection.parent)
    try:
        basic = anki.col.models.by_name("cardpress basic")
        deck = anki.col.decks.id("My own::Adopted")
        assert basic is not None and deck is not None
        guids = {}
        for n in range(30):
            note = anki.col.new_note(basic)
            note["Question"], note["Answer"], note["Id"] = f"Own {n}?", f"Own {n}.", f"own-{n}"
            note.tags = ["mine"]
            anki.col.add_note(note, deck)
            guids[f"Own {n}"] = note.guid
    finally:
        anki.close()
    hostile = write_files(tmp_path / "evil", {"evil.md": evil(guids)})
    sync(run_cli, hostile, collection)
    write_files(hostile, {"evil.md": evil({}, honest=True)})
    own = user_notes(collection)
    adopted = adopted_notes(collection)
    dry = sync(run_cli, hostile, collection, "--dry-run", "--delete")
    assert "would delete" not in dry and "the sync would stop" not in dry
    sync(run_cli, hostile, collection, "--delete", "--max-delete", "1")
    assert user_notes(collection) == own
    assert adopted_notes(collection) == adopted

    # The deck's own removed cards: the dry run lists exactly the notes a real run deletes.
    write_files(mine, {"mine.md": MINE.split("### What is a verb?")[0]})
    dry = sync(run_cli, mine, collection, "--dry-run", "--delete")
    gone = "what-is-a-pronoun, what-is-a-verb, what-is-an-adverb"
    assert f"would delete 3 note(s) of removed cards: {gone}" in dry
    assert "the sync would stop: mine: --delete would delete 3 notes, more than" in dry
    held = snapshot(collection)
    backups = sorted(collection.parent.glob("*.colpkg"))
    refused = run_cli("sync", "--content", mine, "--collection", collection, "--delete")
    assert refused.status == 1 and "--delete would delete 3 notes, more than --max-delete 1" in (
        refused.err
    )
    assert snapshot(collection) == held and sorted(collection.parent.glob("*.colpkg")) == backups
    output = sync(run_cli, mine, collection, "--delete", "--max-delete", "3")
    assert f"deleted 3 note(s) of removed cards: {gone}" in output
    anki = AnkiUser(collection.parent)
    try:
        assert [n["Id"] for n in anki.notes("tag:cardpress::mine")] == ["what-is-a-noun"]
    finally:
        anki.close()
    assert user_notes(collection) == own


def test_a_deck_id_already_taken_stops_the_first_sync(tmp_path, run_cli):
    collection, mine = start(tmp_path, run_cli)
    clone = write_files(
        tmp_path / "clone",
        {"other.md": "---\ntitle: Other\nid: mine\n---\n## S\n\n### Something else?\n\nYes.\n"},
    )
    held = snapshot(collection)
    backups = sorted(collection.parent.glob("*.colpkg"))
    for extra in ((), ("--dry-run",)):
        result = run_cli("sync", "--content", clone, "--collection", collection, *extra)
        assert result.status == 1 and "Traceback" not in result.err
        assert (
            "mine: the collection already holds 4 note(s) tagged cardpress::mine that this "
            "content does not account for" in result.err
        )
        assert "nothing was changed" in result.err
    assert snapshot(collection) == held and sorted(collection.parent.glob("*.colpkg")) == backups
    assert not (clone / "other.lock").exists()
    # The deck itself, with its lock file, syncs as before.
    assert "every card is in its subdeck" in sync(run_cli, mine, collection)
