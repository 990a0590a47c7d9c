"""Helpers shared by the PDF tests (this module holds no tests).

Decks are made by hand here so the layout tests control card lengths exactly; PDFs are
read back with pypdf (structure: pages, outline, fonts, metadata) and pdfplumber
(where each character landed, and how big it is).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pdfplumber
import pypdf

from cardpress.model import (
    EMPTY,
    Callout,
    CalloutKind,
    Card,
    CardKind,
    Deck,
    Fragment,
    MediaFile,
    Section,
    SourceLocation,
)
from cardpress.renderers import RenderContext

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
BUILD_TIME = 1_700_000_000  # 2023-11-14T22:13:20Z
MM = 72 / 25.4
# Page size in points for each paper option.
PAGE_POINTS = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
# The stylesheet's page margins, to look at the sheet without header and footer.
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_SIDE = 12 * MM, 11 * MM, 10 * MM


def fragment(markup: str) -> Fragment:
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return Fragment(html=markup, text=" ".join(text.split()))


def make_card(
    card_id: str,
    question: str,
    answer: str = "",
    *,
    kind: CardKind = CardKind.BASIC,
    details: str = "",
    callouts: tuple[tuple[CalloutKind, str], ...] = (),
    cloze: str = "",
    line: int = 1,
) -> Card:
    return Card(
        id=card_id,
        explicit_id=True,
        kind=kind,
        question=fragment(html.escape(question)),
        answer=fragment(answer) if answer else EMPTY,
        details=fragment(details) if details else EMPTY,
        callouts=tuple(Callout(k, fragment(body)) for k, body in callouts),
        tags=("deck-tag", f"tag-{card_id}"),
        location=SourceLocation("deck.md", line),
        cloze=fragment(cloze) if cloze else EMPTY,
    )


def make_section(key: str, title: str, cards: list[Card], intro: str = "") -> Section:
    return Section(
        key=key,
        title=fragment(html.escape(title)),
        intro=fragment(intro) if intro else EMPTY,
        tags=(key,),
        cards=tuple(cards),
        location=SourceLocation("deck.md", 1),
    )


def make_deck(
    sections: list[Section],
    *,
    paper: str = "a4",
    media: tuple[MediaFile, ...] = (),
    intro: str = "",
    title: str = "Test Deck",
) -> Deck:
    return Deck(
        key="test-deck",
        title=title,
        description="A deck made by hand for the PDF tests.",
        tags=("deck-tag",),
        paper=paper,
        intro=fragment(intro) if intro else EMPTY,
        sections=tuple(sections),
        media=media,
        sources=("deck.md",),
        location=SourceLocation("deck.md", 1),
    )


def make_context(
    content_dir: Path,
    *,
    paper: str | None = None,
    templates: Path = TEMPLATES,
    deck: Deck | None = None,
) -> RenderContext:
    """A context with ``deck``'s images as read from ``content_dir``."""
    media = {m.name: (content_dir / m.path).read_bytes() for m in deck.media} if deck else {}
    return RenderContext(
        media=media,
        templates_dir=templates,
        build_time=BUILD_TIME,
        version="0.0-test",
        paper=paper,
    )


def squash(text: str) -> str:
    """Text without whitespace, soft hyphens, word joiners (no glyph: they only keep a code
    line from breaking unmarked) or the continuation mark of a code line broken after
    punctuation: line breaks and wrapping differ between HTML and PDF."""
    return re.sub(r"\s+|\u21a9|\u00ad|\u2060", "", text)


# ---- Reading the PDF back ---------------------------------------------------------


@dataclass(frozen=True)
class Column:
    page: int  # 0-based
    index: int  # 0 left, 1 right
    text: str  # squashed


@dataclass(frozen=True)
class PageChars:
    number: int  # 1-based, as pdfplumber counts
    width: float
    height: float
    chars: list[dict[str, Any]]  # pdfplumber's: text, x0, x1, top, bottom, size


def column_texts(pdf_path: Path) -> list[Column]:
    """The sheet's text column by column, in reading order, without header and footer."""
    return _read_back(pdf_path, pdf_path.stat().st_mtime_ns)[0]


def page_chars(pdf_path: Path) -> list[PageChars]:
    """Every character of every page, read once for all the tests that ask."""
    return _read_back(pdf_path, pdf_path.stat().st_mtime_ns)[1]


@functools.lru_cache(maxsize=8)
def _read_back(pdf_path: Path, mtime: int) -> tuple[list[Column], list[PageChars]]:
    columns, pages = [], []
    with pdfplumber.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages):
            middle = page.width / 2
            top, bottom = MARGIN_TOP, page.height - MARGIN_BOTTOM
            for index, (x0, x1) in enumerate(((0, middle), (middle, page.width))):
                text = page.crop((x0, top, x1, bottom)).extract_text() or ""
                columns.append(Column(number, index, squash(text)))
            chars = [{key: char[key] for key in CHAR_KEYS} for char in page.chars]
            pages.append(PageChars(page.page_number, page.width, page.height, chars))
    return columns, pages


CHAR_KEYS = ("text", "x0", "x1", "top", "bottom", "size")


def reading_text(pdf_path: Path) -> str:
    return "".join(column.text for column in column_texts(pdf_path))


def positions_in_order(haystack: str, needles: list[str]) -> list[int]:
    """Where each needle is found after the previous one; -1 for one that is not."""
    found, start = [], 0
    for needle in needles:
        at = haystack.find(needle, start)
        found.append(at)
        if at >= 0:
            start = at + len(needle)
    return found


@dataclass(frozen=True)
class Bookmark:
    title: str
    page: int
    children: tuple[Bookmark, ...]


def bookmarks(pdf_path: Path) -> list[Bookmark]:
    reader = pypdf.PdfReader(pdf_path)

    def tree(items: list[object]) -> list[Bookmark]:
        out: list[Bookmark] = []
        for item in items:
            if isinstance(item, list):
                last = out.pop()
                out.append(Bookmark(last.title, last.page, tuple(tree(item))))
            else:
                assert isinstance(item, pypdf.generic.Destination)
                page = reader.get_destination_page_number(item)
                assert page is not None, f"bookmark {item.title} points to no page"
                out.append(Bookmark(str(item.title), page, ()))
        return out

    return tree(list(reader.outline))


def document_info(pdf_path: Path) -> dict[str, str]:
    """The PDF's document information (title, subject, dates, ...): its text entries."""
    info = pypdf.PdfReader(pdf_path).metadata
    assert info is not None, f"{pdf_path} has no document information"
    return {key: value for key in info if isinstance(value := info[key], str)}


def fonts(pdf_path: Path) -> Iterator[tuple[str, pypdf.generic.DictionaryObject]]:
    """Every font the pages use, with its descriptor (the descendant's, for Type0 fonts)."""
    reader = pypdf.PdfReader(pdf_path)
    for page in reader.pages:
        resources = page.get("/Resources")
        font_dict = resources.get_object().get("/Font") if resources else None
        for font in (font_dict.get_object() if font_dict else {}).values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            yield str(font.get("/BaseFont")), font["/FontDescriptor"].get_object()


def char_sizes(pdf_path: Path) -> list[float]:
    return [char["size"] for page in page_chars(pdf_path) for char in page.chars]


class _CardTexts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[str, list[str]] = {}
        self.stack: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "img", "meta", "hr", "input", "link"}:
            return
        ident = dict(attrs).get("id") if tag == "article" else None
        if ident:
            self.texts[ident] = []
        self.stack.append(ident)

    def handle_endtag(self, tag: str) -> None:
        if tag not in {"br", "img", "meta", "hr", "input", "link"} and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for ident in self.stack:
            if ident:
                self.texts[ident].append(data)


def card_texts(sheet_html: str) -> dict[str, str]:
    """Each card's text (squashed) as the HTML given to WeasyPrint holds it, by anchor."""
    parser = _CardTexts()
    parser.feed(sheet_html)
    return {ident: squash("".join(parts)) for ident, parts in parser.texts.items()}


def split_cards(pdf_path: Path, sheet_html: str, edge: int = 24) -> list[str]:
    """Cards whose start and end are not in the same column of the same page."""
    columns = column_texts(pdf_path)
    split = []
    for anchor, text in card_texts(sheet_html).items():
        head, tail = text[:edge], text[-edge:]
        whole = any(
            head in column.text and tail in column.text[column.text.find(head) :]
            for column in columns
        )
        if not whole:
            split.append(anchor)
    return split
