"""One embedded font per face in PDFs merged from parts (renderers.pdf.shared_fonts).

The stress deck (wide tables, long code, formulas) is laid out in parts of a few cards
and merged twice, once with the parts' fonts merged and once with each part's own
fonts, and the two are read back and compared: every glyph drawn must have the same
outline, width and text in both, so the pages look and read the same.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from pypdf.generic import (
    ByteStringObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    TextStringObject,
)

from cardpress.parse import load_content
from cardpress.renderers.pdf import parts as pdf_parts
from cardpress.renderers.pdf import shared_fonts
from cardpress.renderers.pdf import sheet as pdf_renderer
from cardpress.renderers.pdf.font_programs import Program, merge_programs
from tests.support.paths import DATA
from tests.support.pdf_support import make_context
from tests.support.pdf_ua import check

DECK = DATA / "print_deck"


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The stress deck's sheet in parts: "shared" as built, "own" with every part's fonts."""
    folder = tmp_path_factory.mktemp("sheets")
    deck = load_content(DECK)[0]
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_parts, "PARTS_FROM_CARDS", 1)
        patch.setattr(pdf_parts, "PART_CARDS", 3)
        assert len(pdf_parts.group_sections(deck.sections)) > 2
        for name in ("shared", "own"):
            if name == "own":
                patch.setattr(pdf_parts, "share_fonts", lambda writer, readers: None)
            found[name] = folder / f"{name}.pdf"
            pdf_renderer.render(deck, make_context(DECK, deck=deck), found[name])
    return found


def font_resources(reader: pypdf.PdfReader) -> Iterator[tuple[int, Any, Any]]:
    """(page number, the resources holding fonts, the content stream drawing with them)
    for every page and every form drawn on it."""
    for number, page in enumerate(reader.pages):
        pending: list[tuple[Any, Any]] = [(page["/Resources"].get_object(), page)]
        while pending:
            resources, content = pending.pop()
            yield number, resources, content
            for form in resources.get("/XObject", {}).values():
                form = form.get_object()
                if form.get("/Subtype") == "/Form" and "/Resources" in form:
                    pending.append((form["/Resources"].get_object(), form))


def font_files(path: Path) -> dict[str, set[int]]:
    """Each face (base font name) and the objects its font programs are in."""
    files: dict[str, set[int]] = {}
    for _, resources, _ in font_resources(pypdf.PdfReader(path)):
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            program = descendant["/FontDescriptor"].get_object().raw_get("/FontFile2")
            assert isinstance(program, IndirectObject)
            files.setdefault(str(font["/BaseFont"]), set()).add(program.idnum)
    return files


def widths(font: Any) -> dict[int, float]:
    return shared_fonts._widths(font["/DescendantFonts"][0].get_object()["/W"])


def to_unicode(font: Any) -> dict[int, str]:
    data = font["/ToUnicode"].get_object().get_data()
    return {
        int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
        for code, text in re.findall(rb"<([0-9a-f]{4})> <([0-9a-f]*)>", data)
    }


def program(font: Any) -> Program:
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    return Program.read(descriptor["/FontFile2"].get_object().get_data())


def code_bytes(item: ByteStringObject | TextStringObject) -> bytes:
    """The codes of a string shown on a page, as they are in the content stream."""
    if isinstance(item, ByteStringObject):
        return bytes(item)
    return item.original_bytes


def glyphs_drawn(path: Path) -> list[tuple[int, str, int, bytes, tuple[int, int], float, str]]:
    """Every glyph shown on every page: (page, font, glyph number, its outline, its
    metrics in the font program, its width in /W, its text)."""
    reader = pypdf.PdfReader(path)
    found = []
    read: dict[int, tuple[Program, dict[int, float], dict[int, str]]] = {}
    for number, resources, content in font_resources(reader):
        fonts = resources.get("/Font", {})
        drawing = content.get("/Contents", content)
        stream = ContentStream(drawing.get_object(), reader)
        font = None
        for operands, operator in stream.operations:
            if operator == b"Tf":
                font = fonts.raw_get(operands[0])
                if font.idnum not in read:
                    inner = font.get_object()
                    read[font.idnum] = (program(inner), widths(inner), to_unicode(inner))
            elif operator in (b"Tj", b"TJ") and font is not None:
                face, advances, texts = read[font.idnum]
                strings = operands[0] if operator == b"TJ" else operands
                for item in strings:
                    if isinstance(item, ByteStringObject | TextStringObject):
                        data = code_bytes(item)
                        for at in range(0, len(data), 2):
                            glyph = int.from_bytes(data[at : at + 2], "big")
                            found.append(
                                (
                                    number,
                                    str(font.get_object()["/BaseFont"]),
                                    glyph,
                                    face.glyphs[glyph],
                                    face.metrics[glyph],
                                    advances[glyph],
                                    texts.get(glyph, ""),
                                )
                            )
    return found


def test_each_face_is_embedded_once(sheets: dict[str, Path]) -> None:
    shared, own = font_files(sheets["shared"]), font_files(sheets["own"])
    assert shared.keys() == own.keys()
    assert any(len(files) > 2 for files in own.values())  # every part embedded its own
    assert {face: len(files) for face, files in shared.items()} == dict.fromkeys(shared, 1)
    assert sheets["shared"].stat().st_size < sheets["own"].stat().st_size


def test_every_glyph_keeps_its_outline_width_and_text(sheets: dict[str, Path]) -> None:
    shared, own = glyphs_drawn(sheets["shared"]), glyphs_drawn(sheets["own"])
    assert len(shared) > 1000
    assert shared == own
    assert all(outline or metrics[0] for _, _, _, outline, metrics, _, _ in shared)


def test_the_text_reads_the_same_page_by_page(sheets: dict[str, Path]) -> None:
    shared, own = pypdf.PdfReader(sheets["shared"]), pypdf.PdfReader(sheets["own"])
    assert len(shared.pages) == len(own.pages) > 3
    for mine, theirs in zip(shared.pages, own.pages, strict=True):
        assert mine.extract_text() == theirs.extract_text()
    deck = load_content(DECK)[0]
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in shared.pages))
    for section in deck.sections:
        for card in section.cards:
            assert re.sub(r"\s+", "", card.question.text)[:30] in text


def test_the_structure_tree_still_covers_every_page(sheets: dict[str, Path]) -> None:
    report = check(sheets["shared"])
    assert report.problems == []
    assert report.pages_covered == set(range(len(pypdf.PdfReader(sheets["shared"]).pages)))


# The printed cards, laid out in parts and merged too: tests/renderers/pdf/test_pages.py
# checks their fonts on the stress deck's cards as its build writes them.


# ---- The font programs -----------------------------------------------------------------


def subset(text: str, family: str = "DejaVu Sans") -> Program:
    """The font program WeasyPrint embeds for ``text``."""
    import weasyprint

    html = f"<p style=\"font-family: '{family}'\">{text}</p>"
    reader = pypdf.PdfReader(io.BytesIO(weasyprint.HTML(string=html).write_pdf()))
    resources: Any = reader.pages[0]["/Resources"]
    [font] = resources["/Font"].values()
    return program(font.get_object())


def test_subsets_keep_glyph_numbers_and_merge_into_their_union() -> None:
    first, second = subset("abc"), subset("xyz abc")
    merged, joined = merge_programs([first, second], {})
    assert joined == [True, True]
    whole = Program.read(merged)
    drawn = {n for p in (first, second) for n, outline in enumerate(p.glyphs) if outline}
    assert {n for n, outline in enumerate(whole.glyphs) if outline} == drawn
    for part in (first, second):
        for number, outline in enumerate(part.glyphs):
            if outline:
                assert whole.glyphs[number] == outline
                assert whole.metrics[number] == part.metrics[number]


def test_a_subset_of_another_font_under_the_same_numbers_stays_apart() -> None:
    sans, mono = subset("abc"), subset("abc", "DejaVu Sans Mono")
    merged, joined = merge_programs([sans, mono], {})
    assert joined == [True, False]
    assert merged == sans.data


def test_a_merged_font_is_the_same_bytes_each_time() -> None:
    programs = [subset("abc"), subset("xyz")]
    assert merge_programs(programs, {1: "a"})[0] == merge_programs(programs, {1: "a"})[0]


# ---- Reading the parts' object streams ---------------------------------------------------


def written(obj: Any) -> bytes:
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()


def same_objects(mine: Any, theirs: Any) -> bool:
    """The same pypdf types holding the same values (references by number)."""
    if type(mine) is not type(theirs):
        return False
    if isinstance(mine, DictionaryObject):
        return list(mine) == list(theirs) and all(
            same_objects(mine.raw_get(key), theirs.raw_get(key)) for key in mine
        )
    if isinstance(mine, list):
        return len(mine) == len(theirs) and all(map(same_objects, mine, theirs))
    if isinstance(mine, IndirectObject):
        return (mine.idnum, mine.generation) == (theirs.idnum, theirs.generation)
    if isinstance(mine, TextStringObject):
        return bool(mine == theirs and mine.original_bytes == theirs.original_bytes)
    return bool(mine == theirs)


def test_preloaded_objects_are_the_ones_pypdf_reads() -> None:
    """Every object of a tagged WeasyPrint PDF (headings, lists, tables, links, strings),
    read by ``preload`` and by pypdf: the same types, values and written bytes."""
    import weasyprint

    from cardpress.renderers.pdf.object_streams import preload

    html = (
        '<html lang="en"><h1>Title</h1><ul><li>one (1)</li><li>two \\ é</li></ul>'
        '<table><tr><th>a</th><td>b</td></tr></table><p><a href="#x">link</a></p>'
        '<p id="x">end</p></html>'
    )
    data = weasyprint.HTML(string=html).write_pdf(pdf_tags=True)
    fast, slow = pypdf.PdfReader(io.BytesIO(data)), pypdf.PdfReader(io.BytesIO(data))
    preload(fast)
    numbers = list(slow.xref_objStm)
    assert len(numbers) > 20
    for number in numbers:
        mine = fast.resolved_objects[(0, number)]
        theirs = slow.get_object(number)
        assert same_objects(mine, theirs), number
        assert written(mine) == written(theirs)
