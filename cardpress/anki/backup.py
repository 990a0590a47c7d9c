"""The backup ``cardpress sync`` writes before it changes a collection: a ``.colpkg``
beside Anki's own backups, which Anki restores like its own (File > Switch Profile >
Open Backup)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cardpress.anki.collection import anki_trouble
from cardpress.anki.profiles import CollectionPlace
from cardpress.anki.sync import SyncError

BACKUP_PREFIX = "cardpress-sync-"
"""Not Anki's ``backup-``: Anki's pruning of its old backups leaves these alone."""
TEMP_PREFIX = ".cardpress-backup-"


def back_up(col: Any, place: CollectionPlace) -> Path:
    """Write the whole collection (without media, like Anki's own backups) to a
    ``.colpkg`` in the backups folder, named with the time; returns its path.

    The copy is taken inside the open collection (``VACUUM INTO``), so the collection is
    never let go; a second engine packs the copy, which Anki restores like its own.
    """
    from anki.collection import Collection
    from anki.errors import BackendError

    try:
        place.backups.mkdir(parents=True, exist_ok=True)
        for left in place.backups.glob(f"{TEMP_PREFIX}*"):  # from a sync that was killed
            shutil.rmtree(left, ignore_errors=True)
        stamp = time.strftime("%Y-%m-%d-%H.%M.%S")
        final = place.backups / f"{BACKUP_PREFIX}{stamp}.colpkg"
        count = 1
        while final.exists():
            count += 1
            final = place.backups / f"{BACKUP_PREFIX}{stamp}-{count}.colpkg"
        with tempfile.TemporaryDirectory(dir=place.backups, prefix=TEMP_PREFIX) as tmp:
            copy_path = Path(tmp) / "collection.anki2"
            col.db.execute("vacuum into ?", str(copy_path))
            packed = Path(tmp) / "backup.colpkg"
            with _engine_quiet():  # its zip writer prints debug lines when a write fails
                copy = Collection(str(copy_path))
                try:
                    copy.export_collection_package(str(packed), include_media=False, legacy=False)
                finally:
                    copy.close(downgrade=False)
            with open(packed, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(packed, final)
    except OSError as exc:
        raise SyncError(
            f"{exc.filename or place.backups}: cannot write the backup ({exc.strerror or exc}); "
            "nothing was changed"
        ) from None
    except BackendError as exc:
        raise SyncError(
            f"{place.backups}: cannot write the backup ({anki_trouble(exc)}); nothing was changed"
        ) from None
    return final


@contextlib.contextmanager
def _engine_quiet() -> Iterator[None]:
    """Send what the Anki engine writes straight to the standard error (file descriptor 2)
    nowhere for the duration: the sync reports failures in its own words."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
