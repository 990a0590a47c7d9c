"""A deck's lock file, read and checked like any other input of the content folder."""

from __future__ import annotations

from pathlib import Path

from cardpress.content.files import (
    MAX_LOCK_BYTES,
    Unreadable,
    display_path,
    read_regular,
    resolve_inside,
)
from cardpress.content.scan import ContentScan
from cardpress.errors import Reporter
from cardpress.lock import Lock
from cardpress.lock.reader import LockDamaged, read_lock_bytes
from cardpress.model import SourceLocation


def read_lock(scan: ContentScan, path: Path, deck: str, now: int, report: Reporter) -> Lock | None:
    """The deck's lock file, checked like any other input; None (reported) if unusable."""
    rel = display_path(scan.relative(path))
    raw = None
    if path.is_symlink() or path.exists():
        try:
            raw = scan.read(path, MAX_LOCK_BYTES, "lock file").data
        except Unreadable as refused:
            report.error(SourceLocation(rel, 0), str(refused))
            return None

    folder: list[Path] = []  # the parts folder, resolved once

    def read_part(part: Path) -> bytes | None:
        """A part of the lock: a regular file (not a link) in the parts folder, which
        lies where the lock may."""
        if not folder:
            inside = scan.outside.get(path, scan.root)
            try:
                folder.append(resolve_inside(inside, part.parent, "lock file parts folder"))
            except Unreadable as refused:
                raise ValueError(str(refused)) from None
        try:
            return read_regular(folder[0] / part.name, MAX_LOCK_BYTES)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ValueError(f"cannot read its part {part.name}: {exc.strerror or exc}") from None

    try:
        return read_lock_bytes(path, deck, now, raw, read_part)
    except LockDamaged as damaged:
        report.error(SourceLocation(rel, damaged.line, damaged.col), str(damaged))
        return None
