"""A large cheat sheet laid out in parts, cached and merged (cardpress.renderers.pdf.parts).

The deck here is small, with the part sizes lowered so that it is laid out in three parts
of two sections each; the sheet is read back with pypdf and pdfplumber.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from cardpress.caching import build_folder
from cardpress.model import Deck
from cardpress.parse import load_content
from cardpress.renderers.pdf import parts as pdf_parts
from tests.support.paths import ROOT
from tests.support.pdf_support import (
    bookmarks,
    document_info,
    positions_in_order,
    reading_text,
    squash,
)

sys.path.insert(0, str(ROOT / "bench"))
import run as bench

pytestmark = pytest.mark.slow  # a deck big enough for the parts, laid out many times

DECK = "synthetic"
SECTIONS = 6


@pytest.fixture
def in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lay out every deck in parts of two 10-card sections."""
    monkeypatch.setattr(pdf_parts, "PARTS_FROM_CARDS", 1)
    monkeypatch.setattr(pdf_parts, "PART_CARDS", 20)


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(bench, "CARDS_PER_SECTION", 10)
    return bench.generate(tmp_path / "deck", SECTIONS * 10)


def build(run_cli, content: Path, out: Path) -> str:
    result = run_cli("--content", content, "--out", out, "--only", "pdf")
    assert result.status == 0, result.err
    return str(result.out)


def page_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def first_page_with(texts: list[str], needle: str) -> int:
    """The 0-based page whose text holds ``needle`` (whitespace ignored)."""
    found = [i for i, text in enumerate(texts) if squash(needle) in squash(text)]
    assert found, needle
    return found[0]


def laid_out_parts(output: str) -> list[str]:
    return re.findall(r"laid out part (\d+)/\d+", output)


@pytest.fixture
def built(
    in_parts: None, run_cli, content: Path, tmp_path: Path
) -> Iterator[tuple[Deck, Path, str]]:
    out = tmp_path / "dist"
    output = build(run_cli, content, out)
    [deck] = load_content(content)
    yield deck, out / f"{DECK}.pdf", output


def test_the_deck_is_laid_out_in_parts(built: tuple[Deck, Path, str]) -> None:
    deck, _, output = built
    assert len(deck.sections) == SECTIONS
    assert sorted(laid_out_parts(output)) == ["1", "2", "3"]
    assert "merged 4 parts" in output


def test_every_question_appears_in_order(built: tuple[Deck, Path, str]) -> None:
    deck, path, _ = built
    questions = [squash(card.question.text) for card in deck.cards()]
    found = positions_in_order(reading_text(path), questions)
    assert [q for q, at in zip(questions, found, strict=True) if at < 0] == []


def test_bookmarks_cover_every_section_and_card_on_its_page(
    built: tuple[Deck, Path, str],
) -> None:
    deck, path, _ = built
    texts = page_texts(path)
    tree = bookmarks(path)
    assert [b.title for b in tree] == [s.title.text for s in deck.sections]
    for section, mark in zip(deck.sections, tree, strict=True):
        assert mark.page == first_page_with(texts[1:], section.title.text) + 1
        assert [c.title for c in mark.children] == [c.question.text for c in section.cards]
        for card, child in zip(section.cards, mark.children, strict=True):
            assert squash(card.question.text)[:30] in squash(texts[child.page]), card.id
    first = pypdf.PdfReader(path).outline[0]
    assert isinstance(first, pypdf.generic.Destination)
    count = first["/Count"]
    assert isinstance(count, int)
    assert count < 0  # sections start collapsed


def test_contents_give_the_real_pages_and_link_to_the_sections(
    built: tuple[Deck, Path, str],
) -> None:
    deck, path, _ = built
    texts = page_texts(path)
    listed = dict(re.findall(r"\d+\. (Section \d+)[ .]*?(\d+)\s", texts[0] + "\n"))
    reader = pypdf.PdfReader(path)
    destinations = reader.named_destinations
    annotations = reader.pages[0]["/Annots"]
    assert isinstance(annotations, pypdf.generic.ArrayObject)
    links = [a.get_object() for a in annotations]
    targets = [str(link["/Dest"]) for link in links if "/Dest" in link]
    # A link is one annotation per box it is drawn in: keep each target once.
    assert list(dict.fromkeys(targets)) == [section.anchor for section in deck.sections]
    for section in deck.sections:
        real = first_page_with(texts[1:], section.title.text) + 2  # 1-based, after page 1
        assert int(listed[section.title.text]) == real, section.title.text
        page = reader.get_destination_page_number(destinations[section.anchor])
        assert page is not None
        assert page + 1 == real


def test_every_page_has_its_number_date_and_header(built: tuple[Deck, Path, str]) -> None:
    deck, path, _ = built
    texts = page_texts(path)
    assert len(texts) >= 4
    for number, text in enumerate(texts, 1):
        lines = text.splitlines()
        assert lines[-1].endswith(f"page {number}"), (number, lines[-1])
        assert re.match(r"cardpress · built \d{4}-\d\d-\d\d", lines[-1])
        if number > 1:
            assert lines[0].startswith(deck.title), (number, lines[0])
    with pdfplumber.open(path) as pdf:
        for font in {char["fontname"] for page in pdf.pages for char in page.chars}:
            assert "DejaVu" in font


def test_cold_and_warm_cache_give_the_same_bytes(
    built: tuple[Deck, Path, str], run_cli, content: Path, tmp_path: Path
) -> None:
    _, path, _ = built
    cold = path.read_bytes()
    path.unlink()  # the output is stale, every part is in the cache
    warm_output = build(run_cli, content, path.parent)
    assert laid_out_parts(warm_output) == []
    assert path.read_bytes() == cold
    again = tmp_path / "again"
    build(run_cli, content, again)
    assert (again / f"{DECK}.pdf").read_bytes() == cold


def test_a_one_card_edit_lays_out_one_part(
    built: tuple[Deck, Path, str], run_cli, content: Path, tmp_path: Path
) -> None:
    _, path, _ = built
    cache = build_folder(path.parent) / "pdf" / DECK
    before = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.pdf")}
    edited = content / DECK / "0003.md"  # section 4: the second part's second section
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("number 31?\n\n", "number 31?\n\nEdited. "), encoding="utf-8")
    output = build(run_cli, content, path.parent)
    assert laid_out_parts(output) == ["2"]
    after = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.pdf")}
    # The old part 2 is pruned; the new one is the only part laid out (besides the title
    # and footers, when the page count moved).
    assert len(set(before) - set(after)) in {1, 2, 3}
    assert len(after) == len(before)
    assert all(after[name] == mtime for name, mtime in before.items() if name in after)
    fresh = tmp_path / "fresh"
    shutil.copytree(content, tmp_path / "fresh-content")
    build(run_cli, tmp_path / "fresh-content", fresh)
    assert (fresh / f"{DECK}.pdf").read_bytes() == path.read_bytes()
    assert "Edited" in reading_text(path) or "Edited" in "".join(page_texts(path))


def test_small_decks_stay_one_document(run_cli, content: Path, tmp_path: Path) -> None:
    output = build(run_cli, content, tmp_path / "dist")
    assert laid_out_parts(output) == []
    assert not (build_folder(tmp_path / "dist") / "pdf").exists()


def test_metadata_comes_from_the_deck_and_the_build_time(built: tuple[Deck, Path, str]) -> None:
    deck, path, _ = built
    metadata = document_info(path)
    assert metadata["/Title"] == deck.title
    assert metadata["/Subject"] == deck.description
    assert "bench" in metadata["/Keywords"]
    assert re.fullmatch(r"D:\d{14}Z", metadata["/CreationDate"])
    assert metadata["/ModDate"] == metadata["/CreationDate"]


def test_a_refused_reference_in_a_worker_names_its_card(
    in_parts: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal travels back from the worker process and names the card's line."""
    monkeypatch.setattr(pdf_parts, "PART_CARDS", 1)  # four parts: laid out by the workers
    from cardpress.errors import BuildError
    from cardpress.renderers.pdf import sheet as pdf
    from tests.support.pdf_support import make_card, make_context, make_deck, make_section

    bad = make_card(
        "pic", "Which picture?", '<p><img src="https://example.com/x.png"></p>', line=42
    )
    sections = [
        make_section(f"s{i}", f"S{i}", [make_card(f"c{i}", f"Q{i}", "<p>A</p>")]) for i in range(3)
    ]
    sections.append(make_section("s3", "Pictures", [bad]))
    with pytest.raises(BuildError, match=r"deck\.md:42: the PDF may not read https://example"):
        pdf.render(make_deck(sections), make_context(tmp_path), tmp_path / "x.pdf")
