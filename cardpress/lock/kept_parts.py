"""The lock's parts kept decoded between the builds of one process (``serve``,
``--watch``): a part whose bytes are the same as the last time they were read at its
place is not decoded again. Its notes are frozen, so they can be shared."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

Decoded = TypeVar("Decoded")

_remembered: dict[Path, tuple[bytes, object]] | None = None
"""Each part's bytes and what they decoded to, by place; None: not kept."""


def remember_parts_between_builds() -> None:
    """Keep each part read in memory, so that the next build of this process decodes only
    the parts whose bytes changed."""
    global _remembered
    if _remembered is None:
        _remembered = {}


def forget_remembered_parts() -> None:
    global _remembered
    _remembered = None


def decoded(where: Path, raw: bytes, decode: Callable[[bytes], Decoded]) -> Decoded:
    """``decode(raw)``, or what it gave the last time these very bytes were read at
    ``where``."""
    if _remembered is not None:
        kept = _remembered.get(where)
        if kept is not None and kept[0] == raw:
            return kept[1]  # type: ignore[return-value]
    value = decode(raw)
    if _remembered is not None:
        _remembered[where] = (raw, value)
    return value
