"""The texts of a card as the lock compares them: a hash of the normalised text, and the
slug a new id is made from."""

from __future__ import annotations

import hashlib
import re

_SLUG_RE = re.compile(r"[^\w]+")


_TEXT_HASHES: dict[str, str] = {}
"""Texts hashed by this process: every build hashes every card's question and answer,
and the builds of ``serve`` and ``--watch`` meet the same texts again (kept objects,
whose own hash Python has cached). Bounded: emptied when it grows past the limit."""
_MAX_TEXT_HASHES = 100_000


def text_hash(text: str) -> str:
    known = _TEXT_HASHES.get(text)
    if known is not None:
        return known
    normal = " ".join(text.lower().split())
    digest = _TEXT_HASHES[text] = hashlib.sha256(normal.encode()).hexdigest()[:16]
    if len(_TEXT_HASHES) > _MAX_TEXT_HASHES:
        _TEXT_HASHES.clear()
    return digest


def slug(text: str, max_words: int = 6, max_length: int = 48) -> str:
    words = _SLUG_RE.sub(" ", text.lower().replace("_", " ")).split()
    out = ""
    for word in words[:max_words]:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > max_length:
            break
        out = candidate
    return out or "card"
