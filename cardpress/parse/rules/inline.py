"""Inline checks: unsafe links and raw HTML are shown as text, images become media names."""

from __future__ import annotations

import urllib.parse

from markdown_it.token import Token

from cardpress.content.files import Cursor, SourceFile, shown
from cardpress.markup import formulas
from cardpress.markup import html as markup
from cardpress.model import Fragment
from cardpress.parse.deck_state import DeckState
from cardpress.parse.drafts import Block
from cardpress.parse.rules.math import check_formula
from cardpress.parse.rules.media import media_file


def check_inline(
    inline: Token, source: SourceFile, line: int, end_line: int, deck: DeckState
) -> None:
    """Check links and images and turn image paths into media names, in place."""
    children = inline.children or []
    keep: list[Token] = []
    drop_close = 0
    cursor: Cursor | None = None  # made on first need: most inline parts need none
    for child in children:
        if child.type == "image":
            cursor = cursor or source.cursor(line, end_line)
            _image(child, cursor, deck)
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            if not markup.SAFE_LINK_RE.match(href):
                written = urllib.parse.unquote(href)  # as in the source, not %-encoded
                cursor = cursor or source.cursor(line, end_line)
                deck.report.warning(
                    cursor.find(written),
                    f"link to '{shown(written)}' is shown as text: only http, https and "
                    "mailto links are kept",
                )
                drop_close += 1
                continue
        elif child.type == "link_close" and drop_close:
            drop_close -= 1
            continue
        elif child.type == formulas.TOKEN:
            cursor = cursor or source.cursor(line, end_line)
            check_formula(child, cursor, deck)
        elif child.type == "html_inline":
            raw = child.content
            if not raw.startswith("<!--") and not markup.allowed_tag(raw):
                cursor = cursor or source.cursor(line, end_line)
                deck.report.warning(
                    cursor.find(raw), f"raw HTML '{shown(raw, 40)}' is shown as text"
                )
        keep.append(child)
    inline.children = keep


def _image(token: Token, cursor: Cursor, deck: DeckState) -> None:
    src = str(token.attrs.get("src", ""))
    decoded = urllib.parse.unquote(src)  # the parser percent-encodes what it keeps
    written = src if cursor.has(src) or not cursor.has(decoded) else decoded
    where = cursor.find_any(src, decoded, "![" + token.content)
    media = media_file(src, cursor.source, deck, written)
    if isinstance(media, str):
        deck.report.error(where, media)
        return
    deck.file_media.add(media.path)
    token.attrs["src"] = media.name


def render(blocks: list[Block], source: SourceFile, deck: DeckState) -> Fragment:
    """Blocks as safe HTML, after checking every inline part of them."""
    for block in blocks:
        for token in block:
            if token.type == "inline" and token.map:
                check_inline(token, source, token.map[0] + 1, token.map[1], deck)
    return markup.render_blocks([token for block in blocks for token in block], source.math)
