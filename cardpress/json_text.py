"""JSON laid out one value per line, byte for byte as ``json.dumps(value, indent=n)`` lays
it out, in about half its time.

With an indent the standard library encodes in pure Python, one generator per level; the
lock of a 1,000-card deck (1.2 MB) is written again after every edit, and the JSON model
after every build. Here each string goes through the C encoder and each container is one
loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any


def dumps(value: Any, indent: int, ensure_ascii: bool = True) -> str:
    """``json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)``, the same text."""
    parts: list[str] = []
    _emit(
        value,
        "\n",
        " " * indent,
        encode_basestring_ascii if ensure_ascii else encode_basestring,
        parts,
    )
    return "".join(parts)


def _emit(
    value: Any, newline: str, step: str, text: Callable[[str], str], parts: list[str]
) -> None:
    if isinstance(value, str):
        parts.append(text(value))
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = newline + step
        opening = "{" + inner
        for key, item in value.items():
            name = text(key if isinstance(key, str) else _key(key))
            if isinstance(item, str):  # most values: no call
                parts.append(opening + name + ": " + text(item))
            else:
                parts.append(opening + name + ": ")
                _emit(item, inner, step, text, parts)
            opening = "," + inner
        parts.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        inner = newline + step
        opening = "[" + inner
        for item in value:
            if isinstance(item, str):
                parts.append(opening + text(item))
            else:
                parts.append(opening)
                _emit(item, inner, step, text, parts)
            opening = "," + inner
        parts.append(newline + "]")
    elif type(value) is int:
        parts.append(int.__repr__(value))
    else:  # other numbers, booleans, null; anything else raises TypeError as json.dumps does
        parts.append(json.dumps(value))


def _key(key: Any) -> str:
    """A key that is not a string, as json.dumps turns it into one."""
    if key is None or isinstance(key, (bool, int, float)):
        text: str = json.dumps(key)
        return text
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
