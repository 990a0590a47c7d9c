"""How much an Anki package may unpack to, checked before Anki's backend unpacks it.

The backend extracts every member of the zip (and decompresses the zstd ones: the
``collection.anki21b`` and media of newer packages) into the temporary folder without a
limit, so a few megabytes can fill a disk. Each member is read here first, its deflate
stream inflated rather than its header's sizes trusted, and a zstd stream is bounded by
walking its block headers (each block says what it unpacks to, at most 128 KiB), without
decompressing it.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cardpress.errors import CardpressError

MAX_MEMBERS = 200_000
MAX_MEMBER_BYTES = 2 << 30  # one member, unpacked (and decompressed if zstd)
MAX_TOTAL_BYTES = 4 << 30  # all members together
MAX_RATIO = 100  # unpacked / packed, for a member over RATIO_FLOOR and for the package
RATIO_FLOOR = 1 << 20  # smaller members (an empty collection, a note) may compress better
TOTAL_FLOOR = 64 << 20  # the package-wide ratio applies above this much
CHUNK = 1 << 20
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
ZSTD_BLOCK = 128 << 10


class _Refused(Exception):
    pass


def check_package(path: Path, shown: str) -> None:
    """Raise a CardpressError naming the member when ``path`` would unpack past a limit."""
    size = path.stat().st_size
    total_limit = min(MAX_TOTAL_BYTES, max(TOTAL_FLOOR, MAX_RATIO * size))
    total = 0
    try:
        with zipfile.ZipFile(path) as package, open(path, "rb") as raw:
            members = package.infolist()
            if len(members) > MAX_MEMBERS:
                raise _Refused(f"it has {len(members)} members, more than {MAX_MEMBERS}")
            for info in members:
                limit, why = min(_limits(info, total_limit - total, total_limit, size))
                unpacked = _unpacked_size(raw, info, limit)
                if unpacked > limit:
                    raise _Refused(why)
                total += unpacked
    except _Refused as refused:
        raise CardpressError(
            f"{shown}: package refused before unpacking: {refused} (these limits stop zip bombs)"
        ) from None
    except (zipfile.BadZipFile, zlib.error, struct.error, EOFError) as exc:
        raise CardpressError(f"{shown}: Anki cannot read this package: {exc}") from None


def _limits(info: zipfile.ZipInfo, left: int, total: int, size: int) -> list[tuple[int, str]]:
    """Each limit on what this member may unpack to, with what to say when it does not."""
    name = repr(info.filename[:100])
    return [
        (MAX_MEMBER_BYTES, f"member {name} unpacks to more than {_mib(MAX_MEMBER_BYTES)}"),
        (
            max(RATIO_FLOOR, MAX_RATIO * info.compress_size),
            f"member {name} unpacks to more than {MAX_RATIO} times its packed size "
            f"({_mib(info.compress_size)} packed)",
        ),
        (
            left,
            f"its members unpack to more than {_mib(total)} together, the limit for a "
            f"package of {_mib(size)} (reached at member {name})",
        ),
    ]


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MiB" if n >= 1 << 20 else f"{n / 1024:,.1f} KiB"


def _unpacked_size(raw: BinaryIO, info: zipfile.ZipInfo, limit: int) -> int:
    """What the backend would write for this member, or some number over ``limit``."""
    chunks = _inflated(raw, info, limit)
    first = next(chunks, b"")
    if not first.startswith(ZSTD_MAGIC):
        return len(first) + sum(len(chunk) for chunk in chunks)
    try:
        return _zstd_bound(_Stream(first, chunks), limit)
    except ValueError:  # not a zstd stream after all: the backend copies it as it is
        return len(first) + sum(len(chunk) for chunk in chunks)


def _inflated(raw: BinaryIO, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """The member's bytes as the backend reads them: its whole deflate stream, whatever
    size its header claims, stopping once past ``limit``."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Refused(f"member {info.filename[:100]!r} uses a compression Anki does not write")
    raw.seek(info.header_offset)
    header = raw.read(30)
    if header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"no local header for {info.filename[:100]!r}")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    raw.seek(info.header_offset + 30 + name_length + extra_length)
    left = info.compress_size
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    produced = 0
    while left > 0 and produced <= limit:
        data = raw.read(min(CHUNK, left))
        if not data:
            raise EOFError(f"member {info.filename[:100]!r} is cut short")
        left -= len(data)
        while data and produced <= limit:
            if inflate is None:
                out, data = data, b""
            else:
                out = inflate.decompress(data, CHUNK)
                data = inflate.unconsumed_tail
            produced += len(out)
            yield out


class _Stream:
    """Exact reads over a stream of chunks."""

    def __init__(self, first: bytes, rest: Iterator[bytes]):
        self.buffer = first
        self.rest = rest

    def read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = next(self.rest, None)
            if chunk is None:
                break
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def exactly(self, n: int) -> bytes:
        out = self.read(n)
        if len(out) != n:
            raise ValueError("zstd stream cut short")
        return out


def _zstd_bound(stream: _Stream, limit: int) -> int:
    """An upper bound on what zstd frames decompress to (RFC 8878), from block headers;
    stops counting past ``limit``. ValueError when it is not a zstd stream."""
    total = 0
    while total <= limit:
        magic = stream.read(4)
        if not magic:
            return total
        if len(magic) == 4 and 0x184D2A50 <= int.from_bytes(magic, "little") <= 0x184D2A5F:
            stream.exactly(int.from_bytes(stream.exactly(4), "little"))  # a skippable frame
            continue
        if magic != ZSTD_MAGIC:
            raise ValueError("not a zstd frame")
        descriptor = stream.exactly(1)[0]
        single_segment = descriptor & 0x20
        window = 0
        if not single_segment:
            exponent, mantissa = divmod(stream.exactly(1)[0], 8)
            base = 1 << (10 + exponent)
            window = base + base // 8 * mantissa
        stream.exactly((0, 1, 2, 4)[descriptor & 3])  # dictionary id
        size_bytes = (1 if single_segment else 0, 2, 4, 8)[descriptor >> 6]
        content = int.from_bytes(stream.exactly(size_bytes), "little")
        if single_segment:
            window = content + (256 if size_bytes == 2 else 0)
        block_max = min(window, ZSTD_BLOCK)
        last = False
        while not last and total <= limit:
            header = int.from_bytes(stream.exactly(3), "little")
            last, kind, size = bool(header & 1), (header >> 1) & 3, header >> 3
            if kind == 3:
                raise ValueError("reserved zstd block type")
            stream.exactly(1 if kind == 1 else size)
            total += block_max if kind == 2 else size
        if last and descriptor & 0x04:
            stream.exactly(4)  # content checksum
    return total
