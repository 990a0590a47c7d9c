"""Parsed files kept between builds, so an edit re-parses only the file it touched.

An entry holds what one Markdown file contributed to its deck (sections with their cards,
its intro, the ids, section keys and images it used) under a key made of the file's path,
its text and cardpress's own code. An entry is used only while every image it names still
has the same bytes. Files that produced any diagnostic are never stored, so reusing an
entry never hides a warning.

Entries live in the user's cache folder (see ``user_cache``), never in the output folder,
and are plain JSON checked field by field against the model's types when read: a damaged
or forged entry is at worst parsed again, and reading one can never run code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import json
import operator
import types
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from cardpress import atomic
from cardpress.caching import code_fingerprint
from cardpress.content.files import SourceFile
from cardpress.content.scan import ContentScan
from cardpress.parse.drafts import ParsedFile

ENTRY_SUFFIX = ".json"


class Damaged(ValueError):
    """An entry that does not have the model's shape."""


Decoder = Callable[[Any], Any]


_FIELDS: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _as_json(value: Any) -> Any:
    """What ``json`` cannot write itself, as JSON: a dataclass as the tuple of its fields,
    in order (written as a list), read by one C call per class; an enum as its value
    (``StrEnum`` values are strings, which ``json`` writes without asking)."""
    kind = type(value)
    fields = _FIELDS.get(kind)
    if fields is None:
        if not dataclasses.is_dataclass(value) or isinstance(value, type):
            if isinstance(value, enum.Enum):
                return value.value
            raise TypeError(f"the parse cache cannot store {kind.__name__}")
        names = [f.name for f in dataclasses.fields(value)]
        fields = _FIELDS[kind] = (
            operator.attrgetter(*names) if len(names) > 1 else lambda v: tuple(_get(v, names))
        )
    return fields(value)


def _get(value: Any, names: list[str]) -> Iterator[Any]:
    return (getattr(value, name) for name in names)


_SCALARS = (str, int, bool)


def _scalar(kind: type) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is not kind:
            raise Damaged(f"expected {kind.__name__}")
        return value

    return decode


def _decoder(hint: Any) -> Decoder:
    """A function that turns JSON back into ``hint``, raising Damaged on any mismatch."""
    origin, args = get_origin(hint), get_args(hint)
    if hint in _SCALARS:
        return _scalar(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        text = _scalar(str)
        return lambda value: hint(text(value))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])
        return lambda value: tuple(item(v) for v in _scalar(list)(value))
    if origin is tuple:
        items = [_decoder(a) for a in args]

        def fixed(value: Any) -> Any:
            if type(value) is not list or len(value) != len(items):
                raise Damaged("wrong length")
            return tuple(d(v) for d, v in zip(items, value, strict=True))

        return fixed
    if origin in (Union, types.UnionType) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        other = _decoder(inner)
        return lambda value: None if value is None else other(value)
    raise TypeError(f"the parse cache cannot store {hint!r}")


def _dataclass_decoder(cls: type) -> Decoder:
    """The decoder of ``cls`` as one generated function: an entry holds thousands of
    values, and one call per value was most of the time a cached file cost."""
    hints = get_type_hints(cls)
    names = [f"v{i}" for i in range(len(dataclasses.fields(cls)))]
    namespace: dict[str, Any] = {"Damaged": Damaged, "cls": cls}
    lines = [
        "def decode(value):",
        f"    if type(value) is not list or len(value) != {len(names)}:",
        f"        raise Damaged('not a {cls.__name__}')",
        f"    {', '.join(names)}, = value",
    ]
    for name, field in zip(names, dataclasses.fields(cls), strict=True):
        lines += [f"    {line}" for line in _field_lines(name, hints[field.name], namespace)]
    lines.append(f"    return cls({', '.join(names)})")
    exec("\n".join(lines), namespace)  # our own source, from the model's types
    decode: Decoder = namespace["decode"]
    return decode


def _field_lines(name: str, hint: Any, namespace: dict[str, Any]) -> list[str]:
    """Lines that check ``name`` against ``hint`` and leave the field's value in it."""
    origin, args = get_origin(hint), get_args(hint)
    if hint in _SCALARS:
        return [
            f"if type({name}) is not {hint.__name__}: raise Damaged('expected {hint.__name__}')"
        ]
    optional = origin in (Union, types.UnionType) and type(None) in args and len(args) == 2
    if optional and args[0] in _SCALARS:
        kind = args[0].__name__
        return [f"if {name} is not None and type({name}) is not {kind}: raise Damaged('{kind}')"]
    if origin is tuple and args == (str, Ellipsis):
        return [
            f"if type({name}) is not list or any(type(x) is not str for x in {name}):",
            "    raise Damaged('expected strings')",
            f"{name} = tuple({name})",
        ]
    decoder = f"decode_{name}"
    namespace[decoder] = _decoder(hint)
    return [f"{name} = {decoder}({name})"]


_decode_parsed: Decoder | None = None


def decode_entry(data: bytes, key: str) -> ParsedFile:
    """The entry stored under ``key``; raises Damaged (or ValueError) if it is not one."""
    global _decode_parsed
    if _decode_parsed is None:
        _decode_parsed = _dataclass_decoder(ParsedFile)
    entry = json.loads(data)
    if type(entry) is not dict or entry.get("key") != key:
        raise Damaged("entry of another file")
    parsed: ParsedFile = _decode_parsed(entry.get("parsed"))
    return parsed


def encode_entry(parsed: ParsedFile, key: str) -> bytes:
    entry = {"key": key, "parsed": parsed}
    return json.dumps(entry, ensure_ascii=False, default=_as_json, check_circular=False).encode()


class ParseCache:
    """A folder of ``ParsedFile`` entries in the user's cache folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.used: set[str] = set()
        self.pending: dict[str, ParsedFile] = {}  # written by ``save``, after a good build
        self.encoded: dict[str, bytes] = {}  # entries of ``pending`` encoded already
        self.damaged = 0  # entries found but not readable

    def key(self, source: SourceFile) -> str:
        digest = hashlib.sha256(code_fingerprint().encode())
        digest.update(source.rel.encode() + b"\0" + source.text.encode())
        if source.math:  # the same text reads differently in a deck with math
            digest.update(b"\0math")
        if source.dialect:  # the same text reads differently in another dialect
            digest.update(b"\0dialect\0" + source.dialect.encode())
        if source.vault is not None:  # and with other separators or cloze patterns
            digest.update(b"\0vault\0" + source.vault.fingerprint().encode())
        return digest.hexdigest()

    def get(self, key: str, scan: ContentScan) -> ParsedFile | None:
        self.used.add(key)
        try:
            parsed = decode_entry((self.folder / f"{key}{ENTRY_SUFFIX}").read_bytes(), key)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError, OverflowError):
            self.damaged += 1  # parsed again; the build says so once
            return None
        for media in parsed.media:
            if scan.hash(media.path) != media.sha256:
                return None
        return parsed

    def damaged_warnings(self) -> list[str]:
        """One warning counting the entries found but not readable, if any."""
        if not self.damaged:
            return []
        entries = "entry" if self.damaged == 1 else "entries"
        return [
            f"cardpress: warning: {self.folder}: {self.damaged} parse cache {entries} could "
            "not be read; ignored, parsed again"
        ]

    def put(self, key: str, parsed: ParsedFile) -> None:
        self.used.add(key)
        self.pending[key] = parsed

    def put_encoded(self, key: str, parsed: ParsedFile, entry: bytes) -> None:
        """``put`` with the entry already encoded (by a worker): ``save`` writes it as is."""
        self.put(key, parsed)
        self.encoded[key] = entry

    def has(self, key: str) -> bool:
        return (self.folder / f"{key}{ENTRY_SUFFIX}").is_file()

    def prefetch(self, sources: Sequence[SourceFile]) -> None:
        """Parses nothing ahead; ``parse_parallel.ParallelParse`` does."""

    def save(self) -> None:
        """Write the new entries and drop those this build did not use: only once the
        build succeeded. Not synced: a lost entry is only parsed again."""
        if self.pending:
            self.folder.mkdir(parents=True, exist_ok=True)
        for key, parsed in self.pending.items():
            data = self.encoded.get(key) or encode_entry(parsed, key)
            atomic.replace_unsynced(self.folder / f"{key}{ENTRY_SUFFIX}", data)
        self.pending.clear()
        self.encoded.clear()
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.name.removesuffix(ENTRY_SUFFIX) not in self.used:
                with contextlib.suppress(OSError):
                    entry.unlink()
