"""Opening the user's collection for ``cardpress sync``, and saying in words why it cannot
be opened or written: held by Anki, read-only, a full disk."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from cardpress.anki.profiles import CollectionPlace
from cardpress.anki.sync import SyncError


def open_collection(place: CollectionPlace) -> Any:
    """Open the collection for this process alone, or say why not.

    Anki's engine holds an open collection exclusively: opening it (or its first read)
    fails while Anki desktop or another program has it open. A collection that cannot be
    written (a read-only file, folder or file system) is named as such before Anki tries.
    """
    try:
        from anki.collection import Collection
        from anki.errors import DBError
    except ImportError:
        raise SyncError(
            "cardpress sync needs the Anki backend: pip install 'cardpress[anki]'"
        ) from None
    read_only = why_read_only(place.path)
    if read_only:
        raise SyncError(f"{read_only}; nothing was changed")
    col: Any = None
    try:
        col = Collection(str(place.path))
        col.db.scalar("select count() from col")  # takes the lock now, not halfway through
        return col
    except DBError as exc:
        if col is not None:
            _close_quietly(col)
        trouble = anki_trouble(exc)
        if trouble != HELD:
            raise SyncError(
                f"{place.shown}: Anki cannot open this collection: {trouble}; nothing was changed"
            ) from None
        raise SyncError(
            f"{place.shown}: the collection is open in Anki (or another program), which "
            f"holds it alone: close Anki, then run cardpress sync again"
        ) from None
    except Exception as exc:  # the backend's errors have no common base we can name
        if col is not None:
            _close_quietly(col)
        raise SyncError(
            f"{place.shown}: Anki cannot open this collection: {anki_trouble(exc)}"
        ) from None


def why_read_only(path: Path) -> str:
    """What keeps the collection from being written, or "": Anki writes the file and, for
    its journal, the folder."""
    folder = path.parent
    with contextlib.suppress(OSError, AttributeError):
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return f"{path}: the collection is on a read-only file system"
    if not os.access(path, os.W_OK):
        return f"{path}: the collection file is read-only (its permissions or attributes)"
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"{folder}: the collection's folder is read-only (its permissions or "
            "attributes); Anki writes its journal there"
        )
    return ""


def _close_quietly(col: Any) -> None:
    with contextlib.suppress(Exception):
        col.close()


HELD = "another program holds the collection"


def anki_trouble(exc: BaseException) -> str:
    """What the Anki engine's error says, in words: its messages carry the engine's debug
    text (``DbError { info: ... }``), which tells the user nothing."""
    text = str(exc)
    folded = text.casefold()
    if "diskfull" in folded or "disk is full" in folded or "no space left" in folded:
        return "the disk is full"
    if "readonly" in folded or "read-only" in folded or "read only" in folded:
        return "the collection cannot be written (read-only)"
    if "permission denied" in folded or "permissiondenied" in folded:
        return "permission denied"
    if "already open" in folded or "locked" in folded or "busy" in folded:
        return HELD
    if "systemiofailure" in folded or "disk i/o error" in folded:
        return "the disk or file system refused to write (disk I/O error)"
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return first if "{" not in first else first.split("{")[0].strip() or type(exc).__name__
