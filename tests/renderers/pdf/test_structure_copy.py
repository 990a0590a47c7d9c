"""A part's structure tree copied into the merged sheet as bytes
(renderers.pdf.structure_copy), against the copy that parses every element.

The stress deck (wide tables with header ids, links, lists, code, formulas) is laid out
in parts of a few cards and merged twice: as built, and with the byte copy refused so
that ``structure.Structure`` parses and copies each element. The two trees are read back
with pypdf and must be the same: each element's type, page, entries and kids in order,
the marked content and links they reach, the parent tree and the keys pages and links
have in it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdf
import pytest
import weasyprint
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from cardpress.parse import load_content
from cardpress.renderers.pdf import parts as pdf_parts
from cardpress.renderers.pdf import sheet as pdf_renderer
from cardpress.renderers.pdf import structure_copy
from cardpress.renderers.pdf.compact import Raw
from cardpress.renderers.pdf.object_streams import raw_objects
from tests.support.paths import DATA
from tests.support.pdf_support import make_context
from tests.support.pdf_ua import check

DECK = DATA / "print_deck"


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], list[str]]:
    """The stress deck's sheet in parts, its trees copied "as bytes" and "parsed"; and
    what each part's byte copy did."""
    folder = tmp_path_factory.mktemp("sheets")
    deck = load_content(DECK)[0]
    found, copies = {}, []
    real = structure_copy.copy_tree

    def counted(*args: Any) -> Any:
        try:
            copied = real(*args)
        except structure_copy.Unexpected as unexpected:
            copies.append(f"unexpected: {unexpected}")
            raise
        copies.append("copied")
        return copied

    def refused(*args: Any) -> Any:
        raise structure_copy.Unexpected("refused by the test")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_parts, "PARTS_FROM_CARDS", 1)
        patch.setattr(pdf_parts, "PART_CARDS", 3)
        assert len(pdf_parts.group_sections(deck.sections)) > 2
        for name, copy in (("bytes", counted), ("parsed", refused)):
            patch.setattr(structure_copy, "copy_tree", copy)
            found[name] = folder / f"{name}.pdf"
            pdf_renderer.render(deck, make_context(DECK, deck=deck), found[name])
    return found, copies


def outline(path: Path) -> dict[str, Any]:
    """The structure tree of the PDF at ``path`` with pages and links by position, not by
    object number."""
    reader = pypdf.PdfReader(path)
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}  # type: ignore[union-attr]
    links = {
        annotation.idnum: (n, at)
        for n, page in enumerate(reader.pages)
        for at, annotation in enumerate(page.get("/Annots", []))
    }
    order: dict[int, int] = {}  # element object -> its place in reading order

    def element(reference: Any, parent: int) -> dict[str, Any]:
        item: Any = reference.get_object()
        order[reference.idnum] = len(order)
        assert item.raw_get("/P").idnum == parent
        described: dict[str, Any] = {
            str(key): repr(value) for key, value in item.items() if key not in ("/P", "/K", "/Pg")
        }
        if "/Pg" in item:
            described["/Pg"] = pages[item.raw_get("/Pg").idnum]
        kids = item.get("/K", [])
        described["/K"] = [
            kid_of(kid, reference.idnum)
            for kid in (kids if isinstance(kids, ArrayObject) else [kids])
        ]
        return described

    def kid_of(kid: Any, parent: int) -> Any:
        if not isinstance(kid, IndirectObject | DictionaryObject):
            return int(kid)  # marked content
        target: Any = kid.get_object()
        if target.get("/Type") == "/OBJR":
            return ("link", pages[target.raw_get("/Pg").idnum], links[target.raw_get("/Obj").idnum])
        if target.get("/Type") == "/MCR":
            return ("content", pages[target.raw_get("/Pg").idnum], int(target["/MCID"]))
        return element(kid, parent)

    root: Any = reader.root_object["/StructTreeRoot"].get_object()
    document = root["/K"][0]
    tree = element(document, root.indirect_reference.idnum)
    nums = root["/ParentTree"].get_object()["/Nums"]
    parent_tree = []
    for key, value in zip(nums[::2], nums[1::2], strict=True):
        value = value.get_object()
        values = value if isinstance(value, ArrayObject) else [value]
        parent_tree.append(
            (
                int(key),
                [order.get(v.idnum) if isinstance(v, IndirectObject) else None for v in values],
            )
        )
    return {
        "tree": tree,
        "parent tree": parent_tree,
        "next key": int(root["/ParentTreeNextKey"]),
        "pages' keys": [page.get("/StructParents") for page in reader.pages],
        "links' keys": [
            [annotation.get_object().get("/StructParent") for annotation in page.get("/Annots", [])]
            for page in reader.pages
        ],
        "elements": len(order),
    }


def test_every_part_is_copied_as_bytes(sheets: tuple[dict[str, Path], list[str]]) -> None:
    _, copies = sheets
    assert len(copies) > 3
    assert set(copies) == {"copied"}, copies


def test_the_tree_copied_as_bytes_is_the_tree_copied_parsed(
    sheets: tuple[dict[str, Path], list[str]],
) -> None:
    found, _ = sheets
    as_bytes, parsed = outline(found["bytes"]), outline(found["parsed"])
    assert as_bytes["elements"] > 500
    kinds = repr(as_bytes["tree"])
    for kind in ("/Table", "/TH", "/Headers", "/ID", "/Link", "('link'", "/H3", "/LI"):
        assert kind in kinds, kind  # what a tree of another shape would have broken
    for key in as_bytes:
        assert as_bytes[key] == parsed[key], key


def test_the_sheet_copied_as_bytes_passes_the_pdf_ua_checks(
    sheets: tuple[dict[str, Path], list[str]],
) -> None:
    found, _ = sheets
    report = check(found["bytes"])
    assert report.problems == []
    assert len(report.pages_covered) == len(pypdf.PdfReader(found["bytes"]).pages)


def weasyprint_part(html: str) -> pypdf.PdfReader:
    data = weasyprint.HTML(string=html).write_pdf(pdf_tags=True)
    return pypdf.PdfReader(io.BytesIO(data))


def test_strings_that_look_like_references_are_copied_unchanged() -> None:
    reader = weasyprint_part(
        '<html lang="en"><h1>Title</h1><table><tr><th>1 0 R (a) \\ b</th></tr>'
        '<tr><td>x</td></tr></table><img alt="see 2 0 R (here)" src="data:image/svg+xml,'
        '%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%2210%22 height=%2210%22/%3E"></html>'
    )
    raw = raw_objects(reader)
    writer = pypdf.PdfWriter()
    pages = {page.indirect_reference.idnum: 500 + n for n, page in enumerate(reader.pages)}  # type: ignore[union-attr]
    copied = structure_copy.copy_tree(writer, reader, raw, pages, 400)
    objects: list[Any] = writer._objects
    written = b"\n".join(obj.data for obj in objects if isinstance(obj, Raw))
    assert b"/Alt (see 2 0 R \\(here\\))" in written
    assert b"/Pg 500 0 R" in written
    assert copied.kids and copied.nums


def test_an_element_referring_elsewhere_is_left_to_the_parsing_copy() -> None:
    reader = weasyprint_part('<html lang="en"><h1>Title</h1><p>text</p></html>')
    raw = raw_objects(reader)
    number = next(n for n, data in raw.items() if b"/S /H1" in data)
    raw[number] = raw[number].replace(b">>", b"/Foo 1 0 R>>")
    writer = pypdf.PdfWriter()
    before = len(writer._objects)
    pages = {page.indirect_reference.idnum: 500 for page in reader.pages}  # type: ignore[union-attr]
    with pytest.raises(structure_copy.Unexpected):
        structure_copy.copy_tree(writer, reader, raw, pages, 400)
    assert len(writer._objects) == before  # the writer untouched
