"""Where a build keeps what it learnt for the next one: the user's cache folder.

The build state (which outputs are current) and the parse and PDF caches live in
``$XDG_CACHE_HOME/cardpress/builds/<digest of the output folder's absolute path>/``
(``~/.cache`` when XDG_CACHE_HOME is unset), never in the output folder. An output
folder comes with a repository as easily as the content does, so nothing found there may
decide what gets rebuilt or be taken for a parse. Standard library only: the no-op
check uses it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/cardpress``; the XDG rules ignore a relative XDG_CACHE_HOME."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(configured) if os.path.isabs(configured) else Path.home() / ".cache"
    return base / "cardpress"


def build_folder(out: Path) -> Path:
    """The cache folder of the builds into ``out``: one per output folder."""
    digest = hashlib.sha256(os.fsencode(os.path.realpath(out))).hexdigest()[:32]
    return cache_root() / "builds" / digest
