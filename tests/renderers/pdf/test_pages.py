"""The printouts read back page by page: on the shipped deck and on tests/data/print_deck (wide
tables of 6 to 10 columns, long shell and Python lines, long URLs, formulas, long answers).

Every character and rule inside the page's margins and inside its column (cheat sheet)
or its card (cards, in test_cards.py's reader); no text under 8 pt; the text in the PDF
in the order the questions are read; a structure tree that passes the machine-checkable
part of PDF/UA (tests/support/pdf_ua.py) and covers every page; the running header naming the
first and last section of its page; the quiz's key on a page of its own.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pdfplumber
import pypdf
import pytest

from cardpress.markup import formulas
from cardpress.markup.formula_draw import SIZE, X_HEIGHT, draw
from cardpress.parse import load_content
from cardpress.renderers.pdf import formulas as pdf_math
from cardpress.renderers.pdf import parts as pdf_parts
from cardpress.renderers.pdf import sheet as pdf_renderer
from tests.renderers.pdf.test_cards import divided, read_pages
from tests.renderers.pdf.test_shared_fonts import font_files
from tests.support.files_support import png, write_files
from tests.support.paths import DATA, ROOT
from tests.support.pdf_support import MM, make_context
from tests.support.pdf_ua import check

DECKS = {"shipped": ROOT / "content", "stress": DATA / "print_deck"}
KEYS = {"shipped": "aws-devops", "stress": "print-stress"}
# The shipped deck (122 cards, many pages) repeats on real notes what the stress deck
# checks quickly: a slow journey; the stress deck's checks stay in make quick.
EACH_DECK = [pytest.param("shipped", marks=pytest.mark.slow), "stress"]
SIDE, GAP = 10 * MM, 6 * MM  # the sheet's side margins and its column gap
SLACK = 0.5  # pt


def _squash(text: str) -> str:
    return re.sub(r"\s+|\u21a9|\u00ad|-", "", text)


class Built:
    """Each deck built as a user runs it (cheat sheet, cards, quiz), once, when a test
    first asks for it: the outputs folder and what the build printed on standard error."""

    def __init__(self, root: pytest.TempPathFactory) -> None:
        self._root = root
        self._done: dict[str, tuple[Path, str]] = {}

    def __getitem__(self, name: str) -> tuple[Path, str]:
        if name not in self._done:
            folder = self._root.mktemp(name)
            content = folder / "content"
            shutil.copytree(DECKS[name], content)
            env = {**os.environ, "XDG_CACHE_HOME": str(folder / "cache")}
            command = [sys.executable, "-m", "cardpress", "--content", str(content)]
            command += ["--out", str(folder / "dist"), "--only", "pdf,cards,quiz"]
            done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
            assert done.returncode == 0, done.stderr
            self._done[name] = (folder / "dist", done.stderr)
        return self._done[name]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return Built(tmp_path_factory)


def _pdf(built: Built, deck: str, suffix: str = "") -> Path:
    return built[deck][0] / f"{KEYS[deck]}{suffix}.pdf"


def _questions(deck: str) -> list[str]:
    loaded = load_content(DECKS[deck])[0]
    return [_squash(card.question.text)[:30] for s in loaded.sections for card in s.cards]


def _contents_bottom(page: pdfplumber.page.Page) -> float:
    """Where the first page's contents end: its last line of leader dots (the title block
    and the contents span the page; the two columns start below them)."""
    lines: dict[int, int] = {}
    for char in page.chars:
        if char["text"] == ".":
            lines[round(char["bottom"])] = lines.get(round(char["bottom"]), 0) + 1
    return float(max((bottom for bottom, dots in lines.items() if dots >= 10), default=0))


SPANNING = {"stress": ["Which matrix holds the transition"]}
"""Questions of cards whose formula is too wide for a column at 8 pt: they span both."""


def _spanning_bands(page: pdfplumber.page.Page, deck: str) -> list[tuple[float, float]]:
    """The heights a card set across both columns takes: from its question down to its
    bottom rule (a line wider than a column)."""
    bands = []
    text = page.extract_words()
    for question in SPANNING.get(deck, []):
        first = question.split()
        for at, word in enumerate(text):
            if [w["text"] for w in text[at : at + len(first)]] == first:
                top = float(word["top"]) - 2
                rules = [
                    float(r["bottom"])
                    for r in page.lines + page.rects
                    if r["top"] > top and r["x1"] - r["x0"] > page.width / 2
                ]
                bands.append((top, min(rules, default=float(page.height)) + 1))
    return bands


@pytest.mark.parametrize("deck", EACH_DECK)
def test_the_sheet_stays_inside_its_margins_and_columns(built, deck: str) -> None:
    """Every character, rule and formula (its glyphs are paths) inside the margins, and
    inside its column but where a card spans both."""
    spanned = 0
    with pdfplumber.open(_pdf(built, deck)) as sheet:
        for number, page in enumerate(sheet.pages, 1):
            width = float(page.width)
            column = (width - 2 * SIDE - GAP) / 2
            middle = width / 2
            above = _contents_bottom(page) if number == 1 else 0.0  # title block, contents
            bands = _spanning_bands(page, deck)
            spanned += len(bands)

            def spanning(item: dict[str, Any]) -> bool:
                return any(top <= item["top"] and item["bottom"] <= bottom for top, bottom in bands)  # noqa: B023

            drawn = [c for c in page.chars if c["text"].strip()] + page.curves
            for char in drawn:
                what = char.get("text", "a formula's glyph")
                where = f"page {number}: {what!r} at {char['x0']:.1f}-{char['x1']:.1f}"
                assert char["x0"] >= SIDE - SLACK and char["x1"] <= width - SIDE + SLACK, where
                if (
                    char["top"] < 12 * MM
                    or char["top"] > page.height - 11 * MM
                    or char["top"] < above
                    or spanning(char)
                ):
                    continue  # header, footer, title block, contents, spanning cards
                if (char["x0"] + char["x1"]) / 2 < middle:
                    assert char["x1"] <= SIDE + column + GAP / 2, where  # not over the right column
                else:
                    assert char["x0"] >= SIDE + column + GAP / 2, where  # nor over the left
            for rule in page.lines + page.rects:
                assert rule["x0"] >= SIDE - SLACK and rule["x1"] <= width - SIDE + SLACK, (
                    f"page {number}: a rule from {rule['x0']:.1f} to {rule['x1']:.1f}"
                )
                if rule["top"] < above or spanning(rule):
                    continue
                inside_left = rule["x1"] <= SIDE + column + SLACK
                inside_right = rule["x0"] >= SIDE + column + GAP - SLACK
                vertical = abs(rule["x1"] - rule["x0"]) < 1  # the column rule
                assert inside_left or inside_right or vertical, (
                    f"page {number}: a rule across the columns, {rule['x0']:.1f}-{rule['x1']:.1f}"
                )
    assert spanned == len(SPANNING.get(deck, []))


def test_a_formula_too_wide_for_a_column_spans_both_at_full_size(built) -> None:
    """The transition matrix would be set below 8 pt in a column: its card spans the
    page, and the formula is drawn at the answer's size (9 pt), which it is measured at."""
    loaded = load_content(DECKS["stress"])[0]
    card = next(c for c in loaded.cards() if c.id == "transitions")
    formula = next(formulas.formulas(card.answer.html))
    drawing = draw(formula)
    natural = drawing.box[2] / (SIZE * X_HEIGHT) * 9 * pdf_math.X_HEIGHT  # pt at 9 pt
    with pdfplumber.open(_pdf(built, "stress")) as sheet:
        page = next(p for p in sheet.pages if _spanning_bands(p, "stress"))
        top, bottom = _spanning_bands(page, "stress")[0]
        glyphs = [c for c in page.curves if top <= c["top"] and c["bottom"] <= bottom]
        drawn = max(c["x1"] for c in glyphs) - min(c["x0"] for c in glyphs)
    assert drawn > (page.width - 2 * SIDE - GAP) / 2  # wider than a column
    assert drawn >= natural * 0.97, (drawn, natural)  # not scaled down (glyphs' side bearings)


def test_a_formula_too_wide_for_the_page_is_reported_at_its_card_and_kept_on_it(
    run_cli, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    vector = ", ".join(f"x_{{{i}}}" for i in range(1, 41))
    deck = (
        "---\ntitle: Wide\nid: wide\nmath: true\n---\n\n## Vectors\n\n"
        f"### Which vector has forty components?\n\n$$v = ({vector})$$\n"
    )
    content = write_files(tmp_path / "content", {"d.md": deck})
    result = run_cli("--content", content, "--out", tmp_path / "dist", "--only", "pdf,cards")
    assert result.status == 0, result.err
    warnings = [line for line in result.err.splitlines() if "warning" in line]
    # only what the deck's author can act on: nothing from WeasyPrint about our own CSS
    assert [r.getMessage() for r in caplog.records if r.name == "weasyprint"] == []
    assert any(
        re.match(r"^d\.md:9:1: warning: a display formula is \d+ mm wide at the smallest", w)
        for w in warnings
    ), warnings
    assert any(
        re.match(r"^d\.md:9:1: warning: a display formula in the answer is too wide", w)
        for w in warnings
    ), warnings
    with pdfplumber.open(tmp_path / "dist" / "wide.pdf") as sheet:
        for page in sheet.pages:
            for glyph in page.curves:
                assert glyph["x0"] >= SIDE - SLACK and glyph["x1"] <= page.width - SIDE + SLACK
    cards = read_pages(tmp_path / "dist" / "wide-cards.pdf")
    with pdfplumber.open(tmp_path / "dist" / "wide-cards.pdf") as printed:
        for laid_out, plumbed in zip(cards, printed.pages, strict=True):
            cells = [divided(cell, 25.4 / 72) for _, cell, _ in laid_out.sides()]
            for glyph in plumbed.curves:  # no part of a formula clipped at a card's edge
                assert any(
                    c[0] - SLACK <= glyph["x0"] and glyph["x1"] <= c[2] + SLACK for c in cells
                ), glyph["x0"]
    text = "".join(c for page in cards for c, _ in page.chars)
    assert re.search(r"continuedoncheatsheetp\.\d", text)  # where the formula is


@pytest.mark.parametrize("deck", EACH_DECK)
@pytest.mark.parametrize("suffix", ["", "-quiz"])
def test_no_text_under_8_pt(built, deck: str, suffix: str) -> None:
    with pdfplumber.open(_pdf(built, deck, suffix)) as printed:
        small = {c["text"] for page in printed.pages for c in page.chars if c["size"] < 7.95}
    assert not small


@pytest.mark.parametrize("deck", EACH_DECK)
def test_the_text_comes_in_question_order(built, deck: str) -> None:
    """In the order the PDF holds its text (what a screen reader, copy and paste and a
    viewer's search follow): the questions in deck order, reversed cards' terms too."""
    reader = pypdf.PdfReader(_pdf(built, deck))
    text = _squash("".join(page.extract_text() for page in reader.pages))
    start, misplaced = 0, []
    for question in _questions(deck):
        at = text.find(question, start)
        if at < 0:
            misplaced.append(question)
            continue
        start = at + len(question)
    assert not misplaced


@pytest.mark.parametrize("deck", EACH_DECK)
@pytest.mark.parametrize("suffix", ["", "-cards", "-quiz"])
def test_tagged_and_passes_the_machine_checks(built, deck: str, suffix: str) -> None:
    path = _pdf(built, deck, suffix)
    report = check(path)
    assert report.problems == []
    reader = pypdf.PdfReader(path)
    assert report.pages_covered >= set(range(len(reader.pages)))
    assert reader.pdf_header == "%PDF-1.7"
    assert str(reader.root_object["/PageMode"]) == "/UseOutlines"
    assert reader.outline  # the bookmarks it opens with
    assert {"H3", "P"} <= set(report.types) or suffix == "-quiz"
    if deck == "stress":
        assert {"Table", "TR", "TH", "TD"} <= set(report.types)
    if suffix == "" or (deck == "shipped" and suffix != "-cards"):
        assert {"L", "LI"} <= set(report.types)


def test_a_sheet_merged_from_parts_keeps_one_structure_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stress deck in parts of a few cards: one tree, every page covered, the text in
    question order, links and bookmarks kept."""
    monkeypatch.setattr(pdf_parts, "PARTS_FROM_CARDS", 1)
    monkeypatch.setattr(pdf_parts, "PART_CARDS", 3)
    deck = load_content(DECKS["stress"])[0]
    out = tmp_path / "sheet.pdf"
    pdf_renderer.render(deck, make_context(DECKS["stress"], deck=deck), out)
    reader = pypdf.PdfReader(out)
    assert len(pdf_parts.group_sections(deck.sections)) > 1
    report = check(out)
    assert report.problems == []
    assert report.pages_covered == set(range(len(reader.pages)))
    text = _squash("".join(page.extract_text() for page in reader.pages))
    positions = [text.find(q) for q in _questions("stress")]
    assert -1 not in positions and positions == sorted(positions)
    assert reader.pdf_header == "%PDF-1.7"


@pytest.mark.parametrize("deck", EACH_DECK)
def test_the_running_header_names_the_first_and_last_section_of_its_page(built, deck: str) -> None:
    loaded = load_content(DECKS[deck])[0]
    titles = [section.title.text for section in loaded.sections]
    with pdfplumber.open(_pdf(built, deck)) as sheet:
        for number, page in enumerate(sheet.pages[1:], 2):
            head = page.crop((0, 0, page.width, 12 * MM)).extract_text() or ""
            body = page.crop((0, 12 * MM, page.width, page.height - 11 * MM))
            big = [c for c in body.chars if c["size"] >= 10.5]  # the section headings
            on_page = [t for t in titles if _squash(t) in _squash("".join(c["text"] for c in big))]
            if on_page and len(on_page) > 1:
                assert on_page[-1] in head and "–" in head, (number, head, on_page)
            if on_page:
                assert on_page[-1] in head, (number, head)


def test_tables_and_lists_in_introductions_are_roman(built) -> None:
    with pdfplumber.open(_pdf(built, "stress")) as sheet:
        words = sheet.pages[0].extract_words(extra_attrs=["fontname"])
    cell = next(w for w in words if w["text"].startswith("Object"))  # a table cell
    item = next(w for w in words if w["text"] == "roman")
    intro = next(w for w in words if w["text"] == "wider")  # the introduction's text
    assert "Oblique" in intro["fontname"]
    assert "Oblique" not in cell["fontname"] and "Oblique" not in item["fontname"]


@pytest.mark.parametrize("deck", EACH_DECK)
def test_the_quiz_key_starts_on_a_new_page(built, deck: str) -> None:
    with pdfplumber.open(_pdf(built, deck, "-quiz")) as quiz:
        texts = [page.extract_text() or "" for page in quiz.pages]
    key = next(n for n, text in enumerate(texts) if re.search(r"^Answers$", text, re.M))
    assert key > 0
    assert texts[key].lstrip().startswith("Answers")  # the first thing on its page
    questions = len(_questions(deck))
    assert f"{questions}." in texts[key - 1] or f"{questions}." in "".join(texts[:key])


@pytest.mark.parametrize("deck", EACH_DECK)
def test_printed_cards_are_set_large_and_use_the_card(built, deck: str) -> None:
    """Every side inside its card (test_cards' reader asserts it, in width too), fronts
    from 9 pt and centred, backs and code never under 8 pt, no card id on any side."""
    path = _pdf(built, deck, "-cards")
    pages = read_pages(path)
    loaded = load_content(DECKS[deck])[0]
    ids = {card.id for section in loaded.sections for card in section.cards}
    front_sizes, centres = [], []
    with pdfplumber.open(path) as cards:
        for number, (page, plumbed) in enumerate(zip(pages, cards.pages, strict=True)):
            cells = [tuple(v / (25.4 / 72) for v in cell) for _, cell, _ in page.sides()]
            for glyph in plumbed.curves:  # a formula's glyphs: none clipped at a card's edge
                assert any(
                    c[0] - SLACK <= glyph["x0"] and glyph["x1"] <= c[2] + SLACK for c in cells
                ), (number, glyph["x0"], glyph["x1"])
            for _, cell, box in page.sides():
                crop = plumbed.crop(divided(cell, 25.4 / 72))
                chars = [c for c in crop.chars if c["text"].strip()]
                body = [c for c in chars if c["size"] > 8.5 or number % 2 == 1]
                assert all(c["size"] >= 7.95 for c in chars), number
                text = "".join(c["text"] for c in chars)
                slugs = [i for i in ids if "-" in i and len(i) > 12]  # not a word of the text
                assert not any(card_id in text for card_id in slugs)
                if number % 2 == 0 and body:  # fronts
                    front_sizes.append(max(c["size"] for c in body))
                    centre = (box[1] + box[3]) / 2
                    centres.append(abs(centre - (cell[1] + cell[3]) / 2) / (cell[3] - cell[1]))
    assert min(front_sizes) >= 9.0
    assert statistics.median(front_sizes) >= 14.0
    assert statistics.median(centres) < 0.1  # fronts stand in the middle of their card


def test_the_cards_pdf_declares_its_language_and_a_modern_header(built) -> None:
    reader = pypdf.PdfReader(_pdf(built, "stress", "-cards"))
    data = _pdf(built, "stress", "-cards").read_bytes()
    assert b"/Type /ObjStm" in data and b"/Type /XRef" in data  # its objects packed
    assert str(reader.root_object["/Lang"]) == "en"
    assert reader.pdf_header == "%PDF-1.7"
    assert reader.metadata is not None and reader.metadata.title


def test_the_printed_cards_embed_each_face_once(built) -> None:
    """The cards are laid out in parts and merged, one font program for each face."""
    files = font_files(_pdf(built, "stress", "-cards"))
    assert files and all(len(found) == 1 for found in files.values()), files


def test_too_long_is_reported_at_its_card(built) -> None:
    _, stderr = built["stress"]
    lines = [line for line in stderr.splitlines() if "warning" in line]
    assert all(re.match(r"^index\.md:\d+:\d+: warning: ", line) for line in lines), lines


def test_an_image_without_alternative_text_still_prints(build_deck, tmp_path: Path) -> None:
    """Tagging asks every figure for a text; an author's image without one is tagged
    without it, not a failed build."""
    deck = "---\ntitle: Img\nid: img\n---\n\n## Pictures\n\n### What is drawn?\n\n![](p.png)\n"
    content = write_files(tmp_path / "content", {"d.md": deck, "p.png": png(4, 4, (0, 0, 0))})
    out = build_deck(content, tmp_path / "dist", "pdf")
    assert check(out / "img.pdf").types["Figure"] == 1
