"""PDFs written by pypdf with their small objects packed and compressed.

pypdf writes every object as plain text with a plain cross-reference table. A tagged
PDF has an object for each element of its structure tree (tens of thousands at 1,000
cards): merged and imposed printouts came out three to four times the size of the parts
WeasyPrint wrote. Here every object that is not a stream goes into compressed object
streams (PDF 1.5), found through a compressed cross-reference stream, as WeasyPrint
writes its own PDFs. The bytes depend only on the objects (reproducible builds).
"""

from __future__ import annotations

import io
import zlib
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pypdf import PdfWriter

PER_STREAM = 2000
"""Objects per object stream: a reader decompresses a whole stream to find one object."""


def write(writer: PdfWriter, file: IO[bytes]) -> None:
    """Write ``writer``'s document to ``file``, its objects packed (not encrypted)."""
    from pypdf.generic import StreamObject

    writer._resolve_links()
    _types()
    out = io.BytesIO()
    out.write(writer.pdf_header.encode() + b"\n%\xe2\xe3\xcf\xd3\n")
    entries: dict[int, tuple[int, int, int]] = {}  # number: (type, field 2, field 3)
    packed: list[tuple[int, bytes]] = []
    names: dict[str, bytes] = {}
    for number, obj in enumerate(writer._objects, start=1):
        if obj is None:
            continue
        if isinstance(obj, StreamObject):
            entries[number] = (1, out.tell(), 0)
            out.write(f"{number} 0 obj\n".encode())
            obj.write_to_stream(out)
            out.write(b"\nendobj\n")
        else:
            chunks: list[bytes] = []
            _serialise(obj, chunks, names)
            packed.append((number, b"".join(chunks)))
    number = len(writer._objects)
    for start in range(0, len(packed), PER_STREAM):
        chunk = packed[start : start + PER_STREAM]
        number += 1
        offsets, at = [], 0
        for index, (inner, data) in enumerate(chunk):
            offsets.append(f"{inner} {at}")
            at += len(data) + 1
            entries[inner] = (2, number, index)
        head = " ".join(offsets).encode() + b"\n"
        body = zlib.compress(head + b"\n".join(data for _, data in chunk) + b"\n")
        entries[number] = (1, out.tell(), 0)
        out.write(
            f"{number} 0 obj\n<< /Type /ObjStm /N {len(chunk)} /First {len(head)} "
            f"/Filter /FlateDecode /Length {len(body)} >>\nstream\n".encode()
        )
        out.write(body + b"\nendstream\nendobj\n")
    number += 1  # the cross-reference stream
    xref_at = out.tell()
    entries[number] = (1, xref_at, 0)
    width = max(1, (xref_at.bit_length() + 7) // 8)
    rows = [(0, 0, 65535)] + [entries.get(n, (0, 0, 0)) for n in range(1, number + 1)]
    table = zlib.compress(
        b"".join(
            kind.to_bytes(1, "big") + second.to_bytes(width, "big") + third.to_bytes(2, "big")
            for kind, second, third in rows
        )
    )
    trailer = [f"/Type /XRef /Size {number + 1} /W [1 {width} 2]", "/Filter /FlateDecode"]
    trailer.append(f"/Root {writer.root_object.indirect_reference.idnum} 0 R")  # type: ignore[union-attr]
    if writer._info is not None:
        trailer.append(f"/Info {writer._info.indirect_reference.idnum} 0 R")  # type: ignore[union-attr]
    if writer._ID is not None:
        ids = io.BytesIO()
        writer._ID.write_to_stream(ids)
        trailer.append("/ID " + ids.getvalue().decode("latin-1"))
    out.write(f"{number} 0 obj\n<< {' '.join(trailer)} /Length {len(table)} >>\nstream\n".encode())
    out.write(table + b"\nendstream\nendobj\n")
    out.write(f"startxref\n{xref_at}\n%%EOF\n".encode())
    file.write(out.getvalue())


class Raw:
    """An object written as the bytes given (its references already in the writer's
    numbering): a part's structure element copied without being parsed. Added to a
    ``PdfWriter`` like any of pypdf's objects, and written only by ``write``."""

    def __init__(self, data: bytes = b""):
        self.data = data
        self.indirect_reference: Any = None

    def write_to_stream(self, stream: IO[bytes], encryption_key: object = None) -> None:
        stream.write(self.data)


_TYPES: dict[str, type] = {}


def _types() -> None:
    from pypdf import generic

    for name in ("DictionaryObject", "ArrayObject", "NameObject", "NumberObject", "IndirectObject"):
        _TYPES[name] = getattr(generic, name)


def _serialise(obj: Any, out: list[bytes], names: dict[str, bytes]) -> None:
    """``obj`` as pypdf writes it, byte for byte, without its per-object method calls for
    the dictionaries, arrays, names, numbers and references a structure tree is made of
    (tens of thousands of objects); anything else is left to pypdf."""
    kind = type(obj)
    if kind is Raw:
        out.append(obj.data)
    elif kind is _TYPES["DictionaryObject"]:
        out.append(b"<<\n")
        for key, value in obj.items():
            if len(key) > 2 and key[1] == "%" and key[-1] == "%":
                continue  # as pypdf: a comment-like key is not written
            out.append(names.get(key) or _name(key, names))
            out.append(b" ")
            _serialise(value, out, names)
            out.append(b"\n")
        out.append(b">>")
    elif kind is _TYPES["ArrayObject"]:
        out.append(b"[")
        for item in obj:
            out.append(b" ")
            _serialise(item, out, names)
        out.append(b" ]")
    elif kind is _TYPES["NameObject"]:
        out.append(names.get(obj) or _name(obj, names))
    elif kind is _TYPES["IndirectObject"]:
        out.append(b"%d %d R" % (obj.idnum, obj.generation))
    elif kind is _TYPES["NumberObject"]:
        out.append(repr(obj).encode())
    else:
        buffer = io.BytesIO()
        obj.write_to_stream(buffer)
        out.append(buffer.getvalue())


def _name(name: Any, names: dict[str, bytes]) -> bytes:
    written: bytes = name.renumber()
    names[name] = written
    return written
