"""Reading the files of a content folder, which someone else may have written.

Every file is checked before it is read: it must be a regular file inside the content
folder (links are followed, and must stay inside), and under its size limit, so a
hostile folder cannot make a build read ``/etc/passwd``, wait on a pipe or fill memory.
Text from files that goes into a message passes ``shown`` so it cannot forge lines or
send escape sequences to the terminal.
"""

from __future__ import annotations

import bisect
import re
import stat
import struct
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardpress.model import SourceLocation

MAX_FILE_BYTES = 1 << 20  # one Markdown file: 1 MiB
MAX_DECK_BYTES = 8 << 20  # all Markdown files of one deck: 8 MiB
MAX_IMAGE_BYTES = 8 << 20  # one image: 8 MiB
MAX_MEDIA_BYTES = 64 << 20  # all images of one deck: 64 MiB
MAX_LOCK_BYTES = 32 << 20  # one lock file: 32 MiB
MAX_IMAGE_PIXELS = 1 << 26  # one raster image, decoded: 67 megapixels (about 270 MB)
MAX_SVG_ELEMENTS = 10_000  # one SVG image, with every <use> expanded
SEARCH_WINDOW = 8192  # how far ahead a cursor looks for the text a diagnostic points at

_BOMS = [
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
]


class Unreadable(Exception):
    """A file that must not or cannot be read; the message says why, for a diagnostic."""


def shown(value: object, limit: int = 60) -> str:
    """``value`` as one printable line for a message: cut short, control characters escaped."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


def display_path(rel: str) -> str:
    """A relative path as diagnostics print it."""
    return shown(rel, limit=1000)


def resolve_inside(root: Path, path: Path, what: str = "file") -> Path:
    """The real path of ``path``, which must lie inside ``root`` (already resolved)."""
    try:
        resolved = path.resolve()
    except RuntimeError:
        raise Unreadable(f"{what} is a link that leads to itself") from None
    except ValueError:
        raise Unreadable(f"{what} name contains a NUL character") from None
    except OSError as exc:
        raise Unreadable(f"cannot read {what}: {shown(exc.strerror or exc)}") from None
    if not resolved.is_relative_to(root):
        raise Unreadable(f"{what} is a link that leads outside the content folder")
    return resolved


def checked_path(root: Path, path: Path, limit: int, what: str = "file") -> Path:
    """The real path of a regular file inside ``root`` of at most ``limit`` bytes."""
    resolved = resolve_inside(root, path, what)
    try:
        status = resolved.stat()
    except OSError as exc:
        raise Unreadable(f"cannot read {what}: {shown(exc.strerror or exc)}") from None
    if not stat.S_ISREG(status.st_mode):
        raise Unreadable(f"{what} is not a regular file")
    if status.st_size > limit:
        raise Unreadable(f"{what} is {status.st_size} bytes, over the limit of {limit} bytes")
    return resolved


def read_checked(root: Path, path: Path, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file inside ``root`` of at most ``limit`` bytes."""
    resolved = checked_path(root, path, limit, what)
    try:
        with open(resolved, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise Unreadable(f"cannot read {what}: {shown(exc.strerror or exc)}") from None
    if len(data) > limit:  # it grew since we looked
        raise Unreadable(f"{what} is over the limit of {limit} bytes")
    return data


@dataclass(frozen=True)
class DecodeProblem:
    """Where and why a file could not be decoded."""

    line: int
    col: int | None
    message: str


def decode_text(data: bytes) -> tuple[str, DecodeProblem | None]:
    """UTF-8 text with CRs normalised, or ('', a hint saying where decoding failed)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for bom, name in _BOMS:
        if data.startswith(bom):
            return "", DecodeProblem(1, 1, f"file is {name}; save it as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_and_column(data[: exc.start])
        return "", DecodeProblem(
            line, col, f"file is not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        )
    if "\x00" in text:
        line, _ = _line_and_column(text[: text.index("\x00")].encode())
        return "", DecodeProblem(line, None, "file contains a NUL byte: is it a binary file?")
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def _line_and_column(before: bytes) -> tuple[int, int]:
    """Line and byte column just after ``before``, counting CR, LF and CRLF as line ends."""
    normal = before.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return normal.count(b"\n") + 1, len(normal) - (normal.rfind(b"\n") + 1) + 1


@dataclass
class SourceFile:
    """One Markdown file: its text (front matter blanked, so token lines are file lines)."""

    path: Path
    rel: str
    text: str
    lines: list[str]
    front_matter: dict[str, Any] | None = None
    front_matter_lines: dict[str, int] = field(default_factory=dict)
    front_matter_start: int = 0
    math: bool = False
    """Its deck has ``math: true``: formulas are read (see ``cardpress.formulas``)."""
    _starts: list[int] | None = field(default=None, repr=False)

    def set_lines(self, lines: list[str]) -> None:
        self.lines = lines
        self.text = "\n".join(lines)
        self._starts = None

    def location(self, line: int, col: int | None = None) -> SourceLocation:
        return SourceLocation(display_path(self.rel), line, col)

    def line_starts(self) -> list[int]:
        if self._starts is None:
            starts = [0]
            for line in self.lines[:-1]:
                starts.append(starts[-1] + len(line) + 1)
            self._starts = starts
        return self._starts

    def cursor(self, line: int, end_line: int | None = None) -> Cursor:
        """A cursor for finding, in order, things written from ``line`` to ``end_line``."""
        return Cursor(self, line, end_line or line)

    def find(self, line: int, needle: str, end_line: int | None = None) -> SourceLocation:
        """The location of ``needle`` at or after ``line`` (1-based), else of the line."""
        return self.cursor(line, end_line).find(needle)


class Cursor:
    """Finds texts in a range of lines, each after the last one found.

    Searching from the last find (and at most ``SEARCH_WINDOW`` characters ahead) keeps
    locating many diagnostics in one huge paragraph linear in its size.
    """

    def __init__(self, source: SourceFile, line: int, end_line: int):
        starts = source.line_starts()
        last = len(starts)
        first = min(max(line, 1), last)
        end = min(max(end_line, first), last)
        self.source = source
        self.line = first
        self.pos = starts[first - 1]
        self.end = starts[end - 1] + len(source.lines[end - 1])

    def has(self, needle: str) -> bool:
        """Whether ``find`` would find ``needle``."""
        limit = min(self.end, self.pos + SEARCH_WINDOW + len(needle))
        return bool(needle) and self.source.text.find(needle, self.pos, limit) >= 0

    def find_any(self, *needles: str) -> SourceLocation:
        """The location of the first of ``needles`` that is there, else of the line."""
        for needle in needles:
            if self.has(needle):
                return self.find(needle)
        return self.source.location(self.line, 1)

    def find(self, needle: str) -> SourceLocation:
        if needle:
            limit = min(self.end, self.pos + SEARCH_WINDOW + len(needle))
            at = self.source.text.find(needle, self.pos, limit)
            if at >= 0:
                self.pos = at + len(needle)
                return self._location(at)
        return self.source.location(self.line, 1)

    def _location(self, offset: int) -> SourceLocation:
        starts = self.source.line_starts()
        line = bisect.bisect_right(starts, offset)
        return self.source.location(line, offset - starts[line - 1] + 1)


# -- images ---------------------------------------------------------------------------

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
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return f"SVG image is not well-formed XML ({shown(exc, 80)})"
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    limit = MAX_SVG_ELEMENTS

    def size(element: ElementTree.Element) -> int:
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
