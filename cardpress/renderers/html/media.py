"""Images for the one-pager, inlined as data: URIs so the page makes no request."""

from __future__ import annotations

import base64
import html
import re
from pathlib import PurePosixPath

from cardpress.content.images import IMAGE_SUFFIXES
from cardpress.errors import BuildError
from cardpress.model import Deck
from cardpress.renderers import RenderContext

MIME_TYPES = {suffix: kind.mime for suffix, kind in IMAGE_SUFFIXES.items()}

IMG_TAG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
SRC_ATTR_RE = re.compile(r'(\ssrc=")([^"]*)(")', re.IGNORECASE)


class MediaInliner:
    """Replaces ``src="<media name>"`` in fragment HTML by the image's data: URI."""

    def __init__(self, deck: Deck, context: RenderContext):
        self._deck = deck
        self._context = context
        self._uris: dict[str, str] = {}

    def inline(self, fragment_html: str) -> str:
        if "<img" not in fragment_html.lower():
            return fragment_html
        return IMG_TAG_RE.sub(self._inline_tag, fragment_html)

    def _inline_tag(self, tag: re.Match[str]) -> str:
        return SRC_ATTR_RE.sub(
            lambda src: src.group(1) + self.data_uri(html.unescape(src.group(2))) + src.group(3),
            tag.group(0),
        )

    def data_uri(self, name: str) -> str:
        """The data: URI of a deck media file, read once per build."""
        if name not in self._uris:
            try:
                data = self._context.media_data(name)
            except KeyError:
                raise BuildError(
                    f"{self._deck.key}: an image refers to unknown media {name!r}"
                ) from None
            mime = MIME_TYPES.get(PurePosixPath(name).suffix.lower())
            if mime is None:
                raise BuildError(f"{self._deck.key}: unsupported image type: {name}")
            self._uris[name] = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        return self._uris[name]
