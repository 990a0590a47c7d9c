"""The PDF built end to end through the CLI, from the format's example and the AWS DevOps deck."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pypdf
import pytest

from cardpress.model import Deck
from cardpress.parse import load_content
from cardpress.renderers.pdf.html import sheet_html
from tests.support.pdf_support import (
    PAGE_POINTS,
    ROOT,
    bookmarks,
    char_sizes,
    fonts,
    make_context,
    positions_in_order,
    reading_text,
    split_cards,
    squash,
)

AWS_DECK = ROOT / "content" / "aws-devops"


def check_sheet(deck: Deck, path: Path, paper: str) -> None:
    """What every built cheat sheet must satisfy."""
    reader = pypdf.PdfReader(path)
    for page in reader.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(PAGE_POINTS[paper], abs=0.5)
    questions = [squash(card.question.text) for card in deck.cards()]
    found = positions_in_order(reading_text(path), questions)
    assert [q for q, at in zip(questions, found, strict=True) if at < 0] == []
    tree = bookmarks(path)
    assert [b.title for b in tree] == [s.title.text for s in deck.sections]
    assert [len(b.children) for b in tree] == [len(s.cards) for s in deck.sections]
    for name, descriptor in fonts(path):
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), name
    assert min(char_sizes(path)) >= 7.99
    html = sheet_html(deck, make_context(Path("."), paper=paper))
    assert split_cards(path, html) == []


def test_example_deck(example_content: Path, tmp_path: Path, build_deck) -> None:
    out = build_deck(example_content, tmp_path / "dist", "pdf")
    assert sorted(p.name for p in out.glob("*.pdf")) == ["networking-basics.pdf"]
    [deck] = load_content(example_content)
    path = out / "networking-basics.pdf"
    check_sheet(deck, path, "letter")  # the deck asks for letter
    text = reading_text(path)
    assert squash("opens with SYN, then SYN-ACK, then ACK.") in text
    assert squash("Port — A 16-bit number") in text
    assert squash("ss -ltnp") in text


def test_paper_option_overrides_the_deck(example_content: Path, tmp_path: Path, build_deck) -> None:
    out = build_deck(example_content, tmp_path / "dist", "pdf", "--paper", "a4")
    page = pypdf.PdfReader(out / "networking-basics.pdf").pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
        PAGE_POINTS["a4"], abs=0.5
    )


@pytest.mark.slow  # test_rebuild builds every output, this sheet among them, twice
def test_two_builds_give_the_same_bytes(example_content: Path, tmp_path: Path, build_deck) -> None:
    first = build_deck(example_content, tmp_path / "one", "pdf") / "networking-basics.pdf"
    second = build_deck(example_content, tmp_path / "two", "pdf") / "networking-basics.pdf"
    assert first.read_bytes() == second.read_bytes()


PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
    "0000000a49444154789c6360000000020001e221bc330000000049454e44ae426082"
)


def test_an_image_in_the_content_is_embedded(tmp_path: Path, build_deck) -> None:
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    (content / "images" / "dot.png").write_bytes(PNG_1x1)
    (content / "pics.md").write_text(
        "---\ntitle: Pictures\nid: pictures\n---\n\n## Shapes\n\n### What is this?\n\n"
        "![a dot](images/dot.png)\n",
        encoding="utf-8",
    )
    out = build_deck(content, tmp_path / "dist", "pdf")
    assert len(pypdf.PdfReader(out / "pictures.pdf").pages[0].images) == 1


@pytest.mark.slow
@pytest.mark.skipif(not AWS_DECK.is_dir(), reason="the AWS DevOps deck is not in content/")
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_aws_devops_deck(
    tmp_path: Path,
    build_deck,
    paper: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    content = tmp_path / "content"
    shutil.copytree(AWS_DECK, content / AWS_DECK.name)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        out = build_deck(content, tmp_path / "dist", "pdf", "--paper", paper)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    [deck] = load_content(content)
    check_sheet(deck, out / "aws-devops.pdf", paper)


def test_an_svg_may_inline_its_own_raster_image(run_cli, tmp_path: Path) -> None:
    """data:image URLs inside an SVG are decoded, not fetched, and drawn."""
    import base64
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    png_rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(png_rows)) + chunk(b"IEND", b"")
    inline = "data:image/png;base64," + base64.b64encode(png).decode()
    content = tmp_path / "content"
    content.mkdir()
    (content / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
        f'<image href="{inline}" width="40" height="40"/></svg>'
    )
    (content / "d.md").write_text(
        "---\ntitle: T\nid: t\n---\n## S\n\n### Which logo?\n\n![logo](logo.svg)\n"
    )
    result = run_cli("--content", content, "--out", tmp_path / "dist", "--only", "pdf")
    assert result.status == 0, result.err
    reader = pypdf.PdfReader(tmp_path / "dist" / "t.pdf")
    assert "Which logo?" in reader.pages[0].extract_text()
