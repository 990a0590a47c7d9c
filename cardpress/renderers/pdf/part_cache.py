"""The cache of laid-out PDF parts, kept between builds so an edit lays out only the
parts it touched; shared by the cheat sheet and the printed cards."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cardpress import template_folders
from cardpress.caching import file_hash
from cardpress.renderers.pdf.html import FetchPolicy
from cardpress.renderers.pdf.structure import Place, Structure

if TYPE_CHECKING:
    from pypdf import PdfReader, PdfWriter


Anchors = dict[str, tuple[int, float, float]]  # name -> (page, left, top), in PDF points


@dataclass
class LaidOut:
    """A laid-out part and where its anchors are: name -> (page in the part, left, top).
    The PDF is kept as WeasyPrint wrote it: the merge copies only its pages and their
    structure, and makes its own destinations and bookmarks."""

    data: bytes
    pages: int
    anchors: Anchors


def copy_pages(
    writer: PdfWriter,
    reader: PdfReader,
    structure: Structure | None = None,
    raw: dict[int, bytes] | None = None,
) -> None:
    """Add ``reader``'s pages to ``writer`` with their structure tree: into ``structure``
    when given (finished by the caller), else as the writer's own. ``raw``: the reader's
    packed objects (``object_streams.raw_objects``), to copy the tree without parsing it."""
    first = len(writer.pages)
    for page in reader.pages:
        writer.add_page(page)
    own = structure or Structure(writer)
    places = {}
    for index, source in enumerate(reader.pages):
        copied = writer.pages[first + index].indirect_reference
        if source.indirect_reference is not None and copied is not None:
            places[source.indirect_reference.idnum] = Place(copied)
    own.add(reader, places, raw)  # type: ignore[arg-type]
    if structure is None:
        own.finish()


class PartCache:
    """Laid-out parts by key: the PDF, and beside it its page count and anchors (so that a
    cached part need not be parsed to be placed). Files a build did not use are pruned."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.used: set[str] = set()

    def get(self, key: str) -> LaidOut | None:
        self.used.add(key)
        if self.folder is None:
            return None
        try:
            facts = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            data = (self.folder / f"{key}.pdf").read_bytes()
            if hashlib.sha256(data).hexdigest() != facts["sha256"]:
                return None
            anchors = {
                str(k): (int(p), float(x), float(y)) for k, (p, x, y) in facts["anchors"].items()
            }
            return LaidOut(data, int(facts["pages"]), anchors)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None  # laid out again

    def put(self, key: str, laid_out: LaidOut) -> None:
        if self.folder is None:
            return
        facts = {
            "sha256": hashlib.sha256(laid_out.data).hexdigest(),
            "pages": laid_out.pages,
            "anchors": laid_out.anchors,
        }
        try:  # a cache that cannot be written costs the next build time, not this one
            self.folder.mkdir(parents=True, exist_ok=True)
            self._write(f"{key}.pdf", laid_out.data)
            self._write(f"{key}.json", json.dumps(facts, sort_keys=True).encode())
        except OSError:
            self.folder = None

    def _write(self, name: str, data: bytes) -> None:
        """Atomically: a build stopped half way leaves no half-written part."""
        assert self.folder is not None
        handle, temp = tempfile.mkstemp(prefix=".part-", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temp, self.folder / name)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def prune(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.suffix in {".pdf", ".json", ".tmp"} and path.stem not in self.used:
                with contextlib.suppress(OSError):
                    path.unlink()


# Changes whenever what the renderer writes for the same HTML changes (tagging, anchors).
PART_FORMAT = "tagged-3"


def inputs_digest(policy: FetchPolicy, layout_version: str) -> str:
    """What besides its HTML decides a part's bytes: WeasyPrint and the files it may read."""
    digest = hashlib.sha256(f"weasyprint {layout_version} {PART_FORMAT}\0".encode())
    files = [(name, hashlib.sha256(data).hexdigest()) for name, data in policy.media.items()]
    templates = template_folders.files(policy.templates_dir).items()
    hashes = sorted(files) + sorted(
        (name, file_hash(path) or "missing") for name, path in templates
    )
    for name, file_digest in hashes:
        digest.update(name.encode() + b"\0" + file_digest.encode())
    return digest.hexdigest()


def part_key(html: str, salt: str) -> str:
    return hashlib.sha256(salt.encode() + b"\0" + html.encode()).hexdigest()[:32]
