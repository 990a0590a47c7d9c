"""Long code tokens in the cheat sheet break after punctuation, and the line they break
shows a continuation mark.

A column is narrow: ``asyncio.get_event_loop().run_until_complete(...)`` must break
somewhere. Left alone, WeasyPrint breaks it anywhere (``asyncio.s|leep``). Here every
token of code longer than ``LONG_TOKEN`` characters gets a soft hyphen after each of its
punctuation characters; the stylesheet sets ``hyphenate-character: "↩"`` for code, so a
line broken there ends with the mark. Spaces still break as before, and a token with no
punctuation still breaks anywhere as the last resort.
"""

from __future__ import annotations

import html
import re

LONG_TOKEN = 20
BREAK_AFTER = frozenset("./\\_-:,;=&?()[]{}<>|+*@#")
SOFT_HYPHEN = "\u00ad"

_PIECE_RE = re.compile(r"<[^>]*>|&[#\w]+;|[^<&]+|[<&]")
_TAG_NAME_RE = re.compile(r"<\s*(/?)\s*(pre|code)\b", re.IGNORECASE)


def mark_code_breaks(page: str) -> str:
    """``page`` with soft hyphens after punctuation inside long tokens of ``<pre>`` and
    ``<code>`` text; tags and everything outside code are left as they are."""
    pieces: list[str] = []
    chars: list[tuple[int, str]] = []  # (index in pieces, the character it shows)
    depth = 0
    for match in _PIECE_RE.finditer(page):
        piece = match.group(0)
        tag = _TAG_NAME_RE.match(piece)
        if tag:
            depth = max(depth + (-1 if tag.group(1) else 1), 0)
            chars.append((-1, " "))  # a token ends with its element
        if piece.startswith("<") and len(piece) > 1:
            pieces.append(piece)
            continue
        if depth == 0:
            pieces.append(piece)
            continue
        if piece.startswith("&"):
            chars.append((len(pieces), html.unescape(piece)))
            pieces.append(piece)
            continue
        for character in piece:
            chars.append((len(pieces), character))
            pieces.append(character)
    breaks = _break_points(chars)
    if not breaks:
        return page
    for at in breaks:
        pieces[at] += SOFT_HYPHEN
    return "".join(pieces)


def _break_points(chars: list[tuple[int, str]]) -> list[int]:
    """Pieces after which a long token may break: its punctuation, not at its end."""
    found: list[int] = []
    run: list[tuple[int, str]] = []
    for item in [*chars, (-1, " ")]:
        if not item[1].isspace():
            run.append(item)
            continue
        if len(run) > LONG_TOKEN:
            found += [at for at, c in run[:-1] if c in BREAK_AFTER]
        run = []
    return found
