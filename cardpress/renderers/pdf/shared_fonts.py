"""One embedded font per face in a PDF put together from several laid-out PDFs.

Each part WeasyPrint lays out embeds its own subsets of the same fonts: at 1,000 cards
the sheet's 26 parts carried six fonts 26 times over (418 KB). Before the parts' pages
are copied, ``share_fonts`` merges each face's subsets into one (``font_programs``),
writes it once into the writer with the union of the parts' glyph widths (``/W``) and
text mappings (``/ToUnicode``), and points every part's font resources at it, so the
parts' own fonts are never copied. Glyph codes stay as they are: WeasyPrint's subsets
keep each glyph at its number in the whole font.

Only what can be merged without touching a content stream is: composite TrueType fonts
addressed by glyph number (WeasyPrint's fonts, unless a character had no glyph, when it
writes an encoding of its own). Any other font, and a subset whose glyphs differ from
the others' under the same name, stays its part's own. Two parts that read one glyph as
different text (rare: the text of a glyph is whatever a part met first) keep one font
program but each its own font dictionary, so text extraction reads what it read before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from math import ceil
from typing import TYPE_CHECKING, Any

from cardpress.renderers.pdf.font_programs import Program, merge_programs

if TYPE_CHECKING:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, IndirectObject

_CHAR = re.compile(rb"<([0-9a-fA-F]{1,4})>\s*<([0-9a-fA-F]*)>")
_FIXED_PITCH = 1


@dataclass
class _Subset:
    """One part's font dictionary for a face, read."""

    font: Any  # the Type0 font dictionary
    cid_font: Any
    descriptor: Any
    program: Program
    widths: dict[int, float]
    characters: dict[int, str]


@dataclass
class _Face:
    subsets: list[_Subset] = field(default_factory=list)
    keys: list[tuple[int, int]] = field(default_factory=list)  # (reader, object number)


def share_fonts(writer: PdfWriter, readers: list[PdfReader]) -> None:
    """Give the fonts of ``readers``' pages (and of the forms drawn on them) one font
    dictionary per face, written into ``writer``. Call before their pages are copied."""
    faces: dict[str, _Face] = {}
    seen: set[tuple[int, int]] = set()
    slots = []
    for number, reader in enumerate(readers):
        for resources, name, reference in _font_slots(reader):
            key = (number, reference.idnum)
            slots.append((resources, name, key))
            if key in seen:
                continue
            seen.add(key)
            subset = _read_subset(reference.get_object())
            if subset is not None:
                face = faces.setdefault(str(subset.font["/BaseFont"]), _Face())
                face.subsets.append(subset)
                face.keys.append(key)
    replaced: dict[tuple[int, int], IndirectObject] = {}
    for face in faces.values():
        if len(face.subsets) > 1:
            replaced.update(_merge_face(writer, face))
    for resources, name, key in slots:
        if key in replaced:
            resources[name] = replaced[key]


def _font_slots(reader: PdfReader) -> Iterator[tuple[Any, Any, IndirectObject]]:
    """Every font resource of the pages and of the forms they draw: (the resource
    dictionary holding it, its name, the font's reference)."""
    from pypdf.generic import IndirectObject

    done: set[int] = set()
    pending: list[Any] = [page.get("/Resources") for page in reader.pages]
    while pending:
        found: Any = pending.pop()
        resources: Any = found.get_object() if found is not None else None
        if not hasattr(resources, "get") or id(resources) in done:
            continue
        done.add(id(resources))
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else None
        for name, value in (fonts or {}).items():
            if isinstance(value, IndirectObject):
                yield fonts, name, value
        for kind in ("/XObject", "/Pattern"):
            found = resources.get(kind)
            found = found.get_object() if found is not None else None
            for value in (found or {}).values():
                inner = value.get_object()
                if hasattr(inner, "get") and "/Resources" in inner:
                    pending.append(inner["/Resources"])


def _read_subset(font: Any) -> _Subset | None:
    """The font's parts when it is a subset that can be merged, else None."""
    try:
        if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H":
            return None
        descendants = font["/DescendantFonts"].get_object()
        cid_font = descendants[0].get_object()
        if len(descendants) != 1 or cid_font.get("/Subtype") != "/CIDFontType2":
            return None
        if cid_font.get("/CIDToGIDMap") != "/Identity":
            return None
        descriptor = cid_font["/FontDescriptor"].get_object()
        if "/FontFile2" not in descriptor or "/CIDSet" in descriptor:
            return None
        to_unicode = font["/ToUnicode"].get_object().get_data()
        if b"bfrange" in to_unicode:
            return None
        program = Program.read(descriptor["/FontFile2"].get_object().get_data())
        widths = _widths(cid_font.get("/W", []))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None
    characters = {
        int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
        for code, text in _CHAR.findall(to_unicode)
    }
    return _Subset(font, cid_font, descriptor, program, widths, characters)


def _widths(array: Any) -> dict[int, float]:
    """A ``/W`` array as glyph number: width (both of its forms)."""
    items = list(array.get_object())
    found: dict[int, float] = {}
    index = 0
    while index < len(items):
        first = int(items[index])
        following = items[index + 1].get_object()
        if isinstance(following, list):
            found.update({first + i: float(w) for i, w in enumerate(following)})
            index += 2
        else:
            width = float(items[index + 2])
            found.update({number: width for number in range(first, int(following) + 1)})
            index += 3
    return found


def _merge_face(writer: PdfWriter, face: _Face) -> dict[tuple[int, int], IndirectObject]:
    """Write the face's merged font program once, and a font dictionary for each group of
    parts that agree on glyph widths and text; what each replaced font is now."""
    characters: dict[int, str] = {}
    for subset in face.subsets:
        for number, text in subset.characters.items():
            characters.setdefault(number, text)
    program, joined = merge_programs([s.program for s in face.subsets], characters)
    members = [(s, key) for s, key, ok in zip(face.subsets, face.keys, joined, strict=True) if ok]
    if len(members) < 2:
        return {}
    file = _stream(writer, program, Length1=len(program))
    # A part's text is placed by its font's widths (/W), which WeasyPrint rounds from the
    # size it first met each glyph at, so parts may differ by a thousandth of an em; and
    # a glyph's text is what a part met it as first. Parts that differ in either keep
    # font dictionaries of their own (over the one program), so nothing moves.
    variants: list[_Variant] = []
    for subset, key in members:
        for variant in variants:
            if variant.agrees(subset):
                variant.add(subset, key)
                break
        else:
            variants.append(_Variant(subset))
            variants[-1].add(subset, key)
    replaced = {}
    for variant in variants:
        reference = _type0(writer, variant, file)
        replaced.update({key: reference for key in variant.keys})
    return replaced


@dataclass
class _Variant:
    """The parts that can share one font dictionary, and its widths and text."""

    base: _Subset
    widths: dict[int, float] = field(default_factory=dict)
    characters: dict[int, str] = field(default_factory=dict)
    keys: list[tuple[int, int]] = field(default_factory=list)

    def agrees(self, subset: _Subset) -> bool:
        return all(self.widths.get(n, w) == w for n, w in subset.widths.items()) and all(
            self.characters.get(n, t) == t for n, t in subset.characters.items()
        )

    def add(self, subset: _Subset, key: tuple[int, int]) -> None:
        self.widths.update(subset.widths)
        self.characters.update(subset.characters)
        self.keys.append(key)


def _copy(writer: PdfWriter, source: Any, leave: set[str]) -> DictionaryObject:
    from pypdf.generic import DictionaryObject, NameObject

    return DictionaryObject(
        {NameObject(k): v.clone(writer) for k, v in source.items() if k not in leave}
    )


def _stream(writer: PdfWriter, data: bytes, **entries: int) -> IndirectObject:
    from pypdf.generic import DecodedStreamObject, NameObject, NumberObject

    stream = DecodedStreamObject()
    stream.set_data(data)
    for key, value in entries.items():
        stream[NameObject(f"/{key}")] = NumberObject(value)
    return writer._add_object(stream.flate_encode())


def _type0(writer: PdfWriter, variant: _Variant, file: IndirectObject) -> IndirectObject:
    """The variant's font dictionaries, as WeasyPrint writes them, over ``file``."""
    from pypdf.generic import ArrayObject, NameObject, NumberObject

    widths = variant.widths
    descriptor = _copy(writer, variant.base.descriptor, {"/FontFile2"})
    descriptor[NameObject("/FontFile2")] = file
    box = list(descriptor.get("/FontBBox", []))
    if len(box) == 4 and widths:  # as WeasyPrint sets it: the widest glyph, ascent, descent
        box[2] = _number(max(widths.values()))
        descriptor[NameObject("/FontBBox")] = ArrayObject(box)
    flags = int(descriptor.get("/Flags", 0)) & ~_FIXED_PITCH
    if len(widths) > 1 and len(set(widths.values())) == 1:
        flags |= _FIXED_PITCH
    descriptor[NameObject("/Flags")] = NumberObject(flags)
    cid_font = _copy(writer, variant.base.cid_font, {"/FontDescriptor", "/W"})
    cid_font[NameObject("/FontDescriptor")] = writer._add_object(descriptor)
    runs: list[Any] = []
    for number in sorted(widths):
        if number - 1 not in widths:
            runs += [NumberObject(number), ArrayObject()]
        runs[-1].append(_number(widths[number]))
    cid_font[NameObject("/W")] = ArrayObject(runs)
    font = _copy(writer, variant.base.font, {"/DescendantFonts", "/ToUnicode"})
    font[NameObject("/DescendantFonts")] = ArrayObject([writer._add_object(cid_font)])
    font[NameObject("/ToUnicode")] = _stream(writer, _to_unicode(variant.characters))
    return writer._add_object(font)


def _number(value: float) -> Any:
    from pypdf.generic import FloatObject, NumberObject

    return NumberObject(int(value)) if value == int(value) else FloatObject(value)


def _to_unicode(characters: dict[int, str]) -> bytes:
    """A ToUnicode CMap as WeasyPrint writes one, in glyph order."""
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo",
        b"<< /Registry (Adobe)",
        b"/Ordering (UCS)",
        b"/Supplement 0",
        b">> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    items = sorted(characters.items())
    for batch in range(ceil(len(items) / 100)):
        chunk = items[batch * 100 : (batch + 1) * 100]
        lines.append(f"{len(chunk)} beginbfchar".encode())
        lines += [f"<{n:04x}> <{text.encode('utf-16-be').hex()}>".encode() for n, text in chunk]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
