"""A lock file and its parts read back as one mapping (the shape of a version 2 lock),
and an old single-file lock written for the tests of reading one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from cardpress.lock import files


def lock_data(path: Path) -> dict[str, Any]:
    """The lock at ``path`` as one mapping: each card's note (``anki``) from its part and
    each note's stamp among the stamps, as version 2 held them."""
    data = files.decode_index(path.read_bytes())
    version = files.index_version(data)
    for name in data.get("parts", {}):
        notes = files.decode_part(files.part_path(path, name, version).read_bytes())
        for card_id, note in notes.items():
            data["cards"][card_id]["anki"] = note
    return data


def write_old_lock(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` (from ``lock_data``, a ``cardpress_lock`` of 1 or 2) as an old
    lock: one file, no parts."""
    old = {key: value for key, value in data.items() if key != "parts"}
    path.write_text(json.dumps(old, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.rmtree(files.parts_folder(path), ignore_errors=True)
