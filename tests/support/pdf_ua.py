"""The machine-checkable part of PDF/UA-1 (ISO 14289-1), read with pypdf (no test here).

veraPDF, the reference PDF/UA validator, is a Java program that is neither packaged by
Debian nor on PyPI, so these checks are written here. They cover what a program can
decide from the file alone:

- the catalog: a structure tree, ``/MarkInfo`` marked, a document language, the title
  shown in the window (``/DisplayDocTitle``) and a title in the document information;
- every page's text and drawings inside marked content: a tagged element's (an MCID the
  parent tree leads back to a structure element) or an artifact's; forms drawn on a page
  checked the same way, with their own parent-tree keys;
- every marked-content id on a page or form reached from the tree, and every id the tree
  names present in the content;
- the structure tree covering every page, standard structure types only, a ``Figure``
  with alternative text, headings present;
- fonts embedded.

Not covered (a person must judge them): whether the alternative texts, the reading order
and the headings make sense, colour contrast, table header associations, the language of
passages in another language.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdf
from pypdf import PageObject
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, IndirectObject

STANDARD_TYPES = {
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI",
    "Index", "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L",
    "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span",
    "Quote", "Note", "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT",
    "RP", "Warichu", "WT", "WP", "Figure", "Formula", "Form",
}  # fmt: skip
_SHOW = {b"Tj", b"TJ", b"'", b'"'}
_PAINT = {b"f", b"F", b"f*", b"S", b"s", b"B", b"B*", b"b", b"b*", b"sh"}


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    types: Counter[str] = field(default_factory=Counter)
    pages_covered: set[int] = field(default_factory=set)


def check(path: Path) -> Report:
    """Every machine-checkable PDF/UA problem of the PDF at ``path``."""
    reader = pypdf.PdfReader(path)
    report = Report()
    problems = report.problems
    catalog = reader.root_object
    if "/StructTreeRoot" not in catalog:
        problems.append("no structure tree (/StructTreeRoot)")
        return report
    if not catalog.get("/MarkInfo", {}).get("/Marked"):
        problems.append("/MarkInfo is not marked")
    if not str(catalog.get("/Lang", "")).strip():
        problems.append("no document language (/Lang)")
    if not catalog.get("/ViewerPreferences", {}).get("/DisplayDocTitle"):
        problems.append("the title is not shown in the window (/DisplayDocTitle)")
    if not reader.metadata or not str(reader.metadata.get("/Title", "")).strip():
        problems.append("no title in the document information")
    root = catalog["/StructTreeRoot"].get_object()
    assert isinstance(root, DictionaryObject)
    parents = _parent_tree(root)
    page_numbers = {_object_number(page): n for n, page in enumerate(reader.pages)}
    referenced: set[tuple[int, int]] = set()  # (page or form object, MCID)
    _walk(root, page_numbers, referenced, report, None)
    for number, page in enumerate(reader.pages, 1):
        used = _content_ids(page, page.get("/Resources"), page.get_contents(), problems, number)
        key = page.get("/StructParents")
        owner = _object_number(page)
        for stream, mcid in used:
            where = owner if stream is None else stream
            if (where, mcid) not in referenced:
                problems.append(f"page {number}: MCID {mcid} is not in the structure tree")
            parent_key = key if stream is None else _form_key(reader, stream)
            if parent_key is None or parent_key not in parents:
                problems.append(f"page {number}: content with no parent-tree entry")
        if number - 1 not in report.pages_covered:
            problems.append(f"page {number} is not covered by the structure tree")
        for font in _fonts(page):
            if not any(k in font for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                problems.append(f"page {number}: font {font.get('/FontName')} not embedded")
    if not any(t in report.types for t in ("H1", "H2", "H3", "H4", "H5", "H6")):
        problems.append("no headings tagged")
    return report


def _object_number(page: PageObject) -> int:
    reference = page.indirect_reference
    assert reference is not None, "a page that is not an object of the file"
    return reference.idnum


def _parent_tree(root: DictionaryObject) -> dict[int, Any]:
    tree = root["/ParentTree"].get_object()
    assert isinstance(tree, DictionaryObject)
    found: dict[int, Any] = {}
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        nums = node.get("/Nums", [])
        for key, value in zip(nums[::2], nums[1::2], strict=True):
            found[int(key)] = value
        stack += [kid.get_object() for kid in node.get("/Kids", [])]
    return found


def _walk(
    element: Any,
    pages: dict[int, int],
    referenced: set[tuple[int, int]],
    report: Report,
    page: int | None,
) -> None:
    element = element.get_object()
    kind = str(element.get("/S", "/Document"))[1:]
    if element.get("/Type") == "/StructElem" or "/S" in element:
        report.types[kind] += 1
        if kind not in STANDARD_TYPES:
            report.problems.append(f"non-standard structure type /{kind}")
        if kind == "Figure" and not (element.get("/Alt") or element.get("/ActualText")):
            report.problems.append("a Figure without alternative text")
    if "/Pg" in element:
        page = element.raw_get("/Pg").idnum
    kids = element.get("/K", ArrayObject())
    kids = kids if isinstance(kids, ArrayObject) else ArrayObject([kids])
    for kid in kids:
        if isinstance(kid, int) and not isinstance(kid, IndirectObject):
            if page is not None:
                referenced.add((page, int(kid)))
                report.pages_covered.add(pages.get(page, -1))
            continue
        target = kid.get_object()
        if target.get("/Type") == "/MCR":
            on = target.raw_get("/Pg").idnum if "/Pg" in target else page
            owner = target.raw_get("/Stm").idnum if "/Stm" in target else on
            mcid = int(target["/MCID"])
            if owner is not None:  # content on no page is referenced by nothing
                referenced.add((owner, mcid))
            report.pages_covered.add(-1 if on is None else pages.get(on, -1))
        elif target.get("/Type") == "/OBJR":
            continue
        else:
            _walk(kid, pages, referenced, report, page)


def _form_key(reader: pypdf.PdfReader, stream: int) -> int | None:
    form = reader.get_object(stream)
    key = form.get("/StructParents") if isinstance(form, DictionaryObject) else None
    return int(key) if key is not None else None


def _content_ids(
    owner: Any, resources: Any, contents: Any, problems: list[str], number: int
) -> list[tuple[int | None, int]]:
    """The MCIDs used in a content stream (``None``: the page's own; else the form's
    object number), reporting text or drawing outside any marked content."""
    if contents is None:
        return []
    resources = resources.get_object() if resources is not None else DictionaryObject()
    found: list[tuple[int | None, int]] = []
    depth: list[bool] = []  # per open marked content: whether it is tagged or an artifact
    reader = owner.pdf if hasattr(owner, "pdf") else None
    stream = ContentStream(contents, reader)
    for operands, operator in stream.operations:
        if operator in (b"BDC", b"BMC"):
            tag = str(operands[0])
            props = operands[1] if operator == b"BDC" and len(operands) > 1 else {}
            props = props.get_object() if hasattr(props, "get_object") else props
            if isinstance(props, DictionaryObject) and "/MCID" in props:
                mcid = props["/MCID"]
                assert isinstance(mcid, int), f"page {number}: MCID {mcid} is not a number"
                found.append((None, mcid))
                depth.append(True)
            else:
                depth.append(tag == "/Artifact" or any(depth))
        elif operator == b"EMC":
            if depth:
                depth.pop()
        elif operator in _SHOW or operator in _PAINT:
            if not any(depth):
                problems.append(f"page {number}: {operator.decode()} outside marked content")
        elif operator == b"Do":
            xobjects = resources.get("/XObject")
            xobject = xobjects.get_object().raw_get(operands[0]) if xobjects else None
            if xobject is None:
                continue
            form = xobject.get_object()
            if form.get("/Subtype") != "/Form":
                if not any(depth):
                    problems.append(f"page {number}: an image outside marked content")
                continue
            if any(depth):
                continue  # drawn inside tagged or artifact content
            inner = _content_ids(form, form.get("/Resources"), form, problems, number)
            found += [(xobject.idnum, mcid) for _, mcid in inner]
    return found


def _fonts(page: Any) -> list[DictionaryObject]:
    resources = page.get("/Resources")
    fonts = resources.get_object().get("/Font") if resources else None
    result = []
    for font in fonts.get_object().values() if fonts else []:
        font = font.get_object()
        if font.get("/Subtype") == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        if "/FontDescriptor" in font:
            result.append(font["/FontDescriptor"].get_object())
    return result
