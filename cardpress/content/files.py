"""Reading the files of a content folder, which someone else may have written.

Every file is checked before it is read: it must be a regular file inside the content
folder (links are followed, and must stay inside), and under its size limit, so a
hostile folder cannot make a build read ``/etc/passwd``, wait on a pipe or fill memory.
Text from files that goes into a message passes ``shown`` so it cannot forge lines or
send escape sequences to the terminal.
"""

from __future__ import annotations

import bisect
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardpress.model import SourceLocation

MAX_FILE_BYTES = 1 << 20  # one Markdown file: 1 MiB
MAX_DECK_BYTES = 8 << 20  # all Markdown files of one deck: 8 MiB
MAX_IMAGE_BYTES = 8 << 20  # one image: 8 MiB
MAX_MEDIA_BYTES = 64 << 20  # all images of one deck: 64 MiB
MAX_LOCK_BYTES = 32 << 20  # one lock file: 32 MiB
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
    return read_identified(root, path, limit, what)[0]


def read_identified(root: Path, path: Path, limit: int, what: str = "file") -> tuple[bytes, str]:
    """``read_checked``, with the file's ``identity`` as it was before it was read: a
    change while or after it is read gives it another."""
    resolved = checked_path(root, path, limit, what)
    try:
        with open(resolved, "rb") as handle:
            found = identity(os.fstat(handle.fileno()))
            data = handle.read(limit + 1)
    except OSError as exc:
        raise Unreadable(f"cannot read {what}: {shown(exc.strerror or exc)}") from None
    if len(data) > limit:  # it grew since we looked
        raise Unreadable(f"{what} is over the limit of {limit} bytes")
    return data, found


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes, never through a
    link (for the files of a folder already checked); raises OSError otherwise."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise OSError(0, "not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(0, f"over the limit of {limit} bytes")
    return data


def path_identity(path: Path) -> str:
    """The ``identity`` of the file at ``path`` now; '' when it cannot be looked at."""
    try:
        return identity(os.stat(path))
    except OSError:
        return ""


def identity(status: os.stat_result) -> str:
    """What changes whenever a file's bytes may have: its device and inode, its size and its
    modification and change times. No program can set the change time back, so a file
    with the identity recorded when it was read still has the bytes read then."""
    return (
        f"{status.st_dev}:{status.st_ino}:{status.st_size}:"
        f"{status.st_mtime_ns}:{status.st_ctime_ns}"
    )


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
    """Its deck has ``math: true``: formulas are read (see ``cardpress.markup.formulas``)."""
    dialect: str = ""
    """The ``DIALECTS`` row its deck names for every file; empty: chosen by file name."""
    vault: Any = None
    """The ``cardpress.content.vault.VaultSettings`` of the vault the file is a note of."""
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
