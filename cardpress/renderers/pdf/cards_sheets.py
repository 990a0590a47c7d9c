"""Placing laid-out card sides on sheets of paper, with cut marks: the cards PDF itself.

Each side (a card-sized page) becomes a form XObject, drawn on its sheet at its slot with
one ``cm`` and one ``Do``; nothing is parsed or laid out again. Cut and fold marks are
hairlines drawn straight into the sheet's content.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardpress.renderers.pdf import compact as pdf_compact
from cardpress.renderers.pdf.cards_layout import Box, Line, SheetLayout
from cardpress.renderers.pdf.object_streams import preload
from cardpress.renderers.pdf.part_cache import copy_pages
from cardpress.renderers.pdf.shared_fonts import share_fonts
from cardpress.renderers.pdf.structure import Place, Structure

if TYPE_CHECKING:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import IndirectObject

POINTS_PER_MM = 72 / 25.4
MARK_WIDTH = 0.25  # pt: fine enough to cut along, heavy enough to print


def impose(
    sides: list[bytes],
    cards: int,
    layout: SheetLayout,
    out: Path,
    built: datetime,
    calibration: bytes | None = None,
    drops: list[float] | None = None,
    sections: list[str] | None = None,
) -> None:
    """Write ``cards`` printed cards to ``out``; ``sides`` are PDFs whose pages are, in
    order, the front and back of each card. ``calibration`` pages go first; ``drops``
    moves each side down its card by so many points (to centre a front); ``sections``
    names each card's section, for a bookmark at the sheet of its first card."""
    import pypdf
    from pypdf.generic import NameObject

    writer = pypdf.PdfWriter()
    structure = Structure(writer)
    parts = [pypdf.PdfReader(io.BytesIO(data)) for data in sides]
    leading = [pypdf.PdfReader(io.BytesIO(calibration))] if calibration is not None else []
    for reader in parts:
        preload(reader)
    share_fonts(writer, leading + parts)
    if leading:
        copy_pages(writer, leading[0], structure)
    forms: list[IndirectObject] = []
    readers: list[tuple[PdfReader, list[int]]] = []  # each part, and its sides' forms
    metadata: dict[str, Any] = {}
    for reader in parts:
        if not metadata and reader.metadata is not None:
            metadata = {str(k): v for k, v in reader.metadata.items()}
        readers.append((reader, list(range(len(forms), len(forms) + len(reader.pages)))))
        forms.extend(_form(writer, page) for page in reader.pages)
    drop = drops or [0.0] * len(forms)
    fronts, backs = [], []
    per = layout.per_sheet
    for first in range(0, cards, per):
        count = min(per, cards - first)
        slots = [
            (layout.fronts[i], forms[2 * (first + i)], drop[2 * (first + i)]) for i in range(count)
        ]
        behind = [
            (layout.backs[i], forms[2 * (first + i) + 1], drop[2 * (first + i) + 1])
            for i in range(count)
        ]
        if layout.backs_on_front_page:
            fronts.append((slots + behind, layout.front_marks))
        else:
            fronts.append((slots, layout.front_marks))
            backs.append((behind, layout.back_marks))
    if layout.backs_after_fronts:
        pages = fronts + backs
    elif layout.backs_on_front_page:
        pages = fronts
    else:
        pages = [page for pair in zip(fronts, backs, strict=True) for page in pair]
    if not pages:  # a deck without cards: one empty sheet rather than no PDF at all
        pages = [([], layout.front_marks)]
    sheet_of: dict[int, IndirectObject] = {}  # form object number -> the sheet it is on
    page_of: dict[int, int] = {}  # form object number -> the sheet's page number
    for placed, marks in pages:
        sheet = _sheet(writer, layout, placed, marks)
        sheet_of.update({form.idnum: sheet for _, form, _ in placed})
        page_of.update({form.idnum: len(writer.pages) - 1 for _, form, _ in placed})
    previous = None
    for card, title in enumerate(sections or []):
        if title != previous and forms[2 * card].idnum in page_of:
            writer.add_outline_item(title=title, page_number=page_of[forms[2 * card].idnum])
        previous = title
    # The structure in card order: each card's front, then its back.
    for reader, numbers in readers:
        places = {
            page.indirect_reference.idnum: Place(sheet_of[forms[n].idnum], forms[n])
            for page, n in zip(reader.pages, numbers, strict=True)
            if page.indirect_reference is not None and forms[n].idnum in sheet_of
        }
        structure.add(reader, places)
    structure.finish()
    stamp = built.strftime("D:%Y%m%d%H%M%SZ")
    writer.add_metadata({**metadata, "/CreationDate": stamp, "/ModDate": stamp})
    writer.root_object[NameObject("/PageLayout")] = NameObject("/SinglePage")
    writer.pdf_header = b"%PDF-1.7"
    writer.page_mode = "/UseOutlines"
    with open(out, "wb") as file:
        pdf_compact.write(writer, file)


def _form(writer: PdfWriter, page: Any) -> IndirectObject:
    """The page as a form XObject of the writer, clipped to the page (the card)."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject

    contents = page.raw_get("/Contents").get_object()
    if isinstance(contents, ArrayObject):
        form: Any = DecodedStreamObject()
        form.set_data(b"\n".join(part.get_object().get_data() for part in contents))
    else:
        form = contents.clone(writer)
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): page.mediabox,
            NameObject("/Resources"): page["/Resources"].clone(writer),
        }
    )
    reference: IndirectObject = form.indirect_reference or writer._add_object(form)
    return reference


def _sheet(
    writer: PdfWriter,
    layout: SheetLayout,
    placed: list[tuple[Box, IndirectObject, float]],
    marks: tuple[Line, ...],
) -> IndirectObject:
    """Add one sheet of paper with ``placed`` sides and ``marks``; its reference."""
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    width, height = layout.width * POINTS_PER_MM, layout.height * POINTS_PER_MM
    page = writer.add_blank_page(width, height)
    names = DictionaryObject()
    draw = []
    for number, (box, form, drop) in enumerate(placed, 1):
        names[NameObject(f"/Side{number}")] = form
        x = box.x * POINTS_PER_MM
        y = height - (box.y + box.height) * POINTS_PER_MM - drop
        draw.append(f"q 1 0 0 1 {x:.3f} {y:.3f} cm /Side{number} Do Q")
    if marks:  # not content: artifacts, outside the structure tree
        draw.append(f"/Artifact BMC q {MARK_WIDTH} w 0 G 0 J")
        for mark in marks:
            dash = "[2 1.5] 0 d" if mark.fold else "[] 0 d"
            x1, x2 = mark.x1 * POINTS_PER_MM, mark.x2 * POINTS_PER_MM
            y1, y2 = height - mark.y1 * POINTS_PER_MM, height - mark.y2 * POINTS_PER_MM
            draw.append(f"{dash} {x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S")
        draw.append("Q EMC")
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): names})
    content = DecodedStreamObject()
    content.set_data("\n".join(draw).encode("ascii"))
    page[NameObject("/Contents")] = writer._add_object(content)
    reference = page.indirect_reference
    assert reference is not None
    return reference
