"""Merging subsets of one TrueType font into one subset.

WeasyPrint subsets each font to the glyphs a document uses, keeping every glyph at its
number in the whole font (the glyphs it drops are left empty, HarfBuzz's "retain gids"),
and its PDFs address glyphs by that number (``/Identity-H``, ``/CIDToGIDMap /Identity``).
So the subsets of one font that several laid-out parts carry can become one font program
holding the union of their glyphs, and every part's text keeps its glyph codes. A subset
whose glyphs differ from the others' at the same number (another font file under the same
name) cannot join; ``merge_programs`` says which did not.
"""

from __future__ import annotations

import io
import struct
from array import array
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Program:
    """The parts of a TrueType font program that a merge needs, read straight from its
    tables (parsing every subset with fontTools would cost more than the rest of it)."""

    data: bytes
    glyphs: tuple[bytes, ...]  # each glyph's outline by glyph number; b"" when empty
    metrics: tuple[tuple[int, int], ...]  # (advance, left side bearing) by glyph number
    limits: tuple[int, ...]  # maxp's counts (points, contours, ...), maxima over the glyphs
    box: tuple[int, int, int, int]  # head's box around every glyph
    extents: tuple[int, int, int, int]  # hhea's widest advance, least bearings, widest extent

    @classmethod
    def read(cls, data: bytes) -> Program:
        """Raises ValueError for anything but a TrueType font with outlines."""
        try:
            tables = _tables(data)
            head, maxp, hhea = tables[b"head"], tables[b"maxp"], tables[b"hhea"]
            loca, glyf, hmtx = tables[b"loca"], tables[b"glyf"], tables[b"hmtx"]
        except (KeyError, struct.error) as error:
            raise ValueError(f"not a TrueType font with outlines: {error}") from error
        count = struct.unpack_from(">H", data, maxp[0] + 4)[0]
        long_offsets = struct.unpack_from(">h", data, head[0] + 50)[0] == 1
        offsets = array("L" if long_offsets else "H")
        if offsets.itemsize != (4 if long_offsets else 2):
            offsets = array("I")  # where "L" is 8 bytes
        size = offsets.itemsize * (count + 1)
        if loca[1] < size:
            raise ValueError("truncated loca table")
        offsets.frombytes(data[loca[0] : loca[0] + size])
        if struct.pack("=H", 1) != struct.pack(">H", 1):
            offsets.byteswap()
        scale = 1 if long_offsets else 2
        start = glyf[0]
        glyphs = tuple(
            data[start + offsets[i] * scale : start + offsets[i + 1] * scale] for i in range(count)
        )
        long_metrics = struct.unpack_from(">H", data, hhea[0] + 34)[0]
        if long_metrics == 0 or hmtx[1] < 4 * long_metrics + 2 * (count - long_metrics):
            raise ValueError("truncated hmtx table")
        metrics = [struct.unpack_from(">Hh", data, hmtx[0] + 4 * i) for i in range(long_metrics)]
        last = metrics[-1][0]
        bearings = hmtx[0] + 4 * long_metrics
        metrics += [
            (last, struct.unpack_from(">h", data, bearings + 2 * i)[0])
            for i in range(count - long_metrics)
        ]
        version = struct.unpack_from(">L", data, maxp[0])[0]
        limits = struct.unpack_from(">13H", data, maxp[0] + 6) if version >= 0x10000 else ()
        return cls(
            data,
            glyphs,
            tuple((int(a), int(b)) for a, b in metrics[:count]),
            limits,
            struct.unpack_from(">4h", data, head[0] + 36),
            struct.unpack_from(">H3h", data, hhea[0] + 10),
        )


def _tables(data: bytes) -> dict[bytes, tuple[int, int]]:
    """Each table's offset and length, from the font's table directory."""
    if data[:4] not in (b"\x00\x01\x00\x00", b"true"):
        raise ValueError("not a TrueType font")
    count = struct.unpack_from(">H", data, 4)[0]
    found = {}
    for index in range(count):
        tag, _, offset, length = struct.unpack_from(">4sLLL", data, 12 + 16 * index)
        if offset + length > len(data):
            raise ValueError(f"table {tag!r} runs past the end of the font")
        found[tag] = (offset, length)
    return found


def merge_programs(programs: list[Program], characters: dict[int, str]) -> tuple[bytes, list[bool]]:
    """One font program with the glyphs of every program that agrees with the others, and
    which of ``programs`` joined it. ``characters`` (glyph number: the text it stands for,
    from the PDF's ``/ToUnicode``) fills in the merged font's character map, which a PDF
    viewer does not use but a font checker reads."""
    base = max(range(len(programs)), key=lambda i: (len(programs[i].glyphs), -i))
    glyphs = list(programs[base].glyphs)
    metrics = list(programs[base].metrics)
    added: set[int] = set()  # glyph numbers taken from other programs
    joined = []
    for program in programs:
        extra = {}
        fits = True
        for number, (outline, metric) in enumerate(
            zip(program.glyphs, program.metrics, strict=True)
        ):
            if not outline and metric == (0, 0):
                continue  # a glyph this subset dropped
            if glyphs[number] == outline and metrics[number] == metric:
                continue
            if glyphs[number] or metrics[number] != (0, 0):
                fits = False  # another glyph under this number: another font
                break
            extra[number] = (outline, metric)
        joined.append(fits)
        if fits:
            for number, (outline, metric) in extra.items():
                glyphs[number], metrics[number] = outline, metric
                added.add(number)
    if not added:
        return programs[base].data, joined
    members = [program for program, fits in zip(programs, joined, strict=True) if fits]
    return _rebuild(programs[base].data, members, glyphs, metrics, added, characters), joined


def _rebuild(
    base: bytes,
    programs: list[Program],
    glyphs: list[bytes],
    metrics: list[tuple[int, int]],
    added: set[int],
    characters: dict[int, str],
) -> bytes:
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables._g_l_y_f import Glyph

    # No timestamp, and the glyphs' bytes as they are (fontTools would recompute their
    # boxes, a unit off HarfBuzz's now and then): the font-wide figures that depend on
    # the glyphs are the extremes of the subsets' own.
    font = TTFont(io.BytesIO(base), recalcTimestamp=False, recalcBBoxes=False)
    order = font.getGlyphOrder()
    glyf, hmtx = font["glyf"], font["hmtx"]
    for number in sorted(added):
        name = order[number]
        glyf.glyphs[name] = Glyph(glyphs[number])
        hmtx.metrics[name] = metrics[number]
    _extremes(font, programs)
    if "cmap" in font:
        for table in font["cmap"].tables:
            if not table.isUnicode():
                continue
            limit = 0xFFFF if table.format in (4, 6) else 0x10FFFF
            for number, text in characters.items():
                if len(text) == 1 and ord(text) <= limit and number < len(order):
                    table.cmap.setdefault(ord(text), order[number])
    if "GDEF" in font:  # glyph classes of the base subset alone; no PDF viewer reads them
        del font["GDEF"]
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


_LIMITS = (
    "maxPoints",
    "maxContours",
    "maxCompositePoints",
    "maxCompositeContours",
    "maxZones",
    "maxTwilightPoints",
    "maxStorage",
    "maxFunctionDefs",
    "maxInstructionDefs",
    "maxStackElements",
    "maxSizeOfInstructions",
    "maxComponentElements",
    "maxComponentDepth",
)


def _extremes(font: Any, programs: list[Program]) -> None:
    """What maxp, head and hhea say of all the glyphs: the extremes of what each says."""
    maxp, head, hhea = font["maxp"], font["head"], font["hhea"]
    for index, name in enumerate(_LIMITS):
        if hasattr(maxp, name) and all(len(p.limits) == len(_LIMITS) for p in programs):
            setattr(maxp, name, max(p.limits[index] for p in programs))
    head.xMin, head.yMin = (min(p.box[i] for p in programs) for i in (0, 1))
    head.xMax, head.yMax = (max(p.box[i] for p in programs) for i in (2, 3))
    hhea.advanceWidthMax = max(p.extents[0] for p in programs)
    hhea.minLeftSideBearing = min(p.extents[1] for p in programs)
    hhea.minRightSideBearing = min(p.extents[2] for p in programs)
    hhea.xMaxExtent = max(p.extents[3] for p in programs)
