"""A vault's deck in the real Anki engine: every kind imported and rendered, and the
reviews kept through edits, moves to another note or folder, renames and reordering,
with no id written into any note."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import pytest

from tests.parse.test_obsidian import VAULT
from tests.support.anki_support import AnkiUser, after_this_second
from tests.support.html_support import CHROMIUM_ARGS, find_chromium

pytestmark = pytest.mark.slow


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    copy = tmp_path / "Study Vault"
    shutil.copytree(VAULT, copy)
    return copy


@pytest.fixture
def anki(tmp_path: Path):
    user = AnkiUser(tmp_path / "anki")
    yield user
    user.close()


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_kind_imports_and_renders(vault: Path, build_deck, anki: AnkiUser) -> None:
    out = build_deck(vault, vault.parent / "dist", "anki")
    log = anki.import_package(out / "study-vault.apkg")
    assert len(log["new"]) == 16 and not log["conflicting"]
    assert len(anki.cards()) == 21  # 12 basic, 2 reversed twice, 3 + 2 deletions
    assert {
        "Study Vault::science::biology::Cells",
        "Study Vault::science::chemistry::Chemistry",
        "Study Vault::programming::Python",
        "Study Vault::programming::advanced::Python · advanced",
    } <= anki.deck_names()

    [lysosome] = anki.note("lysosome").cards()
    shown = anki.render(lysosome)
    assert text(shown.question) == "Lysosome"
    assert "The cell's recycling centre" in text(shown.answer)
    assert 'href="obsidian://open?vault=Study%20Vault&amp;file=Biology%2FCells"' in shown.answer

    forward, backward = sorted(
        anki.note("organelle-that-holds-the-genome").cards(), key=lambda c: c.ord
    )
    assert text(anki.render(forward).question) == "Organelle that holds the genome"
    assert text(anki.render(backward).question) == "Nucleus"
    assert "Organelle that holds the genome" in text(anki.render(backward).answer)

    deletions = sorted(anki.note("cells-organelles").cards(), key=lambda c: c.ord)
    assert len(deletions) == 3
    second = anki.render(deletions[1])
    assert "[...]" in text(second.question) and "messenger RNA" not in text(second.question)
    assert "messenger RNA" in text(second.answer)

    [diagram] = anki.note("what-does-the-diagram-show").cards()
    answer = anki.render(diagram).answer
    image = re.search(r'<img src="([^"]+)"[^>]*width="300"', answer)
    assert image is not None and image.group(1) in anki.media_names()

    [water] = anki.note("formula-of-water").cards()
    assert r"\(\mathrm&#123;H_2O&#125;\)" in anki.render(water).answer  # for MathJax


def test_reviews_survive_edits_moves_renames_and_reordering(
    vault: Path, build_deck, anki: AnkiUser
) -> None:
    out = build_deck(vault, vault.parent / "dist", "anki")
    anki.import_package(out / "study-vault.apkg")
    ids = {note["Id"] for note in anki.notes()}
    assert anki.study_all() == 21
    reviews, studied = anki.review_count(), anki.scheduling()

    cells = vault / "Biology/Cells.md"
    body = cells.read_text(encoding="utf-8")
    body = body.replace("The cell's recycling centre", "The cell's recycling centre, of enzymes")
    wall = "- Where is the cell wall found::In plants, fungi and bacteria #exam/final\n"
    lysosome = "- Lysosome\n  ?\n  The cell's recycling centre, of enzymes\n"
    body = body.replace(wall + lysosome, lysosome + wall)  # reordered, and one edited
    cells.write_text(body, encoding="utf-8")
    chemistry = vault / "Chemistry.md"
    chemistry.write_text(
        chemistry.read_text(encoding="utf-8").replace("Symbol of sodium::Na\n", ""),
        encoding="utf-8",
    )
    (vault / "Elements").mkdir()
    (vault / "Elements/Metals.md").write_text(  # moved to another note, in another folder
        "#flashcards/science/chemistry\n\nSymbol of sodium::Na\n", encoding="utf-8"
    )
    (vault / "Programming/Python.md").rename(vault / "Programming/Python basics.md")

    after_this_second()  # as a person edits: Anki takes only a newer copy of a note
    build_deck(vault, out, "anki")
    log = anki.import_package(out / "study-vault.apkg")
    assert log["new"] == [] and not log["conflicting"], log
    # the edited card, the moved one and the renamed note's cards (their Source); the
    # reordered card is unchanged
    assert log["updated"] == [
        "how-do-you-print-in-python",
        "lysosome",
        "operator-for-floor-division",
        "symbol-of-sodium",
        "what-does-a-b-mean-in",
    ]
    assert {note["Id"] for note in anki.notes()} == ids
    assert "of enzymes" in anki.note("lysosome")["Answer"]
    assert "Metals" in anki.note("symbol-of-sodium")["Source"]
    assert "Python basics" in anki.note("operator-for-floor-division")["Source"]
    assert anki.review_count() == reviews
    assert anki.scheduling() == studied


def test_the_cheat_sheet_and_the_page_show_every_card_and_link_back(
    vault: Path, build_deck
) -> None:
    out = build_deck(vault, vault.parent / "dist", "pdf,html")
    pdf = pypdf.PdfReader(out / "study-vault.pdf")
    text = " ".join(page.extract_text() for page in pdf.pages)
    for question in ("Lysosome", "What is a tautology?", "Formula of water", "1. Modus ponens"):
        assert question in text
    assert "messenger RNA" in text  # a cloze card, its deletions revealed
    links = [
        str(annotation.get_object()["/A"]["/URI"])
        for page in pdf.pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object() and "/URI" in annotation.get_object()["/A"]
    ]
    assert links.count("obsidian://open?vault=Study%20Vault&file=Biology%2FCells") == 8
    assert len([link for link in links if link.startswith("obsidian://open?")]) == 16

    executable = find_chromium()
    if executable is None:
        pytest.skip("no Chromium found (install Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto((out / "study-vault.html").as_uri())
        assert page.locator("article.card").count() == 16
        assert page.locator("article.card a.source-link").count() == 16
        cloze = page.locator("article.card-cloze").first
        assert "ribosome" in cloze.inner_text()
        image = page.locator("article.card img[width='300']")
        assert image.count() == 1 and image.evaluate("i => i.naturalWidth") == 40
        browser.close()
