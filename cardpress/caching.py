"""Where a build keeps what it learnt for the next one, and the hashes every cache keys on.

The build state (which outputs are current) and the parse and PDF caches live in
``$XDG_CACHE_HOME/cardpress/builds/<digest of the output folder's absolute path>/``
(``~/.cache`` when XDG_CACHE_HOME is unset), never in the output folder. An output
folder comes with a repository as easily as the content does, so nothing found there may
decide what gets rebuilt or be taken for a parse.

Every cache (the build state, the parse cache, the PDF part cache) hashes files with
``file_hash`` and ``named_hash`` and stales itself with ``code_fingerprint``, so a changed
cardpress never reads an entry an older one wrote. Standard library only: the no-op check
uses it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Callable, Hashable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Generic, TypeVar

from cardpress import __version__

try:
    import fcntl
except ImportError:  # Windows: builds into one folder are not serialised
    fcntl = None  # type: ignore[assignment]

PACKAGE_DIR = Path(__file__).resolve().parent


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/cardpress``; the XDG rules ignore a relative XDG_CACHE_HOME."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(configured) if os.path.isabs(configured) else Path.home() / ".cache"
    return base / "cardpress"


def build_folder(out: Path) -> Path:
    """The cache folder of the builds into ``out``: one per output folder."""
    digest = hashlib.sha256(os.fsencode(os.path.realpath(out))).hexdigest()[:32]
    return cache_root() / "builds" / digest


@contextlib.contextmanager
def output_lock(out: Path, info: Callable[[str], None]) -> Iterator[None]:
    """Hold the output folder for one build at a time: a second build into it (a
    ``--watch`` beside a manual build, two terminals) waits until the first is done, so
    neither can sweep the other's temporary files or record the other's outputs. The
    lock is released by the kernel however the build ends."""
    folder = build_folder(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / "build.lock", "a+b")  # noqa: SIM115 (held until the end)
    except OSError:  # no cache folder: build unserialised rather than not at all
        yield
        return
    with handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                info(f"waiting for another build into {out} to finish")
                fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def file_hash(path: Path, root: Path | None = None) -> str | None:
    """The file's SHA-256, or None when it is missing, not a regular file (a pipe would
    block), or, with ``root``, a link leading outside it: the parser reports those."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        if root is not None and not path.resolve().is_relative_to(root):
            return None
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def named_hash(files: dict[str, Path], hashes: dict[Path, str | None] | None = None) -> str:
    """One hash of named files; ``hashes`` keeps each file's hash for the next call, so
    templates that several outputs share are read once."""
    hashes = {} if hashes is None else hashes
    digest = hashlib.sha256()
    for name, path in sorted(files.items()):
        if path not in hashes:
            hashes[path] = file_hash(path)
        digest.update(name.encode() + b"\0")
        digest.update((hashes[path] or "missing").encode() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """cardpress's own code: a changed renderer makes its outputs stale even at one version.

    The code is ours, not content, so each module's size and modification time stand for
    its bytes: a stat of a hundred modules costs a tenth of reading them."""
    digest = hashlib.sha256()
    for path in sorted(p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts):
        found = path.stat()
        name = path.relative_to(PACKAGE_DIR).as_posix()
        digest.update(f"{name}\0{found.st_size}\0{found.st_mtime_ns}\0".encode())
    return __version__ + ":" + digest.hexdigest()


Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class KeptBetweenBuilds(Generic[Key, Value]):
    """What one process (``serve``, ``--watch``) keeps in memory from one build to the
    next, so that a round decodes only what the edit touched. Off, keeping nothing, until
    ``keep``: a one-shot build holds nothing it will not use again."""

    def __init__(self) -> None:
        self._items: dict[Key, Value] | None = None

    def keep(self) -> None:
        """Start keeping what ``put`` is given (what is kept already stays)."""
        if self._items is None:
            self._items = {}

    def forget(self) -> None:
        """Stop keeping, and drop what was kept."""
        self._items = None

    def get(self, key: Key) -> Value | None:
        return None if self._items is None else self._items.get(key)

    def put(self, key: Key, value: Value) -> None:
        if self._items is not None:
            self._items[key] = value

    def keep_only(self, keys: Iterable[Key]) -> None:
        """Drop all but ``keys`` (what the last build used), so memory stays bounded."""
        if self._items is not None:
            wanted = set(keys)
            self._items = {k: v for k, v in self._items.items() if k in wanted}
