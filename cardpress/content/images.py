"""Images the content uses: their types, defined once, and the checks that keep every
output's work on them bounded and free of scripts and references.

Standard library only: the parser checks every image with these before any renderer
(WeasyPrint, a browser, Anki) sees it.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cardpress.content.files import shown

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_IMAGE_PIXELS = 1 << 26  # one raster image, decoded: 67 megapixels (about 270 MB)
MAX_SVG_ELEMENTS = 10_000  # one SVG image, with every <use> expanded

_SVG_START_RE = re.compile(  # a DOCTYPE may have an internal subset: [ ... ]
    rb"^\s*(?:<\?xml[^>]*>\s*|<!--.*?-->\s*|<!DOCTYPE[^>\[]*(?:\[.*?\]\s*)?>\s*)*<svg[\s>]",
    re.S | re.I,
)
_SVG_SCRIPT_RE = re.compile(
    r"<script|<foreignObject|\son[a-z]+\s*=|javascript:|<!ENTITY", re.IGNORECASE
)
_SVG_REFERENCE_RE = re.compile(
    r"""(?:\bhref|\bsrc)\s*=\s*["']\s*([^"'#\s][^"']*)|url\(\s*["']?\s*([^"')#\s][^"')]*)"""
    r"""|@import\s+["']?([^"';\s]+)""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ImageType:
    """One kind of image the content may use."""

    name: str
    """What ``image_type`` says the bytes are."""
    label: str
    """As messages name it."""
    mime: str
    suffixes: tuple[str, ...]
    """File name endings, lowercase."""


IMAGE_TYPES: tuple[ImageType, ...] = (
    ImageType("png", "PNG", "image/png", (".png",)),
    ImageType("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg")),
    ImageType("gif", "GIF", "image/gif", (".gif",)),
    ImageType("webp", "WebP", "image/webp", (".webp",)),
    ImageType("svg", "SVG", "image/svg+xml", (".svg",)),
)
IMAGE_SUFFIXES: dict[str, ImageType] = {s: kind for kind in IMAGE_TYPES for s in kind.suffixes}
IMAGE_LABELS = ", ".join(k.label for k in IMAGE_TYPES[:-1]) + " or " + IMAGE_TYPES[-1].label
"""'PNG, JPEG, GIF, WebP or SVG', for messages."""


def image_type(data: bytes) -> str | None:
    """The image type the bytes really are: 'png', 'jpeg', 'gif', 'webp', 'svg' or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    head = data[:4096].removeprefix(b"\xef\xbb\xbf")
    if _SVG_START_RE.match(head):
        return "svg"
    return None


def svg_problem(data: bytes) -> str:
    """Why an SVG image may not be used, or ''.

    SVG can carry scripts and load other files. No output would run or load them
    (browsers and Anki show images through ``<img>``, WeasyPrint runs no scripts and its
    fetcher refuses other files), but a script in a study diagram is a sign of hostile
    content and a reference would break the PDF, so both are errors here, where the
    author can fix them. ``data:`` URLs and ``#fragment`` references stay allowed.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "SVG image is not UTF-8"
    script = _SVG_SCRIPT_RE.search(text)
    if script and script.group(0).upper() == "<!ENTITY":
        return "SVG image declares an entity ('<!ENTITY'): entities may expand without end"
    if script:
        return f"SVG image contains '{shown(script.group(0).strip(), 30)}'"
    for match in _SVG_REFERENCE_RE.finditer(text):
        target = next(g for g in match.groups() if g is not None)
        if not target.startswith("data:"):
            return f"SVG image refers to '{shown(target)}': it may not load other files"
    return ""


def image_problem(data: bytes, kind: str) -> str:
    """Why an image of type ``kind`` may not be used, or '': what no renderer could draw
    in bounded time and memory (a decompression bomb, an SVG whose ``<use>`` elements
    multiply or refer to themselves), as well as what ``svg_problem`` refuses."""
    if kind == "svg":
        return svg_problem(data) or _svg_use_problem(data)
    size = pixel_size(data, kind)
    if size is None:
        return f"{kind.upper()} image is damaged: its size cannot be read"
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        return (
            f"image is {width} x {height} pixels, over the limit of {MAX_IMAGE_PIXELS} "
            "pixels: scale it down"
        )
    return ""


def pixel_size(data: bytes, kind: str) -> tuple[int, int] | None:
    """Width and height as the image's header states them, or None if it has none."""
    try:
        if kind == "png" and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if kind == "gif":
            width, height = struct.unpack("<HH", data[6:10])
            return int(width), int(height)
        if kind == "webp":
            return _webp_size(data)
        if kind == "jpeg":
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    return None


_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """From the first start-of-frame marker: the size every decoder allocates."""
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return int(width), int(height)
        at += 2 + int(length)
    return None


_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def _svg_use_problem(data: bytes) -> str:
    """Counts the elements an SVG image draws with every ``<use>`` expanded (each
    element once, so the count is linear in the file): nested ``<use>`` multiply."""
    import xml.etree.ElementTree as ElementTree  # only for decks with SVG images

    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return f"SVG image is not well-formed XML ({shown(exc, 80)})"
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    limit = MAX_SVG_ELEMENTS

    def size(element: Element) -> int:
        key = id(element)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            raise _UsesItself(element.get("id") or "")
        visiting.add(key)
        total = 1 + sum(size(child) for child in element)
        if element.tag.rsplit("}", 1)[-1] == "use":
            href = element.get("href") or element.get(_XLINK_HREF) or ""
            target = by_id.get(href.strip().removeprefix("#")) if href.strip()[:1] == "#" else None
            if target is not None:
                total += size(target)
        visiting.discard(key)
        sizes[key] = total = min(total, limit + 1)
        return total

    try:
        drawn = size(root)
    except _UsesItself as cycle:
        return f"SVG image uses itself (a <use> loop through '#{shown(cycle.args[0])}')"
    except RecursionError:
        return "SVG image is nested too deeply"
    if drawn > limit:
        return (
            f"SVG image draws more than {limit} elements once its <use> elements are "
            "expanded: simplify it"
        )
    return ""


class _UsesItself(Exception):
    """A ``<use>`` that leads back to an element it is inside of."""
