"""A part's structure tree copied into a merged PDF as bytes, without being parsed.

A 40-card part's tree has about 1,500 elements, a 1,000-card sheet's about 37,000:
parsing each into pypdf's objects, copying it and writing it out again was most of the
merge's time. Every page of a part of the sheet lands on a page of its own, so an
element needs only its references renumbered: its kids (``/K``), its parent (``/P``),
its page (``/Pg``). Its other entries (attributes, alternative text, ids) are copied as
WeasyPrint wrote them. The result is the tree ``structure.Structure`` would build (the
same elements, kids, pages and parent tree; elements with no content left out), written
in WeasyPrint's spelling. Anything of another shape (a reference elsewhere, a marked-
content reference, a string the pattern does not read) raises ``Unexpected`` before the
writer is touched, and the part's tree is copied the slow way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cardpress.renderers.pdf.compact import Raw

if TYPE_CHECKING:
    from pypdf import PdfReader, PdfWriter

# An element as WeasyPrint writes it: its type, kids, page, parent, then other entries.
_ELEMENT = re.compile(
    rb"(<</Type /StructElem/S /[A-Za-z0-9]+)/K \[([^\]]*)\](?:/Pg (\d+) 0 R)?/P \d+ 0 R"
    rb"(.*)>>\s*\Z",
    re.DOTALL,
)
# In the other entries: strings are skipped whole (pydyf escapes every parenthesis and
# backslash in them); a reference, or a parenthesis no string pattern took, is unexpected.
_OTHER = re.compile(rb"\((?:[^\\()]|\\.)*\)|<[0-9A-Fa-f\s]*>|(\d+ \d+ R|[()])")
_ROOT = re.compile(rb"<</Type /StructTreeRoot/ParentTree (\d+) 0 R/K \[(\d+) 0 R\]")
_NUMS = re.compile(rb"\s*(?:(\[)|(\])|(\d+) 0 R|(\d+)|(null))")
_OBJR = re.compile(rb"<</Type /OBJR/Obj (\d+) 0 R/Pg (\d+) 0 R>>\s*\Z")
_DIGITS = re.compile(rb"\d+\Z")


class Unexpected(Exception):
    """A tree this copy does not read: the slow copy takes it."""


def tree_numbers(raw: dict[int, bytes]) -> set[int]:
    """The objects a copy here reads only as bytes: a preload need not parse them."""
    prefixes = (b"<</Type /StructElem", b"<</Type /OBJR", b"<</Nums [")
    return {number for number, data in raw.items() if data.startswith(prefixes)}


@dataclass
class Copied:
    """What the copy gives ``Structure``: the top elements, and the parent tree's
    entries (the part's own key, the value written: elements renumbered)."""

    kids: list[Any]
    nums: list[tuple[int, Any]]


@dataclass
class _Element:
    head: bytes  # the type
    kids: list[Kid]
    page: int | None  # the writer's
    rest: bytes  # the other entries, as written


# A kid: an element (its number), marked content (its id, as bytes), a link's annotation
# (the bytes of a reference to it), or None for one left out.
Kid = int | bytes | None


def copy_tree(
    writer: PdfWriter,
    reader: PdfReader,
    raw: dict[int, bytes],
    pages: dict[int, int],
    document: int,
) -> Copied:
    """Copy ``reader``'s tree into ``writer`` under the element numbered ``document``;
    ``pages`` maps each of its pages to the writer's page (object numbers). Raises
    ``Unexpected`` (the writer untouched) for a tree of another shape."""
    from pypdf.generic import IndirectObject

    catalog: Any = reader.root_object
    root = _ROOT.match(_get(raw, catalog.raw_get("/StructTreeRoot").idnum))
    if root is None:
        raise Unexpected("structure tree root")
    links: dict[Any, int] = writer._id_translated.get(id(reader), {})
    document_kids = _parse(raw, int(root.group(2)), pages, links, copied=False).kids
    top = [kid for kid in document_kids if type(kid) is int]
    elements: dict[int, _Element] = {}
    pending = list(reversed(top))
    order: list[int] = []  # the elements, parents before their kids
    while pending:
        number = pending.pop()
        order.append(number)
        element = elements[number] = _parse(raw, number, pages, links)
        pending += reversed([kid for kid in element.kids if type(kid) is int])
    kept: set[int] = set()
    for number in reversed(order):  # kids before their parents
        kids = elements[number].kids
        if any(kid in kept if type(kid) is int else kid is not None for kid in kids):
            kept.add(number)
    first = len(writer._objects) + 1
    new = {number: first + index for index, number in enumerate(n for n in order if n in kept)}
    parents = dict.fromkeys(top, document)
    for number in new:
        parents.update((kid, new[number]) for kid in elements[number].kids if type(kid) is int)
    written = [_written(elements[number], new, parents[number]) for number in new]
    nums = _parent_tree(_get(raw, int(root.group(1))), new)
    writer._objects.extend(Raw(data) for data in written)  # type: ignore[misc]
    assert len(writer._objects) == first - 1 + len(new)
    return Copied(
        [IndirectObject(new[number], 0, writer) for number in top if number in kept],
        [(key, Raw(value)) for key, value in nums],
    )


def _get(raw: dict[int, bytes], number: int) -> bytes:
    data = raw.get(number)
    if data is None:
        raise Unexpected(f"object {number} not in an object stream")
    return data


def _parse(
    raw: dict[int, bytes],
    number: int,
    pages: dict[int, int],
    links: dict[Any, int],
    copied: bool = True,
) -> _Element:
    """An element read; ``copied``: its other entries are to be copied, so they must
    refer to nothing (the part's Document element, not copied, names its namespace)."""
    data = _get(raw, number)
    match = _ELEMENT.match(data)
    if match is None:
        raise Unexpected(f"an element {data[:60]!r}")
    head, text, page, rest = match.groups()
    if copied and rest and any(found.group(1) for found in _OTHER.finditer(rest)):
        raise Unexpected(f"an element referring elsewhere {rest[:60]!r}")
    words = text.split()
    kids: list[Kid] = []
    at = 0
    while at < len(words):
        if at + 2 < len(words) and words[at + 2] == b"R" and words[at + 1] == b"0":
            kids.append(_kid(raw, int(words[at]), pages, links))
            at += 3
        elif _DIGITS.match(words[at]):
            kids.append(words[at])  # marked content
            at += 1
        else:
            raise Unexpected(f"a kid {words[at]!r}")
    placed = pages.get(int(page)) if page is not None else None
    if placed is None and any(type(kid) is bytes and kid[:1] != b"<" for kid in kids):
        raise Unexpected("marked content of an element on no page copied")
    return _Element(head, kids, placed, rest)


def _kid(raw: dict[int, bytes], number: int, pages: dict[int, int], links: dict[Any, int]) -> Kid:
    data = _get(raw, number)
    if data.startswith(b"<</Type /StructElem"):
        return number
    reference = _OBJR.match(data)
    if reference is None:
        raise Unexpected(f"a kid {data[:40]!r}")
    annotation, page = links.get(int(reference.group(1))), pages.get(int(reference.group(2)))
    if annotation is None or page is None:
        return None  # as the slow copy: a link whose annotation was not copied
    return b"<</Type /OBJR/Pg %d 0 R/Obj %d 0 R>>" % (page, annotation)


def _written(element: _Element, new: dict[int, int], parent: int) -> bytes:
    """The element's bytes, renumbered; the kids left out are left out of ``/K``."""
    kids = b" ".join(
        (b"%d 0 R" % new[kid] if type(kid) is int else kid)  # type: ignore[misc]
        for kid in element.kids
        if kid is not None and (type(kid) is not int or kid in new)
    )
    page = b"/Pg %d 0 R" % element.page if element.page is not None else b""
    return b"%s/K [%s]%s/P %d 0 R%s>>" % (element.head, kids, page, parent, element.rest)


def _parent_tree(data: bytes, new: dict[int, int]) -> list[tuple[int, bytes]]:
    """The parent tree's entries, the elements renumbered (null for one left out)."""
    if not data.startswith(b"<</Nums [") or not data.rstrip().endswith(b"]>>"):
        raise Unexpected("parent tree")
    text = data.rstrip()[9:-3]
    pairs: list[tuple[int, bytes]] = []
    key: int | None = None
    value: list[bytes] | None = None  # an array being read
    at = 0
    while at < len(text):
        match = _NUMS.match(text, at)
        if match is None or match.end() == at:
            raise Unexpected(f"parent tree at {text[at : at + 20]!r}")
        at = match.end()
        opening, closing, reference, number, null = match.group(1, 2, 3, 4, 5)
        target = b"null"
        if reference is not None and int(reference) in new:
            target = b"%d 0 R" % new[int(reference)]
        if key is None and number is not None:
            key = int(number)
        elif key is None:
            raise Unexpected(f"parent tree at {match.group(0)!r}")
        elif value is None and opening:
            value = []
        elif value is not None and closing:
            pairs.append((key, b"[" + b" ".join(value) + b"]"))
            key = value = None
        elif reference is not None or null is not None:
            if value is None:
                pairs.append((key, target))
                key = None
            else:
                value.append(target)
        else:
            raise Unexpected(f"parent tree at {match.group(0)!r}")
    if key is not None:
        raise Unexpected("parent tree ends short")
    return pairs
