"""Atomic file writes: a temporary file in the same folder, synced, then renamed into place.

A reader (or an interrupted build) sees either the old complete file or the new one.
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def reserve(final: Path) -> Path:
    """A new empty temporary file beside ``final``; its name starts with '.'."""
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    return Path(name)


@contextlib.contextmanager
def staged_file(final: Path) -> Iterator[Path]:
    """A temporary path beside ``final``; deleted again if the block fails.

    The caller moves it into place with ``commit`` once every output is ready.
    """
    temp = reserve(final)
    try:
        yield temp
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def commit(temp: Path, final: Path) -> None:
    with open(temp, "rb") as handle:
        os.fsync(handle.fileno())
    os.chmod(temp, 0o666 & ~_umask())
    os.replace(temp, final)
    folder = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut
    finally:
        os.close(folder)


def sweep(final: Path, older_than: float) -> None:
    """Remove temporary files a killed build left beside ``final``; files newer than
    ``older_than`` (seconds since the epoch) may belong to a build still running."""
    for temp in final.parent.glob(f".{glob.escape(final.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if temp.stat().st_mtime < older_than:
                temp.unlink()


def replace_unsynced(path: Path, data: bytes) -> None:
    """Write a cache file by rename, without syncing: after a power cut a reader sees the
    old file, the new one or a damaged one, which a cache rejects and makes again."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes) -> None:
    with staged_file(path) as temp:
        temp.write_bytes(data)
        commit(temp, path)
