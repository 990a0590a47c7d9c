"""The PDF cheat sheet, rendered from hand-made decks and read back with pypdf/pdfplumber."""

from __future__ import annotations

import logging
import random
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from cardpress.errors import BuildError
from cardpress.model import CalloutKind, Card, CardKind, Deck, MediaFile
from cardpress.renderers.pdf import sheet as pdf
from cardpress.renderers.pdf.html import FetchPolicy, SheetPart, sheet_html
from tests.support.paths import ROOT
from tests.support.pdf_support import (
    MARGIN_BOTTOM,
    MARGIN_SIDE,
    MARGIN_TOP,
    PAGE_POINTS,
    TEMPLATES,
    bookmarks,
    char_sizes,
    column_texts,
    document_info,
    fonts,
    make_card,
    make_context,
    make_deck,
    make_section,
    page_chars,
    positions_in_order,
    reading_text,
    split_cards,
    squash,
)

WORDS = ["pipeline", "stage", "artifact", "role", "policy", "bucket", "stack", "rollback"]
WORDS += ["deploy", "canary", "task", "cluster", "secret", "token", "boundary", "region"]

LONG_CODE = (
    '<div class="highlight"><pre><span></span><code>'
    "aws cloudformation continue-update-rollback --stack-name a-very-long-stack-name-that-"
    "goes-on --resources-to-skip LogicalResourceIdThatIsBlockingTheRollbackOfTheStack\n"
    '<span class="nb">echo</span> <span class="s2">"done"</span>\n'
    "</code></pre></div>"
)
WIDE_TABLE = (
    "<table><thead><tr><th>flag</th><th>meaning</th><th>example</th></tr></thead><tbody>"
    "<tr><td><code>--resources-to-skip</code></td><td>skip resources that block the "
    "rollback</td><td><code>arn:aws:iam::123456789012:role/service-role/"
    "AmazonECSTaskExecutionRolePolicyWithAVeryLongName</code></td></tr>"
    "<tr><td><code>-l</code></td><td>listening</td><td>ss -l</td></tr>"
    "</tbody></table>"
)
LONG_WORD = "https://docs.aws.amazon.com/" + "very-long-path-segment/" * 8 + "index.html"


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def varied_cards(prefix: str, count: int, seed: int) -> list[Card]:
    """Cards of every kind whose lengths vary from one line to a third of a column."""
    rng = random.Random(seed)
    cards = []
    for i in range(count):
        n = f"{prefix}{i:02d}"
        lines = rng.choice([1, 2, 3, 5, 8, 12, 18])
        answer = f"<p>{sentence(rng, 6)}</p>"
        details = "".join(f"<p>{sentence(rng, 12)}</p>" for _ in range(lines))
        details += f"<p>end{n}</p>"
        kind = (CardKind.BASIC, CardKind.BASIC, CardKind.REVERSED, CardKind.CLOZE)[i % 4]
        question = f"Q{n} what does the {rng.choice(WORDS)} do?"
        if kind is CardKind.CLOZE:
            cards.append(
                make_card(
                    n,
                    question,
                    kind=kind,
                    cloze=f"<p>The {{{{c1::{rng.choice(WORDS)}}}}} holds the "
                    f"{{{{c2::{rng.choice(WORDS)}::hint}}}}.</p>",
                    details=details,
                )
            )
            continue
        callouts = ((CalloutKind.TIP, f"<p>{sentence(rng, 10)}</p>"),) if i % 5 == 1 else ()
        if i % 7 == 3:
            details = LONG_CODE + details
        if i % 9 == 4:
            details = WIDE_TABLE + f"<p>{LONG_WORD}</p>" + details
        cards.append(
            make_card(
                n,
                question,
                answer,
                kind=kind,
                details=details if not callouts else "",
                callouts=callouts + (((CalloutKind.WARNING, details),) if callouts else ()),
            )
        )
    return cards


def feature_deck(paper: str = "a4") -> Deck:
    sections = [
        make_section("alpha", "Alpha topics", varied_cards("a", 24, 1), "<p>About alpha.</p>"),
        make_section("beta", "Beta topics", varied_cards("b", 18, 2)),
        make_section("gamma", "Gamma topics", varied_cards("c", 20, 3), "<p>About gamma.</p>"),
    ]
    return make_deck(sections, paper=paper, intro="<p>Read this before the exam.</p>")


@dataclass(frozen=True)
class Rendered:
    deck: Deck
    path: Path
    html: str
    warnings: list[str]


def render(deck: Deck, folder: Path, *, paper: str | None = None, name: str = "x") -> Path:
    out = folder / f"{name}.pdf"
    pdf.render(deck, make_context(folder, paper=paper, deck=deck), out)
    return out


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The feature deck rendered once, with whatever WeasyPrint warned about."""
    folder = tmp_path_factory.mktemp("sheet")
    deck = feature_deck()
    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            warnings.append(record.getMessage())

    handler = Collect(level=logging.WARNING)
    logging.getLogger("weasyprint").addHandler(handler)
    try:
        path = render(deck, folder)
    finally:
        logging.getLogger("weasyprint").removeHandler(handler)
    return Rendered(deck, path, sheet_html(deck, make_context(folder)), warnings)


def test_every_question_appears_in_order(sheet: Rendered) -> None:
    questions = [squash(card.question.text) for card in sheet.deck.cards()]
    found = positions_in_order(reading_text(sheet.path), questions)
    missing = [q for q, at in zip(questions, found, strict=True) if at < 0]
    assert not missing
    assert len(pypdf.PdfReader(sheet.path).pages) >= 4  # long enough to test the layout


def test_cards_shorter_than_a_column_stay_in_one_column_of_one_page(sheet: Rendered) -> None:
    assert split_cards(sheet.path, sheet.html) == []


def test_a_card_longer_than_a_column_is_split_rather_than_cut(tmp_path: Path) -> None:
    long_details = "".join(f"<p>line{i:03d} {' '.join(WORDS[:8])}</p>" for i in range(150))
    deck = make_deck(
        [make_section("s", "Only", [make_card("long", "Qlong", "<p>a</p>", details=long_details)])]
    )
    text = reading_text(render(deck, tmp_path))
    assert positions_in_order(text, [f"line{i:03d}" for i in range(150)]).count(-1) == 0


def test_bookmarks_for_every_section_and_card_on_their_pages(sheet: Rendered) -> None:
    tree = bookmarks(sheet.path)
    assert [b.title for b in tree] == [s.title.text for s in sheet.deck.sections]
    columns = column_texts(sheet.path)
    for mark, section in zip(tree, sheet.deck.sections, strict=True):
        assert [c.title for c in mark.children] == [c.question.text for c in section.cards]
        for child in mark.children:
            here = [col.text for col in columns if col.page == child.page]
            assert any(squash(child.title) in text for text in here), child.title


def test_contents_give_the_page_each_section_starts_on(sheet: Rendered) -> None:
    with pdfplumber.open(sheet.path) as document:
        first_page = document.pages[0].extract_text()
    for number, mark in enumerate(bookmarks(sheet.path), start=1):
        entry = rf"{number}\. {re.escape(mark.title)}[ .]*\b{mark.page + 1}\b"
        assert re.search(entry, first_page), (entry, first_page)


def test_every_font_is_embedded(sheet: Rendered) -> None:
    used = list(fonts(sheet.path))
    assert used
    for name, descriptor in used:
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), name
        assert "DejaVu" in name, name


def test_no_text_is_smaller_than_8_points(sheet: Rendered) -> None:
    sizes = char_sizes(sheet.path)
    assert min(sizes) >= 7.99
    assert max(sizes) < 20


def test_nothing_runs_out_of_its_column(sheet: Rendered) -> None:
    """Long code lines, long words and wide tables wrap inside their column."""
    left, right = MARGIN_SIDE - 0.5, PAGE_POINTS["a4"][0] - MARGIN_SIDE + 0.5
    for page in page_chars(sheet.path):
        middle = page.width / 2
        for char in page.chars:
            assert left <= char["x0"] and char["x1"] <= right, char["text"]
            in_sheet = MARGIN_TOP < char["top"] < page.height - MARGIN_BOTTOM
            if page.number > 1 and in_sheet:
                assert not char["x0"] < middle < char["x1"], (page.number, char)
    assert "LogicalResourceIdThatIsBlockingTheRollbackOfTheStack" in reading_text(sheet.path)


def test_weasyprint_has_nothing_to_warn_about(sheet: Rendered) -> None:
    assert sheet.warnings == []


def test_metadata_comes_from_the_deck_and_the_build_time(sheet: Rendered) -> None:
    info = document_info(sheet.path)
    assert info["/Title"] == "Test Deck"
    assert info["/Subject"] == sheet.deck.description
    keywords = info["/Keywords"].split(", ")
    assert {"deck-tag", "tag-a00", "tag-c19"} <= set(keywords)
    assert info["/CreationDate"] == info["/ModDate"] == "D:20231114221320Z"
    assert info["/Creator"] == "cardpress 0.0-test"


def test_title_block_and_running_header(sheet: Rendered) -> None:
    with pdfplumber.open(sheet.path) as document:
        first = document.pages[0].extract_text()
        second = document.pages[1]
        header = second.crop((0, 0, second.width, MARGIN_TOP)).extract_text()
        footer = second.crop((0, second.height - MARGIN_BOTTOM, second.width, second.height))
        footer_text = footer.extract_text()
    assert "Test Deck" in first
    assert "62 cards · 3 sections · built 2023-11-14" in first
    assert "Read this before the exam." in first
    assert header.startswith("Test Deck")
    assert "page 2" in footer_text


def test_cloze_deletions_are_revealed_and_bold(sheet: Rendered) -> None:
    cloze = next(c for c in sheet.deck.cards() if c.kind is CardKind.CLOZE)
    answer = re.findall(r"c1::(\w+)", cloze.cloze.html)[0]
    text = reading_text(sheet.path)
    assert "{{c" not in text and "::hint" not in text
    assert squash(f"The {answer} holds the") in text
    with pdfplumber.open(sheet.path) as document:
        words = document.pages[0].extract_words(extra_attrs=["fontname"])
    bold = {w["text"] for w in words if "Bold" in w["fontname"]}
    assert answer in bold


def test_reversed_cards_read_as_term_and_definition(sheet: Rendered) -> None:
    card = next(c for c in sheet.deck.cards() if c.kind is CardKind.REVERSED)
    assert squash(f"{card.question.text} — {card.answer.text}") in reading_text(sheet.path)


def test_callouts_are_labelled(sheet: Rendered) -> None:
    card = next(c for c in sheet.deck.cards() if c.callouts)
    text = reading_text(sheet.path)
    assert squash("TIP " + card.callouts[0].body.text) in text
    assert "WARNING" in text


@pytest.mark.parametrize(
    ("deck_paper", "option", "expected"),
    [
        pytest.param("a4", None, "a4", marks=pytest.mark.slow),  # the default
        ("letter", None, "letter"),
        ("a4", "letter", "letter"),
        pytest.param("letter", "a4", "a4", marks=pytest.mark.slow),  # the other way round
    ],
)
def test_page_size_follows_the_option_then_the_deck(
    tmp_path: Path, deck_paper: str, option: str | None, expected: str
) -> None:
    deck = make_deck([make_section("s", "S", varied_cards("p", 3, 5))], paper=deck_paper)
    reader = pypdf.PdfReader(render(deck, tmp_path, paper=option))
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width, height) == pytest.approx(PAGE_POINTS[expected], abs=0.5)


def test_an_unknown_paper_size_is_a_build_error(tmp_path: Path) -> None:
    deck = make_deck([make_section("s", "S", varied_cards("p", 1, 5))])
    with pytest.raises(BuildError, match="unknown paper size 'a3'"):
        render(deck, tmp_path, paper="a3")


@pytest.mark.slow  # test_rebuild builds every output twice, this sheet among them
def test_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    deck = feature_deck("letter")
    first = render(deck, tmp_path, name="first").read_bytes()
    assert render(deck, tmp_path, name="second").read_bytes() == first


# ---- What the renderer may read ---------------------------------------------------

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
    "0000000a49444154789c6360000000020001e221bc330000000049454e44ae426082"
)


def image_deck(src: str, media: tuple[MediaFile, ...] = ()) -> Deck:
    card = make_card("pic", "Which picture?", f'<p><img src="{src}" alt="x"></p>', line=42)
    return make_deck([make_section("s", "Pictures", [card])], media=media)


def test_a_media_image_is_embedded(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "dot.png").write_bytes(PNG_1x1)
    media = (MediaFile("dot-1234.png", "images/dot.png", "0" * 64),)
    path = render(image_deck("dot-1234.png", media), tmp_path)
    assert len(pypdf.PdfReader(path).pages[0].images) == 1


@pytest.mark.parametrize(
    "src",
    [
        "not-in-the-deck.png",
        "file:///etc/hostname",
        "https://example.com/x.png",
        "data:text/html;base64,PHNjcmlwdD4=",
    ],
)
def test_a_reference_to_anything_else_is_refused_with_its_card(tmp_path: Path, src: str) -> None:
    with pytest.raises(BuildError) as error:
        render(image_deck(src), tmp_path)
    assert "deck.md:42" in str(error.value)
    assert "may not read" in str(error.value)


def test_a_file_an_svg_image_refers_to_is_refused_with_the_card_and_image(
    tmp_path: Path,
) -> None:
    (tmp_path / "pic.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
        '<rect width="40" height="40" fill="#888"/>'
        '<image href="file:///etc/hostname" width="10" height="10"/></svg>'
    )
    media = (MediaFile("pic-1.svg", "pic.svg", "0" * 64),)
    with pytest.raises(BuildError) as error:
        render(image_deck("pic-1.svg", media), tmp_path)
    message = str(error.value)
    assert message.startswith("deck.md:42: the PDF may not read file:///etc/hostname")
    assert "(inside pic-1.svg)" in message


def custom_templates(tmp_path: Path, extra_css: str) -> Path:
    """A copy of the project's PDF templates with some CSS added."""
    templates = tmp_path / "templates"
    (templates / "pdf").mkdir(parents=True)
    for source in (TEMPLATES / "pdf").iterdir():
        (templates / "pdf" / source.name).write_text(source.read_text())
    css = templates / "pdf" / "cheatsheet.css.j2"
    css.write_text(css.read_text() + extra_css)
    return templates


def test_templates_may_use_their_own_files(tmp_path: Path) -> None:
    templates = custom_templates(
        tmp_path, '.title-block::after { content: url("{{ template_url("pdf/dot.png") }}"); }'
    )
    (templates / "pdf" / "dot.png").write_bytes(PNG_1x1)
    deck = make_deck([make_section("s", "S", varied_cards("p", 1, 5))])
    out = tmp_path / "x.pdf"
    pdf.render(deck, make_context(tmp_path, templates=templates), out)
    assert len(pypdf.PdfReader(out).pages[0].images) == 1


@pytest.mark.parametrize("target", ["outside.png", "/etc/hostname"])
def test_templates_may_not_reach_outside_their_folder(tmp_path: Path, target: str) -> None:
    """Even through a symbolic link inside the templates folder."""
    (tmp_path / "outside.png").write_bytes(PNG_1x1)
    link = tmp_path / "templates" / "pdf" / "link.png"
    templates = custom_templates(
        tmp_path, f'.title-block {{ background: url("{link.as_uri()}"); }}'
    )
    link.symlink_to(tmp_path / target)
    deck = make_deck([make_section("s", "S", varied_cards("p", 1, 5))])
    with pytest.raises(BuildError, match=r"the PDF templates: the PDF may not read .*outside"):
        pdf.render(deck, make_context(tmp_path, templates=templates), tmp_path / "x.pdf")


# ---- Parts: sections laid out as separate documents --------------------------------


def test_a_part_starts_at_its_page_and_the_contents_use_given_pages(tmp_path: Path) -> None:
    sections = [("alpha", "Alpha topics"), ("beta", "Beta topics"), ("gamma", "Gamma topics")]
    deck = make_deck(
        [
            make_section(key, title, varied_cards(key[0], 3, n))
            for n, (key, title) in enumerate(sections)
        ]
    )
    context = make_context(tmp_path)
    policy = FetchPolicy.for_deck(deck, context)
    later = SheetPart(sections=deck.sections[1:], title_block=False, first_page=7)
    body = tmp_path / "later.pdf"
    body.write_bytes(pdf.render_part(sheet_html(deck, context, later), policy))
    front = SheetPart(sections=deck.sections[:1], toc_pages={"alpha": 1, "beta": 7, "gamma": 9})
    head = tmp_path / "front.pdf"
    head.write_bytes(pdf.render_part(sheet_html(deck, context, front), policy))
    with pdfplumber.open(body) as document:
        assert "page 7" in document.pages[0].extract_text()
        assert "Test Deck" not in document.pages[0].extract_text().splitlines()[1:]
    with pdfplumber.open(head) as document:
        contents = document.pages[0].extract_text()
    assert re.search(r"2\. Beta topics[ .]*7", contents)
    assert re.search(r"3\. Gamma topics[ .]*9", contents)
    assert [b.title for b in bookmarks(body)] == ["Beta topics", "Gamma topics"]


def test_building_the_sheet_html_does_not_import_weasyprint() -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "import cardpress.cli, cardpress.build.pipeline, cardpress.renderers.pdf.html as h\n"
        "from tests.support.pdf_support import make_deck, make_section, make_context\n"
        "h.sheet_html(make_deck([make_section('s', 'S', [])]), make_context(Path('.')))\n"
        "assert 'weasyprint' not in sys.modules, 'weasyprint was imported'\n"
    )
    root = ROOT
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_text_is_escaped_and_an_empty_deck_still_renders(tmp_path: Path) -> None:
    deck = make_deck([], title='Q&A <Basics> "quoted"')
    path = render(deck, tmp_path)
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == 1
    assert reader.metadata is not None
    assert document_info(path)["/Title"] == 'Q&A <Basics> "quoted"'
    assert 'Q&A <Basics> "quoted"' in reader.pages[0].extract_text()
    assert "0 cards · 0 sections" in reader.pages[0].extract_text()
