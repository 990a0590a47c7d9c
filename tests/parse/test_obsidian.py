"""An Obsidian vault as it is: the Spaced Repetition plugin's cards read from tests/vault,
every form and edge case with its expected cards, the vault never written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cardpress.parse import read_content
from tests.conftest import snapshot
from tests.support.files_support import png
from tests.support.paths import DATA

VAULT = DATA / "vault"

# (note, Anki deck below the vault's, kind, question, answer or cloze text, own tags)
EXPECTED = [
    ("Cells", ("science", "biology"), "basic",
     "Which organelle makes most of a cell's energy", "The mitochondrion", ("topic::cells",)),
    ("Cells", ("science", "biology"), "reversed",
     "Organelle that holds the genome", "Nucleus", ("topic::cells",)),
    ("Cells", ("science", "biology"), "basic",
     "What does the diagram show?", "cell diagram.png A plant cell, from Cells › Organelles.",
     ("topic::cells",)),
    ("Cells", ("science", "biology"), "reversed",
     "Chlorophyll", "The green pigment of a leaf, shown in leaf.png", ("topic::cells",)),
    ("Cells", ("science", "biology"), "cloze",
     "Cells › Organelles", "The ribosome reads the messenger RNA and builds a protein.",
     ("topic::cells",)),
    ("Cells", ("science", "biology"), "basic",
     "Where is the cell wall found", "In plants, fungi and bacteria #exam/final",
     ("topic::cells", "exam::final")),
    ("Cells", ("science", "biology"), "basic",
     "Lysosome", "The cell's recycling centre", ("topic::cells",)),
    ("Cells", ("science", "biology"), "basic",
     "What surrounds every cell", "The membrane", ("topic::cells",)),
    ("Chemistry", ("science", "chemistry"), "basic",
     "Symbol of sodium", "Na", ("exam::final", "real::tag")),
    ("Chemistry", ("science", "chemistry"), "cloze",
     "Chemistry", "Equality in math a==b is not a deletion, but water boils at 100 °C.",
     ("exam::final", "real::tag")),
    ("Chemistry", ("science", "chemistry"), "basic",
     "Formula of water", "\\mathrm{H_2O} #molecules", ("exam::final", "real::tag", "molecules")),
    ("Logic", ("logic",), "basic",
     "What is a tautology?", "A formula true under every valuation.", ("philosophy::logic",)),
    ("Logic", ("logic",), "basic",
     "1. Modus ponens", "From p and p → q, infer q.", ("philosophy::logic",)),
    ("Python", ("programming",), "basic",
     "How do you print in Python?", "Call print:", ()),
    ("Python", ("programming",), "basic", "Operator for floor division", "//", ()),
    ("Python · advanced", ("programming", "advanced"), "basic",
     "What does a::b mean in slicing", "Every b-th item from a", ()),
]  # fmt: skip


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A copy of the fixture vault, its lock beside it in the temporary folder."""
    copy = tmp_path / "Study Vault"
    shutil.copytree(VAULT, copy)
    return copy


def cards_of(vault: Path) -> list[tuple[object, ...]]:
    state = read_content(vault, now=0)
    assert len(state.decks) == 1
    deck = state.decks[0]
    found: list[tuple[object, ...]] = []
    for section in deck.sections:
        for card in section.cards:
            body = card.cloze.text if card.kind.has_deletions else card.answer.text
            own = tuple(t for t in card.tags if t not in (deck.key, section.key))
            found.append(
                (
                    section.title.text,
                    section.deck_path,
                    card.kind.value,
                    card.question.text,
                    body.strip(),
                    own,
                )
            )
    return found


def test_every_form_of_the_plugin_gives_its_cards(vault: Path) -> None:
    assert cards_of(vault) == EXPECTED


def test_notes_left_out_as_the_plugin_leaves_them_out(vault: Path) -> None:
    """Templates, the trash, ignored folders and tags, drawings, untagged notes: none."""
    state = read_content(vault, now=0)
    sources = set(state.decks[0].sources)
    assert "Templates/Card.md" not in sources
    assert "Archive/Old.md" not in sources  # the plugin's noteFoldersToIgnore
    assert "Sketch.excalidraw.md" not in sources  # its default ignore pattern
    assert not any(s.startswith(".trash/") for s in sources)
    questions = {c.question.text for c in state.decks[0].cards()}
    assert "Untagged question" not in questions  # no #flashcards tag
    assert "A draft card" not in questions  # flashcardTagsToIgnore
    assert state.warnings == []


def test_the_deck_is_named_after_the_vault_and_keeps_its_settings(vault: Path) -> None:
    deck = read_content(vault, now=0).decks[0]
    assert (deck.key, deck.title, deck.math) == ("study-vault", "Study Vault", True)
    (vault / "cardpress.yml").write_text(
        "title: Biology and more\nid: bio\npaper: letter\nlink_back: false\n", encoding="utf-8"
    )
    deck = read_content(vault, now=0).decks[0]
    assert (deck.key, deck.title, deck.paper) == ("bio", "Biology and more", "letter")
    assert all(card.link == "" for card in deck.cards())


def test_cards_link_back_to_their_note(vault: Path) -> None:
    deck = read_content(vault, now=0).decks[0]
    links = {card.question.text: card.link for card in deck.cards()}
    assert links["Lysosome"] == "obsidian://open?vault=Study%20Vault&file=Biology%2FCells"
    assert links["Symbol of sodium"] == "obsidian://open?vault=Study%20Vault&file=Chemistry"


def test_embeds_resolve_as_obsidian_resolves_them(vault: Path) -> None:
    deck = read_content(vault, now=0).decks[0]
    by_question = {card.question.text: card for card in deck.cards()}
    diagram = by_question["What does the diagram show?"].answer.html
    assert 'width="300"' in diagram  # ![[cell diagram.png|300]], a name with a space
    media = {m.path for m in deck.media}
    # the attachment folder's image, and leaf.png beside the note before the other one
    assert media == {"Attachments/cell diagram.png", "Biology/leaf.png"}


def test_settings_of_the_plugin_are_honoured(vault: Path) -> None:
    data = vault / ".obsidian/plugins/obsidian-spaced-repetition/data.json"
    settings = json.loads(data.read_text(encoding="utf-8"))
    settings["settings"].update(
        singleLineCardSeparator="@@",
        singleLineReversedCardSeparator="@@@",
        multilineCardSeparator="+",
        multilineReversedCardSeparator="++",
        multilineCardEndMarker="---end",
        clozePatterns=["**[123;;]answer[;;hint]**", "{{[123;;]answer[;;hint]}}"],
        flashcardTags=["#cards"],
    )
    data.write_text(json.dumps(settings), encoding="utf-8")
    for note in vault.rglob("*.md"):
        note.unlink()
    (vault / "Own.md").write_text(
        "#cards/own\n\nOld style::not a card now\nNew style@@yes\nBoth ways@@@both\n\n"
        "A question\n+\nAn answer\n\nwith a blank line inside\n---end\n\n"
        "**Bold** and {{curly}} and **1;;numbered;;a hint** deletions; ==marks== are text\n",
        encoding="utf-8",
    )
    found = [(kind, question, body) for _, _, kind, question, body, _ in cards_of(vault)]
    assert found == [
        ("basic", "New style", "yes"),
        ("reversed", "Both ways", "both"),
        ("basic", "A question", "An answer"),
        ("cloze", "Own", "Bold and curly and numbered deletions; marks are text"),
    ]
    deck = read_content(vault, now=0).decks[0]
    multi = next(c for c in deck.cards() if c.question.text == "A question")
    assert multi.details.text.strip() == "with a blank line inside"  # the end marker ends it
    cloze = next(c for c in deck.cards() if c.kind.has_deletions).cloze.html
    assert "{{c1::numbered::a hint}}" in cloze and "<mark>marks</mark>" in cloze


def test_folders_become_decks_when_the_plugin_says_so(vault: Path) -> None:
    data = vault / ".obsidian/plugins/obsidian-spaced-repetition/data.json"
    settings = json.loads(data.read_text(encoding="utf-8"))
    settings["settings"]["convertFoldersToDecks"] = True
    data.write_text(json.dumps(settings), encoding="utf-8")
    decks = {(title, path) for title, path, *_ in cards_of(vault)}
    # notes at the top of the vault hold no cards then; untagged notes in folders do
    assert decks == {("Cells", ("Biology",)), ("Python", ("Programming",))}


def test_a_vault_is_never_written(vault: Path, build_deck, run_cli) -> None:
    before = snapshot(vault)
    build_deck(vault, vault.parent / "dist", "anki,html,json")
    assert snapshot(vault) == before
    assert (vault.parent / "Study Vault.cardpress.lock").is_file()  # beside it, not in it
    assert list((vault.parent / "Study Vault.cardpress.lock.d").glob("*.json.gz"))  # its parts too
    again = run_cli("--content", vault, "--out", vault.parent / "dist", "--only", "anki,html,json")
    assert "nothing to do" in again.out + again.err  # the parts are inputs, read beside it


def test_a_second_build_has_nothing_to_do_until_the_settings_change(vault: Path, run_cli) -> None:
    out = vault.parent / "dist"
    assert run_cli("--content", vault, "--out", out, "--only", "json").status == 0
    again = run_cli("--content", vault, "--out", out, "--only", "json")
    assert "nothing to do" in again.out + again.err
    (vault / ".obsidian/app.json").write_text('{"attachmentFolderPath": "/"}', encoding="utf-8")
    changed = run_cli("--content", vault, "--out", out, "--only", "json")
    assert "nothing to do" not in changed.out + changed.err


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        (
            ".obsidian/plugins/obsidian-spaced-repetition/data.json",
            '{\n  "settings": {\n    "flashcardTags": [,]\n  }\n}\n',
            ".obsidian/plugins/obsidian-spaced-repetition/data.json:3:23: error: invalid JSON",
        ),
        ("cardpress.yml", "title: A\nid: Not Valid\n", "cardpress.yml:2:1: error: deck id"),
        ("cardpress.yml", "title: [unclosed\n", "cardpress.yml:2:1: error: invalid front matter"),
        ("cardpress.yml", "link_back: sometimes\n", "cardpress.yml:1:1: error: 'link_back'"),
        ("cardpress.yml", "lock: ../../../.bashrc\n", "cardpress.yml:1:1: error: 'lock' must"),
        ("cardpress.yml", "lock: ../../elsewhere.lock\n", "cardpress.yml:1:1: error: 'lock'"),
    ],
)
def test_bad_settings_are_reported_where_they_are(
    vault: Path, run_cli, rel: str, text: str, expected: str
) -> None:
    (vault / rel).write_text(text, encoding="utf-8")
    out = vault.parent / "dist"
    result = run_cli("--content", vault, "--out", out)
    assert result.status == 1
    assert expected in result.err, result.err
    assert "Traceback" not in result.err
    assert not out.exists()


def test_a_vault_without_flashcards_says_how_to_mark_them(vault: Path, run_cli) -> None:
    for note in vault.rglob("*.md"):
        note.write_text("Just notes::no tag here\n", encoding="utf-8")
    result = run_cli("--content", vault, "--out", vault.parent / "dist")
    assert result.status == 1
    assert "error: the vault has no flashcards: tag the notes" in result.err


def test_a_missing_embed_is_a_warning_at_its_line(vault: Path) -> None:
    note = vault / "Chemistry.md"
    note.write_text(
        note.read_text(encoding="utf-8") + "\nSalt crystal::![[salt crystal.png]]\n",
        encoding="utf-8",
    )
    state = read_content(vault, now=0)
    [warning] = state.warnings
    assert str(warning.location) == "Chemistry.md:26:18"
    assert "embed 'salt crystal.png' matches no image in the vault" in warning.message
    salt = next(c for c in state.decks[0].cards() if c.question.text == "Salt crystal")
    assert salt.answer.text.strip() == "salt crystal.png"


def test_a_deck_may_name_the_obsidian_dialect(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text(
        "---\ntitle: Notes\nid: notes\ndialect: obsidian\n---\n\n"
        "Capital of France::Paris\nThe ==Seine== flows through it.\n",
        encoding="utf-8",
    )
    kinds = [
        (c.kind.value, c.question.text) for c in read_content(tmp_path, now=0).decks[0].cards()
    ]
    assert kinds == [("basic", "Capital of France"), ("cloze", "notes")]


def test_settings_from_before_cloze_patterns_and_web_images(vault: Path) -> None:
    """Found in a public vault: its data.json has no 'clozePatterns' (the older booleans
    stand), a ';;' separator, and answers with images on the web, which become links."""
    data = vault / ".obsidian/plugins/obsidian-spaced-repetition/data.json"
    data.write_text(
        json.dumps(
            {
                "settings": {
                    "singleLineCardSeparator": ";;",
                    "convertHighlightsToClozes": False,
                    "convertCurlyBracketsToClozes": True,
                }
            }
        ),
        encoding="utf-8",
    )
    for note in vault.rglob("*.md"):
        note.unlink()
    (vault / "Gates.md").write_text(
        "#flashcards\n\nWhat does an AND gate look like?;;![gate](https://example.com/and.png)\n"
        "The {{output}} is ==high== when both inputs are high.\n",
        encoding="utf-8",
    )
    state = read_content(vault, now=0)
    gate, cloze = state.decks[0].cards()
    assert gate.answer.html == '<p><a href="https://example.com/and.png">gate</a></p>\n'
    assert cloze.cloze.html == (
        "<p>The {{c1::output}} is <mark>high</mark> when both inputs are high.</p>\n"
    )
    [warning] = state.warnings
    assert str(warning.location) == "Gates.md:3:43"
    assert "is on the web and is shown as a link" in warning.message


def test_drawings_show_their_exported_image_and_other_embeds_their_name(vault: Path) -> None:
    """Found in a public vault: answers embedding Excalidraw drawings."""
    (vault / "Excalidraw").mkdir()
    for name in ("Drawing A", "Drawing B"):
        (vault / f"Excalidraw/{name}.excalidraw.md").write_text("drawing data\n", encoding="utf-8")
    (vault / "Excalidraw/Drawing A.excalidraw.png").write_bytes(png(8, 8, (0, 0, 0)))
    (vault / "Sketches.md").write_text(
        "#flashcards\n\nFirst sketch::![[Drawing A.excalidraw]]\n"
        "Second sketch::![[Drawing B.excalidraw]]\nA note::![[Membranes]]\n",
        encoding="utf-8",
    )
    state = read_content(vault, now=0)
    cards = {c.question.text: c for c in state.decks[0].cards()}
    assert '<img src="' in cards["First sketch"].answer.html
    assert cards["Second sketch"].answer.text.strip() == "Drawing B.excalidraw"
    assert cards["A note"].answer.text.strip() == "Membranes"
    assert [str(w.location) for w in state.warnings] == ["Sketches.md:4:19", "Sketches.md:5:12"]
    drawing, note = (w.message for w in state.warnings)
    assert "'Drawing B.excalidraw' is a drawing without an exported image" in drawing
    assert "'Membranes' is a note, shown by its name" in note


def test_only_what_cards_hold_is_checked(vault: Path) -> None:
    """Found in public vaults: an unclosed fence in a note without cards stopped the build,
    and code outside cards drew warnings about languages no card uses."""
    (vault / "Scratch.md").write_text("```python\nnever closed\n", encoding="utf-8")
    chemistry = vault / "Chemistry.md"
    chemistry.write_text(
        chemistry.read_text(encoding="utf-8") + "\n```nolanguage\nnot in a card\n```\n"
        "\nIn a card\n?\n```nolanguage2\ncode\n```\n",
        encoding="utf-8",
    )
    state = read_content(vault, now=0)
    [warning] = state.warnings
    assert str(warning.location) == "Chemistry.md:32:4"
    assert "unknown code language 'nolanguage2'" in warning.message


def test_the_lock_may_be_kept_where_cardpress_yml_says(vault: Path, build_deck) -> None:
    (vault.parent / "locks").mkdir()
    (vault / "cardpress.yml").write_text("lock: '../locks/study.lock'\n", encoding="utf-8")
    before = snapshot(vault)
    build_deck(vault, vault.parent / "dist", "json")
    assert snapshot(vault) == before
    assert (vault.parent / "locks/study.lock").is_file()
    assert not (vault.parent / "Study Vault.cardpress.lock").exists()


def test_obsidian_callouts_in_an_answer(vault: Path) -> None:
    deck = read_content(vault, now=0).decks[0]
    ponens = next(c for c in deck.cards() if c.question.text == "1. Modus ponens")
    [callout] = ponens.callouts
    assert callout.kind.value == "note"  # '[!example]-': folded, with a title
    assert callout.body.html.startswith("<p><strong>An example</strong><br />")
    assert "the street is wet" in callout.body.text


def test_a_folder_of_decks_opened_in_obsidian_stays_a_folder_of_decks(
    tmp_path: Path, run_cli
) -> None:
    content = tmp_path / "content"
    (content / ".obsidian").mkdir(parents=True)
    (content / "cats.md").write_text(
        "---\ntitle: Cats\nid: cats\n---\n\n## Sleep\n\n### How long do cats sleep?\n\n15 hours.\n",
        encoding="utf-8",
    )
    refused = run_cli("--content", content, "--out", tmp_path / "dist", "--only", "json")
    assert refused.status == 1
    assert "'vault: false' in cardpress.yml" in refused.err
    (content / "cardpress.yml").write_text("vault: false\n", encoding="utf-8")
    assert [c.question.text for c in read_content(content, now=0).decks[0].cards()] == [
        "How long do cats sleep?"
    ]


def test_a_settings_file_linked_from_outside_the_vault_is_not_read(
    vault: Path, run_cli, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"attachmentFolderPath": "secret-place"}', encoding="utf-8")
    app = vault / ".obsidian/app.json"
    app.unlink(missing_ok=True)
    app.symlink_to(elsewhere)
    result = run_cli("--content", vault, "--out", vault.parent / "dist", "--only", "json")
    assert result.status == 1
    assert ".obsidian/app.json" in result.err and "outside" in result.err, result.err
    assert "Traceback" not in result.err
