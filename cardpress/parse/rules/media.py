"""Media: an image path becomes a checked media file of the deck, within the deck's budget."""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from pathlib import PurePosixPath

from cardpress.content.files import (
    MAX_IMAGE_BYTES,
    MAX_MEDIA_BYTES,
    SourceFile,
    Unreadable,
    shown,
)
from cardpress.content.images import IMAGE_LABELS, IMAGE_SUFFIXES, image_problem, image_type
from cardpress.model import MediaFile
from cardpress.parse.deck_state import DeckState


def media_file(
    src: str, source: SourceFile, deck: DeckState, written: str | None = None
) -> MediaFile | str:
    """The media file an image path names, or why it cannot be used; messages quote the
    path as ``written`` in the Markdown when given (the parser percent-encodes ``src``)."""
    quoted = shown(written or src)
    if re.match(r"^([a-zA-Z][\w+.-]*:|//)", src):
        return f"image '{quoted}' is not a local file: download it into the content folder"
    rel_path = urllib.parse.unquote(src.split("#")[0].split("?")[0])
    try:
        target = (source.path.parent / rel_path).resolve()
    except RuntimeError:
        return f"image '{quoted}' is a link that leads to itself"
    except (OSError, ValueError):
        return f"image '{quoted}' cannot be found: check the path"
    if not target.is_relative_to(deck.root):
        return f"image '{quoted}' is outside the content folder"
    rel = target.relative_to(deck.root).as_posix()
    if rel in deck.media:
        return deck.media[rel]
    try:
        exists = target.is_file()
    except OSError:
        exists = False
    if not exists:
        if "\\" in quoted:
            return f"image '{quoted}' does not exist: write folders with '/', not '\\'"
        return f"image '{quoted}' does not exist"
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        return f"image '{quoted}' is not {IMAGE_LABELS}"
    try:
        data = deck.scan.read(target, MAX_IMAGE_BYTES, "image").data
    except Unreadable as refused:
        return f"image '{quoted}': {refused}"
    found = image_type(data)
    if found is None:
        return f"image '{quoted}' is not really a {IMAGE_LABELS} file"
    refusal = image_problem(data, found)
    if refusal:
        return f"image '{quoted}': {refusal}"
    deck.media_bytes += len(data)
    if deck.media_bytes > MAX_MEDIA_BYTES:
        return f"image '{quoted}' takes the deck's images over the limit of {MAX_MEDIA_BYTES} bytes"
    digest = hashlib.sha256(data).hexdigest()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", PurePosixPath(rel).name)
    media = MediaFile(name=f"{digest[:12]}-{stem}", path=rel, sha256=digest)
    deck.media[rel] = media
    return media
