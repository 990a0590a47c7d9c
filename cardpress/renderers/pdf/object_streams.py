"""Reading every object of a laid-out part at once, faster than pypdf would.

WeasyPrint packs all of a PDF's small objects (a tagged part's structure tree is most of
them: about 1,500 elements for 40 cards) into compressed object streams. pypdf parses
such a stream whole the first time any of its objects is asked for, a character at a
time; at 1,000 cards that was more than half the merge's time. ``preload`` parses each
object stream with one regular expression instead and puts the objects in the reader's
cache, as the same pypdf objects pypdf would have made. Anything it does not expect
(comments, escaped names, a malformed stream) leaves the stream to pypdf.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Container
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from pypdf import PdfReader

_SPACE = rb"[\x00\t\n\x0c\r ]"
_END = rb"(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|$)"
_TOKEN = re.compile(
    _SPACE
    + rb"*(?:(<<)|(>>)|(\[)|(\])"  # 1-4
    + rb"|/([^\x00\t\n\x0c\r ()<>\[\]{}/%#\x80-\xff]*)"  # 5 a name (without # escapes)
    + rb"|(\d+)"
    + _SPACE
    + rb"+(\d+)"
    + _SPACE
    + rb"+R"
    + _END  # 6, 7 a reference
    + rb"|([+-]?(?:\d+\.?\d*|\.\d+))"
    + _END  # 8 a number
    + rb"|(true|false|null)"
    + _END  # 9
    + rb"|([(<]))"  # 10 a string, left to pypdf
)
_REFERENCE, _NUMBER, _KEYWORD, _STRING = 7, 8, 9, 10


class _Unexpected(Exception):
    """Something this parser leaves to pypdf."""


def raw_objects(reader: PdfReader) -> dict[int, bytes]:
    """Every object packed in ``reader``'s object streams, by number: its bytes as written
    (a stream pypdf cannot read, or of an unexpected shape, is left out)."""
    from pypdf.generic import IndirectObject

    streams: dict[int, set[int]] = {}
    for number, (holder, _) in reader.xref_objStm.items():
        streams.setdefault(holder, set()).add(number)
    found: dict[int, bytes] = {}
    for stream_number in sorted(streams):
        try:
            stream: Any = IndirectObject(stream_number, 0, reader).get_object()
            objects = _slices(stream)
        except Exception:  # anything at all: pypdf reads this stream itself, as before
            continue
        wanted = streams[stream_number]
        found.update((number, data) for number, data in objects if number in wanted)
    return found


def _slices(stream: Any) -> list[tuple[int, bytes]]:
    if stream.get("/Type") != "/ObjStm":
        raise _Unexpected("not an object stream")
    data = stream.get_data()
    count, first = int(stream["/N"]), int(stream["/First"])
    header = [int(value) for value in data[:first].split()]
    if len(header) != 2 * count:
        raise _Unexpected("object stream header")
    starts = sorted({first + offset for offset in header[1::2]} | {len(data)})
    ends = dict(itertools.pairwise(starts))
    return [
        (number, data[first + at : ends[first + at]])
        for number, at in zip(header[::2], header[1::2], strict=True)
    ]


def preload(
    reader: PdfReader, raw: dict[int, bytes] | None = None, skip: Container[int] = ()
) -> None:
    """Parse every object in ``reader``'s object streams (``raw``, when read already) into
    its cache, but those in ``skip`` (which pypdf reads if they are ever asked for)."""
    raw = raw_objects(reader) if raw is None else raw
    parser = _Parser(reader)
    for number, data in raw.items():
        if number in skip or reader.cache_get_indirect_object(0, number) is not None:
            continue
        try:
            obj: Any = parser.read(data, 0)[0]
        except Exception:  # anything at all: pypdf reads this object itself, as before
            continue
        # A name made once is shared, so it may not become an object of its own (its
        # reference is set on it); such objects are rare: pypdf reads them.
        if isinstance(obj, dict | list):
            reader.cache_indirect_object(0, number, cast(Any, obj))


class _Parser:
    def __init__(self, reader: PdfReader) -> None:
        from pypdf import generic

        self.data = b""
        self.reader = reader
        self.stream: io.BytesIO | None = None
        self.g = generic
        self.names: dict[bytes, Any] = {}  # the few names a tree uses, made once each
        self.keywords = {
            b"true": generic.BooleanObject(True),
            b"false": generic.BooleanObject(False),
        }

    def read(self, data: bytes, at: int) -> tuple[Any, int]:
        """The object at ``at`` of ``data`` and where it ends."""
        if data is not self.data:
            self.data, self.stream = data, None
        return self._read(at)

    def _read(self, at: int) -> tuple[Any, int]:
        match = _TOKEN.match(self.data, at)
        if match is None:
            raise _Unexpected(f"at {at}: {self.data[at : at + 20]!r}")
        kind, end = match.lastindex, match.end()
        if kind == 5:
            raw = match.group(5)
            name = self.names.get(raw)
            if name is None:
                name = self.names[raw] = self.g.NameObject("/" + raw.decode("ascii"))
            return name, end
        if kind == _REFERENCE:
            reference = self.g.IndirectObject(int(match.group(6)), int(match.group(7)), self.reader)
            return reference, end
        if kind == 1:
            return self._dictionary(end)
        if kind == 2:
            return _CLOSE_DICTIONARY, end
        if kind == 3:
            return self._array(end)
        if kind == 4:
            return _CLOSE_ARRAY, end
        if kind == _NUMBER:
            text = match.group(8)
            return (self.g.FloatObject(text) if b"." in text else self.g.NumberObject(text)), end
        if kind == _KEYWORD:
            word = match.group(9)
            return (self.keywords[word] if word != b"null" else self.g.NullObject()), end
        if kind == _STRING:
            return self._string(match.start(_STRING))
        raise _Unexpected(f"at {at}: {match.group(0)!r}")

    def _dictionary(self, at: int) -> tuple[Any, int]:
        g = self.g
        entries: dict[Any, Any] = {}
        while True:
            key, at = self._read(at)
            if key is _CLOSE_DICTIONARY:
                break
            if not isinstance(key, g.NameObject):
                raise _Unexpected("a dictionary key that is not a name")
            value, at = self._read(at)
            if value is _CLOSE_DICTIONARY or value is _CLOSE_ARRAY:
                raise _Unexpected("a key without a value")
            entries.setdefault(key, value)
        result = g.DictionaryObject()
        result.update(entries)
        return result, at

    def _array(self, at: int) -> tuple[Any, int]:
        items = self.g.ArrayObject()
        while True:
            item, at = self._read(at)
            if item is _CLOSE_ARRAY:
                return items, at
            if item is _CLOSE_DICTIONARY:
                raise _Unexpected("'>>' in an array")
            items.append(item)

    def _string(self, at: int) -> tuple[Any, int]:
        """Strings are rare here (an element's id, a link's text): pypdf reads them."""
        from pypdf.generic import read_object

        if self.stream is None:
            self.stream = io.BytesIO(self.data)
        self.stream.seek(at)
        found = read_object(self.stream, self.reader)
        return found, self.stream.tell()


_CLOSE_DICTIONARY = object()
_CLOSE_ARRAY = object()
