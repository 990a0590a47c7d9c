"""The lock's parts kept decoded between the builds of one process (``serve``,
``--watch``): a part whose bytes are the same as the last time they were read at its
place is not decoded again. Its notes are frozen, so they can be shared."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from cardpress.caching import KeptBetweenBuilds

Decoded = TypeVar("Decoded")

REMEMBERED: KeptBetweenBuilds[Path, tuple[bytes, object]] = KeptBetweenBuilds()
"""Each part's bytes and what they decoded to, by place (off unless kept)."""


def decoded(where: Path, raw: bytes, decode: Callable[[bytes], Decoded]) -> Decoded:
    """``decode(raw)``, or what it gave the last time these very bytes were read at
    ``where``."""
    kept = REMEMBERED.get(where)
    if kept is not None and kept[0] == raw:
        return kept[1]  # type: ignore[return-value]
    value = decode(raw)
    REMEMBERED.put(where, (raw, value))
    return value
