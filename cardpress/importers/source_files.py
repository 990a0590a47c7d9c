"""Finding and reading the sources of an import, a local clone someone else wrote.

An import reads only the files and folders named on the command line (and, for the
record, the license and git remote of the clone they sit in); it never fetches. Every
file is checked the way content is: a regular file inside the source folder, under a
size limit.
"""

from __future__ import annotations

import codecs
import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from cardpress.content.files import Unreadable, read_checked, shown
from cardpress.errors import CardpressError, UsageError

MAX_SOURCE_BYTES = 16 << 20  # one Markdown or CSV source file
MAX_PACKAGE_BYTES = 2 << 30  # one Anki package
LICENSE_NAMES = ("LICENSE", "LICENCE", "COPYING", "LICENSE.md", "LICENSE.txt", "LICENCE.md")

# (pattern in the license text, name); the first that matches names the license.
LICENSES: tuple[tuple[str, str], ...] = (
    (r"Attribution[- ]NonCommercial[- ]NoDeriv", "CC BY-NC-ND"),
    (r"Attribution[- ]NonCommercial[- ]ShareAlike", "CC BY-NC-SA"),
    (r"Attribution[- ]NonCommercial", "CC BY-NC"),
    (r"Attribution[- ]NoDeriv", "CC BY-ND"),
    (r"Attribution[- ]ShareAlike", "CC BY-SA"),
    (r"CC0|Creative Commons Zero|Public Domain Dedication", "CC0"),
    (r"Creative Commons Attribution", "CC BY"),
    (r"MIT License|Permission is hereby granted, free of charge", "MIT"),
    (r"Apache License", "Apache-2.0"),
    (r"GNU AFFERO GENERAL PUBLIC LICENSE", "AGPL"),
    (r"GNU LESSER GENERAL PUBLIC LICENSE", "LGPL"),
    (r"GNU GENERAL PUBLIC LICENSE", "GPL"),
    (r"Mozilla Public License", "MPL-2.0"),
    (r"This is free and unencumbered software", "Unlicense"),
    (r"Redistribution and use in source and binary forms", "BSD"),
)
_RESTRICTED_RE = re.compile(
    r"\b(?:NC|ND)\b|non-?commercial|no-?deriv|personal use only|not for commercial", re.I
)
_VERSION_RE = re.compile(r"\b(\d\.\d)\b")
_REMOTE_RE = re.compile(r'^\s*\[remote "origin"\]\s*$(.*?)(?=^\s*\[|\Z)', re.M | re.S)
_URL_RE = re.compile(r"^\s*url\s*=\s*(\S+)\s*$", re.M)


@dataclass(frozen=True)
class SourceSet:
    """The files of one import, and the folder their locations are relative to."""

    root: Path
    """The folder all sources lie in (the common parent of what was named)."""
    files: tuple[Path, ...]
    """Absolute paths, in the order they are read."""

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    encoding: str = ""
    """``--encoding``: what the files that are not UTF-8 are in; they are converted."""
    converted: list[str] = field(default_factory=list, compare=False)
    """The files converted from ``encoding``, for the report."""

    def read_text(self, path: Path) -> str:
        data = self.read_bytes(path, MAX_SOURCE_BYTES)
        rel = shown(self.relative(path), 200)
        data = data.removeprefix(codecs.BOM_UTF8)
        try:
            text = data.decode("utf-8")
            if "\0" in text and self.encoding:  # UTF-16 without a byte order mark
                raise UnicodeDecodeError("utf-8", data, data.index(0), 1, "NUL")
        except UnicodeDecodeError as exc:
            if not self.encoding:
                raise CardpressError(not_utf8(data, exc.start, rel)) from None
            try:
                text = data.decode(self.encoding).removeprefix("\ufeff")
            except UnicodeDecodeError as again:
                line, col = byte_position(data, again.start)
                raise CardpressError(
                    f"{rel}:{line}:{col}: file is neither UTF-8 nor {self.encoding} "
                    f"(byte 0x{data[again.start]:02x}): name its encoding with --encoding"
                ) from None
            self.converted.append(rel)
        if "\0" in text:
            line, col = byte_position(data, data.index(0))
            raise CardpressError(f"{rel}:{line}:{col}: file holds a NUL byte: is it text?")
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def read_bytes(self, path: Path, limit: int) -> bytes:
        try:
            return read_checked(self.root, path, limit, "source file")
        except Unreadable as exc:
            why = str(exc).replace("content folder", "sources' folder")
            raise UsageError(f"{shown(self.relative(path), 200)}: {why}") from None


def not_utf8(data: bytes, at: int, rel: str) -> str:
    """The error for a file that is not UTF-8 from byte ``at``: where, and the fix, with
    the text around it read as Windows-1252 when that reads (the usual other encoding)."""
    line, col = byte_position(data, at)
    fix = "name its encoding with --encoding (cp1252, latin-1, utf-16, ...)"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        fix = "it is UTF-16: run again with --encoding utf-16"
    else:
        start = max(data.rfind(b"\n", 0, at) + 1, at - 30)
        newline = data.find(b"\n", at)
        end = min(at + 30, len(data) if newline < 0 else newline)
        try:
            sample = data[start:end].decode("cp1252").strip()
        except UnicodeDecodeError:
            pass
        else:
            fix = (
                f"if it reads right as Windows-1252 ('{shown(sample)}'), "
                "run again with --encoding cp1252"
            )
    return f"{rel}:{line}:{col}: file is not UTF-8 (byte 0x{data[at]:02x}); {fix}"


def byte_position(data: bytes, at: int) -> tuple[int, int]:
    """Line and byte column of byte ``at``."""
    return data.count(b"\n", 0, at) + 1, at - (data.rfind(b"\n", 0, at) + 1) + 1


def collect(
    named: list[Path], suffixes: tuple[str, ...], exclude: list[str], encoding: str = ""
) -> SourceSet:
    """The files named, and the files with ``suffixes`` in the folders named, sorted,
    less those matching an ``exclude`` glob (on the path below the root, or the name)."""
    if not named:
        raise UsageError("name at least one source file or folder")
    resolved: list[Path] = []
    for path in named:
        if not path.exists():
            raise UsageError(f"source '{shown(path, 200)}' does not exist")
        resolved.append(path.resolve())
    parents = [p if p.is_dir() else p.parent for p in resolved]
    root = Path(os.path.commonpath([str(p) for p in parents]))
    found: dict[Path, None] = {}
    for path in resolved:
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.lower().endswith(suffixes) and not name.startswith("."):
                        found[Path(dirpath) / name] = None
        else:
            found[path] = None
    files = [
        f
        for f in sorted(found)
        if not any(
            fnmatch.fnmatch(f.relative_to(root).as_posix(), glob) or fnmatch.fnmatch(f.name, glob)
            for glob in exclude
        )
    ]
    if not files:
        raise UsageError(
            "no source files to read"
            + (f" (looked for {', '.join(suffixes)})" if suffixes else "")
            + (" after --exclude" if exclude and found else "")
        )
    return SourceSet(root=root, files=tuple(files), encoding=encoding)


@dataclass(frozen=True)
class Provenance:
    """Where the sources came from and under what license, as found in the clone."""

    source: str
    license: str
    personal_only: bool


def provenance(root: Path, stated_license: str | None, stated_source: str | None) -> Provenance:
    """The clone's origin URL (else its folder name) and license (else 'unknown')."""
    top = _clone_top(root)
    source = stated_source or _origin(top) or (top or root).name
    if stated_license:
        name = stated_license
    else:
        name = "unknown"
        for folder in _upwards(root, top):
            found = _license_in(folder)
            if found:
                name = found
                break
    return Provenance(source=source, license=name, personal_only=bool(_RESTRICTED_RE.search(name)))


def default_title(root: Path) -> str:
    """The name of the clone the sources sit in, else of their folder."""
    return (_clone_top(root) or root).name


def image_root(root: Path) -> Path:
    """Images may come from anywhere in the clone the sources sit in (else their folder)."""
    return _clone_top(root) or root


def _clone_top(root: Path) -> Path | None:
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _upwards(root: Path, top: Path | None) -> list[Path]:
    if top is None:
        return [root]
    return [root, *[p for p in root.parents if p.is_relative_to(top)]]


def _origin(top: Path | None) -> str:
    if top is None or not (top / ".git" / "config").is_file():
        return ""
    try:
        text = read_checked(top, top / ".git" / "config", 1 << 20).decode("utf-8", "replace")
    except Unreadable:
        return ""
    section = _REMOTE_RE.search(text)
    url = _URL_RE.search(section.group(1)) if section else None
    if not url:
        return ""
    value = re.sub(r"^(https?://)[^/@]*@", r"\1", url.group(1))  # no credentials
    return value.removesuffix(".git") if value.startswith("https://") else value


def _license_in(folder: Path) -> str:
    for name in LICENSE_NAMES:
        path = folder / name
        if not path.is_file():
            continue
        try:
            text = read_checked(folder, path, 1 << 20).decode("utf-8", "replace")
        except Unreadable:
            continue
        for pattern, license_name in LICENSES:
            match = re.search(pattern, text, re.IGNORECASE)
            if match:
                version = _VERSION_RE.search(text[match.start() : match.start() + 200])
                if license_name.startswith("CC BY") and version:
                    license_name += f" {version.group(1)}"
                return f"{license_name} ({name})"
        return f"not recognised (see {name})"
    return ""
