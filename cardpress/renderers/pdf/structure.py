"""One structure tree for a PDF put together from several tagged PDFs.

WeasyPrint tags each document it writes: a structure tree (``/StructTreeRoot``) of
headings, paragraphs, lists and tables whose leaves point at marked content on the pages,
and a parent tree that leads back from the content to its element. A sheet merged from
parts, and a cards PDF whose sides are drawn as forms on sheets of paper, must keep one
tree for the whole document, in reading order, or a screen reader gets nothing. This
module copies each part's tree under one ``Document`` element, pointing its content at
the page (or the form) it now lies on and renumbering the parent tree's keys.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from cardpress.renderers.pdf import structure_copy

if TYPE_CHECKING:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import IndirectObject

_TREE_KEYS = {"/P", "/Pg", "/K", "/Type"}


@functools.cache
def _generic() -> Any:
    """pypdf's object types, imported once (the tree has tens of thousands of elements)."""
    import pypdf.generic

    return pypdf.generic


@functools.cache
def _plain(g: Any) -> tuple[type, ...]:
    return (g.NameObject, g.NumberObject, g.FloatObject, g.TextStringObject, g.BooleanObject)


@functools.cache
def _names() -> tuple[Any, Any, Any, Any, Any]:
    """/Type, /StructElem, /Pg, /K, /P as pypdf names."""
    name = _generic().NameObject
    return name("/Type"), name("/StructElem"), name("/Pg"), name("/K"), name("/P")


@dataclass(frozen=True)
class Place:
    """Where a source page's content now lies: a page of the writer, or a form drawn on
    one (``form`` then carries the content, and its own parent-tree key)."""

    page: IndirectObject
    form: IndirectObject | None = None


@dataclass
class Structure:
    """The structure tree being gathered in ``writer``."""

    writer: PdfWriter
    lang: str = ""
    kids: list[Any] = field(default_factory=list)
    nums: list[Any] = field(default_factory=list)
    next_key: int = 0
    document: IndirectObject | None = None  # the Document element, once numbered

    def add(
        self, reader: PdfReader, places: dict[int, Place], raw: dict[int, bytes] | None = None
    ) -> None:
        """Append ``reader``'s tree; ``places`` maps each of its pages (by object number)
        to where its content went. Content on pages not in ``places`` is left out.
        ``raw``: the reader's packed objects as bytes, for a copy without parsing them
        (``structure_copy``) when every page went onto a page of its own."""
        from pypdf.generic import ArrayObject, NumberObject

        catalog: Any = reader.root_object
        if "/StructTreeRoot" not in catalog:
            return
        if not self.lang and "/Lang" in catalog:
            self.lang = str(catalog["/Lang"])
        pages_only = all(place.form is None for place in places.values())
        if raw is not None and pages_only and self._add_bytes(reader, places, raw):
            return
        root: Any = catalog["/StructTreeRoot"].get_object()
        copied: dict[int, Any] = {}
        document = root["/K"]
        document = document[0] if isinstance(document, ArrayObject) else document
        for kid in document.get_object()["/K"]:
            new = self._element(kid, places, copied)
            if new is not None:
                self.kids.append(new)
        offset = self.next_key
        pairs = list(root["/ParentTree"].get_object()["/Nums"])
        moved = self._renumber(reader, places, offset)
        for key, value in zip(pairs[::2], pairs[1::2], strict=True):
            if int(key) + offset not in moved:
                continue  # a page or annotation left out
            value = value.get_object()
            if isinstance(value, ArrayObject):
                mapped = ArrayObject(
                    copied.get(item.idnum, _null()) if hasattr(item, "idnum") else _null()
                    for item in value
                )
            else:
                mapped = copied.get(value.indirect_reference.idnum, _null())
            self.nums += [NumberObject(int(key) + offset), mapped]
        self.next_key = max([offset, *(int(k) + offset + 1 for k in pairs[::2])])

    def _add_bytes(
        self, reader: PdfReader, places: dict[int, Place], raw: dict[int, bytes]
    ) -> bool:
        """``add`` by copying the elements' bytes; False for a tree of another shape."""
        from pypdf.generic import DictionaryObject, NumberObject

        if self.document is None:
            self.document = self.writer._add_object(DictionaryObject())
        pages = {number: place.page.idnum for number, place in places.items()}
        try:
            copied = structure_copy.copy_tree(self.writer, reader, raw, pages, self.document.idnum)
        except structure_copy.Unexpected:
            return False
        self.kids += copied.kids
        offset = self.next_key
        moved = self._renumber(reader, places, offset)
        for key, value in copied.nums:
            if key + offset in moved:
                self.nums += [NumberObject(key + offset), value]
        self.next_key = max([offset, *(key + offset + 1 for key, _ in copied.nums)])
        return True

    def _renumber(self, reader: PdfReader, places: dict[int, Place], offset: int) -> set[int]:
        """Give the pages, forms and annotations their keys in the merged parent tree."""
        from pypdf.generic import NameObject, NumberObject

        moved = set()
        for page in reader.pages:
            place = places.get(page.indirect_reference.idnum)  # type: ignore[union-attr]
            if place is None or "/StructParents" not in page:
                continue
            key = int(cast(Any, page["/StructParents"])) + offset
            target: Any = (place.form or place.page).get_object()
            target[NameObject("/StructParents")] = NumberObject(key)
            moved.add(key)
            if place.form is not None:
                continue
            page_object: Any = place.page.get_object()
            for annotation in page_object.get("/Annots", []):
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    key = int(annotation["/StructParent"]) + offset
                    annotation[NameObject("/StructParent")] = NumberObject(key)
                    moved.add(key)
        return moved

    def _element(self, kid: Any, places: dict[int, Place], copied: dict[int, Any]) -> Any:
        """A copy of a structure element and its descendants, or None when none of its
        content is in ``places``."""
        g = _generic()
        type_key, struct_elem, pg_key, k_key, p_key = _names()
        source = kid.get_object()
        # Names, numbers and strings are shared, not cloned: nothing changes them, and the
        # tree has tens of thousands of elements.
        element = g.DictionaryObject(
            {
                key: value if isinstance(value, _plain(g)) else value.clone(self.writer)
                for key, value in source.items()
                if key not in _TREE_KEYS
            }
        )
        element[type_key] = struct_elem
        page = source.raw_get("/Pg")
        place = places.get(page.idnum) if page is not None else None
        if place is not None:
            element[pg_key] = place.page
        children = source.get("/K", ())
        if not isinstance(children, g.ArrayObject):
            children = (children,)
        kids = g.ArrayObject()
        for child in children:
            copy = self._child(child, place, places, copied)
            if copy is not None:
                kids.append(copy)
        if not kids:
            return None
        element[k_key] = kids
        reference = self.writer._add_object(element)
        copied[kid.idnum] = reference
        for copy in kids:
            inner = copy.get_object() if isinstance(copy, g.IndirectObject) else None
            if inner is not None and inner.get("/Type") == "/StructElem":
                inner[p_key] = reference
        return reference

    def _child(
        self, child: Any, place: Place | None, places: dict[int, Place], copied: dict[int, Any]
    ) -> Any:
        from pypdf.generic import DictionaryObject, NameObject, NumberObject

        if isinstance(child, int) and not hasattr(child, "idnum"):  # a marked-content id
            if place is None:
                return None
            if place.form is None:
                return NumberObject(int(child))
            return _content_reference(place, int(child))
        target = child.get_object()
        kind = target.get("/Type")
        if kind == "/MCR":
            page = target.raw_get("/Pg") if "/Pg" in target else None
            where = places.get(page.idnum) if page is not None else place
            if where is None:
                return None
            if where.form is None:
                return DictionaryObject(
                    {
                        NameObject("/Type"): NameObject("/MCR"),
                        NameObject("/Pg"): where.page,
                        NameObject("/MCID"): NumberObject(int(target["/MCID"])),
                    }
                )
            return _content_reference(where, int(target["/MCID"]))
        if kind == "/OBJR":  # an annotation: only where the page itself was copied
            page = target.raw_get("/Pg") if "/Pg" in target else None
            where = places.get(page.idnum) if page is not None else place
            if where is None or where.form is not None:
                return None
            annotation = target.raw_get("/Obj")
            translated = self.writer._id_translated.get(id(annotation.pdf), {})
            found = translated.get(annotation.idnum)
            if found is None:
                return None
            return DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/OBJR"),
                    NameObject("/Pg"): where.page,
                    NameObject("/Obj"): self.writer.get_object(found).indirect_reference,
                }
            )
        return self._element(child, places, copied)

    def finish(self) -> None:
        """Write the tree into the catalog, with what a tagged PDF declares."""
        from pypdf.generic import (
            ArrayObject,
            BooleanObject,
            DictionaryObject,
            NameObject,
            NumberObject,
            TextStringObject,
        )

        writer = self.writer
        if self.document is None:
            self.document = writer._add_object(DictionaryObject())
        document_ref = self.document
        document: Any = document_ref.get_object()
        document[NameObject("/Type")] = NameObject("/StructElem")
        document[NameObject("/S")] = NameObject("/Document")
        document[NameObject("/K")] = ArrayObject(self.kids)
        for kid in self.kids:
            element = kid.get_object()
            if isinstance(element, DictionaryObject):  # not copied as bytes (those have it)
                element[NameObject("/P")] = document_ref
        parent_tree = writer._add_object(
            DictionaryObject({NameObject("/Nums"): ArrayObject(self.nums)})
        )
        root = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/StructTreeRoot"),
                    NameObject("/K"): ArrayObject([document_ref]),
                    NameObject("/ParentTree"): parent_tree,
                    NameObject("/ParentTreeNextKey"): NumberObject(self.next_key),
                }
            )
        )
        document[NameObject("/P")] = root
        catalog = writer.root_object
        catalog[NameObject("/StructTreeRoot")] = root
        catalog[NameObject("/MarkInfo")] = DictionaryObject(
            {NameObject("/Marked"): BooleanObject(True)}
        )
        catalog[NameObject("/Lang")] = TextStringObject(self.lang or "en")
        catalog[NameObject("/ViewerPreferences")] = DictionaryObject(
            {NameObject("/DisplayDocTitle"): BooleanObject(True)}
        )
        for page in writer.pages:
            page[NameObject("/Tabs")] = NameObject("/S")


def _content_reference(place: Place, mcid: int) -> Any:
    from pypdf.generic import DictionaryObject, NameObject, NumberObject

    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/MCR"),
            NameObject("/Pg"): place.page,
            NameObject("/Stm"): place.form,
            NameObject("/MCID"): NumberObject(mcid),
        }
    )


def _null() -> Any:
    from pypdf.generic import NullObject

    return NullObject()
