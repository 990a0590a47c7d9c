"""Images a source refers to: copied into the deck's ``images/`` folder, or reported.

Only files inside the source folder are copied, and only the image types the build
accepts; a remote image becomes a link (the build never fetches), a missing or refused
one becomes its alt text and a line in the report.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from cardpress.content.files import MAX_IMAGE_BYTES, Unreadable, read_checked, shown
from cardpress.content.images import IMAGE_LABELS, image_type, svg_problem
from cardpress.importers.draft import DraftImage, Skip
from cardpress.model import SourceLocation

_MEDIA_FOLDERS = {"images", "image", "img", "imgs", "assets", "media", "static"}
_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._/-]+")


class ImageCopier:
    """Resolves image references of one source root; collects what to copy and what failed."""

    def __init__(self, root: Path):
        self.root = root
        self.missing: list[Skip] = []
        self._names: dict[Path, str] = {}
        self._used: set[str] = set()
        self._data: dict[Path, bytes | str] = {}

    def markdown(
        self, src: str, alt: str, base: Path, where: SourceLocation, into: list[DraftImage]
    ) -> str:
        """Markdown for one image of a file in folder ``base``; records the copy in ``into``."""
        alt_text = " ".join(alt.split()).replace("[", "\\[").replace("]", "\\]")
        src = src.strip()
        if src.startswith(("http://", "https://")):
            self.missing.append(Skip(where, f"remote image, linked instead: {shown(src, 200)}"))
            return f"[{alt_text or 'image'}]({src.replace(' ', '%20').replace(')', '%29')})"
        if src.startswith("data:") or "://" in src:
            self.missing.append(Skip(where, f"image not copied: {shown(src, 80)}"))
            return alt_text
        relative = urllib.parse.unquote(src.split("#", 1)[0].split("?", 1)[0])
        path = (self.root / relative.lstrip("/")) if relative.startswith("/") else base / relative
        key = path.absolute()
        if key not in self._data:
            self._data[key] = self._read(path)
        data = self._data[key]
        if isinstance(data, str):
            self.missing.append(Skip(where, f"{data}: {shown(src, 200)}"))
            return alt_text
        resolved = path.resolve()
        name = self._name(resolved)
        into.append(DraftImage(source=resolved, name=name, data=data))
        return f"![{alt_text}]({name})"

    def _read(self, path: Path) -> bytes | str:
        """The image's bytes, or why it cannot be used."""
        try:
            data = read_checked(self.root, path, MAX_IMAGE_BYTES, "image")
        except Unreadable as exc:
            if not path.exists():
                return "image not found"
            return str(exc).replace("content folder", "source folder")
        kind = image_type(data)
        if kind is None:
            return f"not a {IMAGE_LABELS} image"
        problem = svg_problem(data) if kind == "svg" else ""
        return problem or data

    def _name(self, resolved: Path) -> str:
        if resolved in self._names:
            return self._names[resolved]
        parts = resolved.relative_to(self.root.resolve()).parts
        kept = [p for p in parts[:-1] if p.lower() not in _MEDIA_FOLDERS] + [parts[-1]]
        name = "images/" + _UNSAFE_RE.sub("-", "/".join(kept)).strip("-")
        stem, dot, suffix = name.rpartition(".")
        n = 2
        while name in self._used:
            name, n = f"{stem}-{n}{dot}{suffix}", n + 1
        self._used.add(name)
        self._names[resolved] = name
        return name
