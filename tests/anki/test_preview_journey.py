"""Two rounds of edits with the real Anki engine: before each import, ``cardpress preview
--json`` says what the import will do, and Anki's import log and the collection agree;
every review survives; the searches the build prints find the removed and moved notes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cardpress.anki.notes import REMOVED_TAG
from tests.support.anki_support import AnkiUser, after_this_second
from tests.support.files_support import png, write_files
from tests.support.journey_deck import BASICS_V2, FILES_V1, INDEX, MORE_V2, TOOLS_V2, anki_states


def preview(run_cli: Any, content: Path) -> dict[str, Any]:
    result = run_cli("preview", "--content", content, "--json")
    assert result.status == 0, result.err
    [deck] = json.loads(result.out)["decks"]
    assert deck["deck"] == "journey"
    return dict(deck)


def build(run_cli: Any, content: Path, out: Path) -> str:
    result = run_cli("--content", content, "--out", out, "--only", "anki")
    assert result.status == 0, result.err
    return str(result.out)


def assert_preview_matches(expected: dict[str, Any], log: dict[str, list[str]]) -> None:
    assert log["conflicting"] == [] and log["missing_notetype"] == []
    assert expected["new"] == log["new"]
    assert expected["updated"] == log["updated"]
    assert expected["unchanged"] == log["duplicate"]


def printed_moves(output: str) -> dict[str, str]:
    """Target subdeck -> the search the build printed for the cards to move there."""
    found = re.findall(
        r"in Anki's browser search (.*) and use Cards > Change Deck to move them to '(.*)'$",
        output,
        re.MULTILINE,
    )
    return {target: search for search, target in found}


def printed_removed_search(output: str) -> str:
    [search] = re.findall(r"find every note to delete with: (.*)$", output, re.MULTILINE)
    return str(search)


def change_deck(anki: AnkiUser, search: str, target: str) -> list[str]:
    """What the user does: select the cards the search finds, Change Deck to ``target``."""
    cards = anki.col.find_cards(search)
    deck_id = anki.col.decks.id(target)
    assert deck_id is not None
    anki.col.set_deck(list(cards), deck_id)
    return sorted({anki.col.get_card(cid).note()["Id"] for cid in cards})


@pytest.mark.slow
def test_preview_predicts_every_import_and_nothing_is_lost(tmp_path, run_cli):
    content = tmp_path / "content"
    deck = content / "journey"
    write_files(deck, FILES_V1)
    out = tmp_path / "dist"
    anki = AnkiUser(tmp_path / "anki")
    try:
        _journey(anki, run_cli, content, deck, out)
    finally:
        anki.close()


def _journey(anki: AnkiUser, run_cli: Any, content: Path, deck: Path, out: Path) -> None:
    # v1: everything is new, the introductions' images arrive too.
    first = preview(run_cli, content)
    build(run_cli, content, out)
    log = anki.import_package(out / "journey.apkg")
    assert_preview_matches(first, log)
    assert len(log["new"]) == 14
    intro_images = {name for name in anki.media_names() if name.startswith("_")}
    assert len(intro_images) == 2 and all(
        n.endswith(("map.png", "legend.png")) for n in intro_images
    )
    top = anki.col.decks.by_name("Journey")
    basics = anki.col.decks.by_name("Journey::Basics")
    assert top is not None and basics is not None
    assert any(f'src="{n}"' in top["desc"] for n in intro_images)
    assert any(f'src="{n}"' in basics["desc"] for n in intro_images)

    anki.study_all()
    reviews = anki.review_count()
    studied = anki_states(anki)
    socket_note = anki.note("what-is-a-socket")
    removed_before = {
        card_id: (note.fields[:], note.tags[:], [c.id for c in note.cards()])
        for card_id in ("a-card-that-will-be-removed", "is-get-safe", "what-is-a-socket")
        for note in [anki.note(card_id)]
    }

    # Round one: reword, typo, move to another section and file, reorder, split (one half
    # keeps the note with 'was:'), merge, delete, add, rename a section and a file, kind
    # changes both ways, an id rename with 'was:', an explicit id without it (a hint),
    # tag changes, an image change and a new cloze deletion.
    (deck / "30-tools.md").unlink()
    write_files(
        deck,
        {
            "10-basics.md": BASICS_V2,
            "20-more.md": MORE_V2,
            "35-tools.md": TOOLS_V2,
            "img/square.png": png(4, 4, (20, 160, 20)),
        },
    )
    second = preview(run_cli, content)
    assert second["new"] == sorted(
        [
            "idempotent",
            "what-does-tcp-guarantee",
            "what-is-dhcp-for",
            "socket",
            "what-does-udp-stand-for",
        ]
    )
    assert sorted(second["removed"]) == [
        "a-card-that-will-be-removed",
        "is-get-safe",
        "what-is-a-socket",
    ]
    assert second["renamed"] == {
        "dns": "what-are-dns-and-dhcp-for",
        "ls-long": "how-do-you-list-files-with",
    }
    assert second["rename_hints"] == {"socket": "what-is-a-socket"}
    assert sorted(second["kind_changed"]) == ["idempotent", "what-does-tcp-guarantee"]
    assert "Text" in second["fields_changed"]["handshake"]
    assert second["fields_changed"]["what-is-the-capital-of-france"] == ["Answer"]
    output = build(run_cli, content, out)
    assert "<!-- id: socket; was: what-is-a-socket -->" in output
    assert "changed from reversed to basic: Anki adds it as a new note" in output
    log = anki.import_package(out / "journey.apkg")
    assert_preview_matches(second, log)

    # Every review and every card's schedule survived.
    assert anki.review_count() == reviews
    after = anki_states(anki)
    assert {cid: after[cid] for cid in studied} == studied
    # The renamed notes kept their identity: the same note, now with the new Id.
    assert anki.note("dns").cards()[0].id in studied
    assert anki.note("ls-long").cards()[0].id in studied
    # The removed notes: only the tag cardpress::removed is new, the rest is as it was.
    for card_id, (fields, tags, cards) in removed_before.items():
        note = anki.note(card_id)
        assert note.fields == fields
        assert sorted(note.tags) == sorted([*tags, REMOVED_TAG])
        assert [c.id for c in note.cards()] == cards
    removed_search = printed_removed_search(output)
    assert sorted(n["Id"] for n in anki.notes(removed_search)) == sorted(second["removed"])
    assert socket_note.id in {n.id for n in anki.notes(removed_search)}

    # Moved cards are still in their old subdecks; the printed searches find exactly them.
    moves = printed_moves(output)
    assert set(moves) == {m["to"] for m in second["moves"]} == {"Journey::More networking"}
    moved_ids = change_deck(anki, moves["Journey::More networking"], "Journey::More networking")
    assert moved_ids == sorted(second["moved"])
    assert "which-port-does-https-use" in moved_ids and "handshake" in moved_ids
    for card_id in second["moved"]:
        assert {anki.deck_of(c) for c in anki.note(card_id).cards()} == {"Journey::More networking"}

    # Round two: the deck title and the deck's tags change, a kind change goes back, and
    # a 'was:' that did its work is removed. The user tagged a note in Anki meanwhile.
    anki.study_all()
    reviews = anki.review_count()
    studied = anki_states(anki)
    capital = anki.note("what-is-the-capital-of-france")
    capital.add_tag("marked")
    anki.col.update_note(capital)
    after_this_second()
    write_files(
        deck,
        {
            "index.md": INDEX.replace("title: Journey", "title: Trip").replace(
                "tags: [journey]", "tags: [journey, networking]"
            ),
            "10-basics.md": BASICS_V2.replace(
                "### What does TCP guarantee?\n<!-- kind: reversed -->\n",
                "### What does TCP guarantee?\n",
            ),
            "35-tools.md": TOOLS_V2.replace("; was: how-do-you-list-files-with", ""),
        },
    )
    third = preview(run_cli, content)
    assert third["new"] == []
    assert third["kind_changed"] == ["what-does-tcp-guarantee"]
    assert "what-does-tcp-guarantee" in third["updated"]
    tombstones = ["a-card-that-will-be-removed", "is-get-safe", "what-is-a-socket"]
    assert third["removed"] == [] and third["tombstones"] == tombstones
    assert set(tombstones) <= set(third["unchanged"])  # tagged once, then left alone
    output = build(run_cli, content, out)
    assert "changed from reversed back to basic: Anki finds the basic note" in output
    assert "tags you added in Anki" in output
    log = anki.import_package(out / "journey.apkg")
    assert_preview_matches(third, log)
    assert anki.review_count() == reviews
    after = anki_states(anki)
    assert {cid: after[cid] for cid in studied} == studied
    # The basic note of v1 came back with its history.
    [tcp] = anki.notes('"Id:what-does-tcp-guarantee" "note:cardpress basic"')
    [tcp_card] = tcp.cards()
    assert tcp_card.id in studied and tcp_card.reps >= 1
    # The caveat: Anki replaced the updated note's tags, the user's own tag is gone.
    assert "marked" not in anki.note("what-is-the-capital-of-france").tags
    assert "networking" in anki.note("what-is-the-capital-of-france").tags

    # The deck's new title: every card's subdeck changed; the printed searches move them.
    moves = printed_moves(output)
    assert {m["to"] for m in third["moves"]} == set(moves)
    for target, search in moves.items():
        expected = next(m["cards"] for m in third["moves"] if m["to"] == target)
        assert change_deck(anki, search, target) == expected
    for note in anki.notes(f"-tag:{REMOVED_TAG}"):
        assert {anki.deck_of(c).split("::")[0] for c in note.cards()} == {"Trip"}, note["Id"]
    # Nothing was removed in this round; the tag still finds every note to delete.
    assert sorted(n["Id"] for n in anki.notes(removed_search)) == tombstones

    # Deleting the removed notes: the tombstones would bring them back at the next import,
    # so the user runs forget-removed, and then they stay gone.
    anki.col.remove_notes(anki.col.find_notes(removed_search))
    log = anki.import_package(out / "journey.apkg")
    assert log["new"] == tombstones  # documented in docs/anki.md
    anki.col.remove_notes(anki.col.find_notes(removed_search))
    assert run_cli("forget-removed", "--content", content).status == 0
    fourth = preview(run_cli, content)
    assert fourth["tombstones"] == [] and fourth["updated"] == fourth["new"] == []
    build(run_cli, content, out)
    log = anki.import_package(out / "journey.apkg")
    assert_preview_matches(fourth, log)
    assert anki.notes(removed_search) == []
    assert anki.review_count() == reviews
