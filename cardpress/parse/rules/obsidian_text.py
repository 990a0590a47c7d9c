"""Obsidian's own syntax inside a card, turned into the Markdown the shared rules read.

Wikilinks become their text, embeds of images become Markdown images found as Obsidian
finds them, ``==highlights==`` become marks (or cloze deletions in a cloze card), tags are
collected for Anki, the plugin's scheduling comments and block ids are dropped. Code
spans, formulas and addresses are left exactly as written: a ``==`` or ``#`` inside them is
not syntax.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cardpress.content.images import IMAGE_SUFFIXES
from cardpress.content.vault import VaultSettings, resolve_link

SR_COMMENT_RE = re.compile(r"\s?<!--SR:.*?-->")
BLOCK_ID_RE = re.compile(r" \^[A-Za-z0-9-]+\s*$")
TAG_RE = re.compile(r"(?<![^\s(\[{,;])#([^\s#!\"$%&'()*+,.:;<=>?@\[\\\]^`{|}~]+)")
"""A tag as Obsidian reads one: ``#`` after a space (or at the start), no punctuation."""
WIDTH_MARK = "\u2063w"
"""Put in an image's title to carry an embed's width to the token (``set_widths``)."""
_EMBED_RE = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
_REMOTE_IMAGE_RE = re.compile(r"!\[([^\]\n]*)\]\((https?://[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_PROTECTED_RE = re.compile(
    r"(?P<code>`+)(?:.+?)(?P=code)"  # a code span
    r"|\$\$.+?\$\$|\$(?=\S)(?:[^$\n]*?\S)?\$(?!\d)"  # formulas
    r"|<[a-zA-Z][\w+.-]*:[^\s<>]*>|[a-zA-Z][\w+.-]*://[^\s<>()]*"  # addresses
    r"|\]\([^)\s]*\)"  # a link's target
)


def protected(line: str) -> list[tuple[int, int]]:
    """Spans of ``line`` that hold no Obsidian syntax: code, formulas, addresses."""
    return [match.span() for match in _PROTECTED_RE.finditer(line)]


def outside(line: str, index: int, spans: list[tuple[int, int]] | None = None) -> bool:
    spans = protected(line) if spans is None else spans
    return not any(start <= index < end for start, end in spans)


def first_outside(line: str, needle: str) -> int:
    """Where ``needle`` first appears outside code, formulas and addresses; -1 if not."""
    spans = protected(line)
    index = line.find(needle)
    while index != -1:
        if outside(line, index, spans) and outside(line, index + len(needle) - 1, spans):
            return index
        index = line.find(needle, index + 1)
    return -1


def tags_in(line: str) -> list[str]:
    """The tags written on a line, without '#', outside code and addresses."""
    spans = protected(line)
    return [
        m.group(1)
        for m in TAG_RE.finditer(line)
        if outside(line, m.start(), spans) and not m.group(1).isdigit()
    ]


def anki_tag(tag: str) -> str:
    """A nested Obsidian tag ``a/b`` as Anki's hierarchical tag ``a::b``."""
    return "::".join(part for part in tag.strip("#").split("/") if part)


@dataclass
class Converted:
    """What converting a card's text found besides the text."""

    tags: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Embeds no file of the vault answers."""
    unshown: list[tuple[str, bool]] = field(default_factory=list)
    """Embedded notes and drawings (True), shown by name: their content is not copied in."""
    remote: list[str] = field(default_factory=list)
    """Images on the web, shown as links: nothing is fetched from the network."""
    deletions: int = 0


@dataclass(frozen=True)
class ClozePattern:
    """One of the plugin's cloze patterns, e.g. ``==[123;;]answer[;;hint]==``."""

    regex: re.Pattern[str]

    @classmethod
    def of(cls, pattern: str) -> ClozePattern | None:
        found = re.fullmatch(
            r"(?P<open>.*?)(?:\[123(?P<seq>[^\]]*)\])?answer(?:\[(?P<hint>[^\]]*)hint\])?(?P<close>.*)",
            pattern,
        )
        if found is None or not found["open"] or not found["close"]:
            return None
        seq = rf"(?:(?P<n>\d+){re.escape(found['seq'])})?" if found["seq"] else ""
        hint = rf"(?:{re.escape(found['hint'])}(?P<hint>.+?))?" if found["hint"] else ""
        body = rf"{re.escape(found['open'])}{seq}(?P<answer>.+?){hint}{re.escape(found['close'])}"
        return cls(re.compile(body))


def cloze_patterns(settings: VaultSettings) -> list[ClozePattern]:
    return [p for p in map(ClozePattern.of, settings.cloze_patterns) if p is not None]


def has_deletion(line: str, patterns: list[ClozePattern]) -> bool:
    found = Converted()
    for pattern in patterns:
        _outside_only(line, pattern.regex, lambda m: _counted(found))
    return found.deletions > 0


def _counted(found: Converted) -> str:
    found.deletions += 1
    return ""


def _outside_only(
    line: str, regex: re.Pattern[str], replace: Callable[[re.Match[str]], str]
) -> str:
    spans = protected(line)
    out, last, position = [], 0, 0
    while (match := regex.search(line, position)) is not None:
        if not outside(line, match.start(), spans):
            position = match.start() + 1  # a match may start only outside code and formulas
            continue
        out.append(line[last : match.start()])
        out.append(replace(match))
        last = position = match.end()
    out.append(line[last:])
    return "".join(out)


def convert_line(
    line: str,
    note: str,
    settings: VaultSettings,
    found: Converted,
    cloze: list[ClozePattern] | None = None,
) -> str:
    """One line of a card as Markdown the shared rules read (see the module's docstring)."""
    line = SR_COMMENT_RE.sub("", line)
    line = BLOCK_ID_RE.sub("", line)

    def link(match: re.Match[str]) -> str:
        embed, inside = match.group(1) == "!", match.group(2)
        target, _, label = inside.partition("|")
        path, _, heading = target.partition("#")
        resolved = resolve_link(path, note, settings) if path.strip() else None
        if embed and posixpath.splitext(path.strip())[1].lower() in IMAGE_SUFFIXES:
            if resolved is None:
                found.missing.append(path.strip())
                return _escape(label if label and not label.strip().isdigit() else path.strip())
            rel = posixpath.relpath(resolved, posixpath.dirname(note) or ".")
            width = re.fullmatch(r"\s*(\d{1,4})(?:\s*x\s*\d{1,4})?\s*", label)
            alt = posixpath.basename(resolved) if (not label or width) else label
            title = f' "{WIDTH_MARK}{width.group(1)}"' if width else ""
            return f"![{_escape(alt)}](<{rel}>{title})"
        if embed:
            drawing = _drawing_export(path.strip(), resolved, note, settings)
            if drawing is not None:
                rel = posixpath.relpath(drawing, posixpath.dirname(note) or ".")
                return f"![{_escape(posixpath.basename(path.strip()))}](<{rel}>)"
            drawn = ".excalidraw" in (resolved or path)
            found.unshown.append((path.strip(), drawn))
        if label:
            return _escape(label)
        name = posixpath.basename(path.strip()) if path.strip() else ""
        name = name[:-3] if name.endswith(".md") else name
        parts = [name] + [h.strip() for h in heading.split("#") if h.strip().lstrip("^")]
        return _escape(" › ".join(part for part in parts if part))

    line = _outside_only(line, _EMBED_RE, link)

    def remote(match: re.Match[str]) -> str:
        found.remote.append(match.group(2))
        return f"[{match.group(1) or 'image'}]({match.group(2)})"

    line = _outside_only(line, _REMOTE_IMAGE_RE, remote)
    found.tags.extend(tags_in(line))
    if cloze:
        number = [0]

        def deletion(match: re.Match[str]) -> str:
            number[0] += 1
            found.deletions += 1
            groups = match.groupdict()
            answer = groups["answer"]
            hint = f"::{groups['hint']}" if groups.get("hint") else ""
            if groups.get("n"):
                return f"{{{{c{groups['n']}::{answer}{hint}}}}}"
            return f"{{{{{answer}}}}}" if not hint else f"{{{{c{number[0]}::{answer}{hint}}}}}"

        for pattern in cloze:
            line = _outside_only(line, pattern.regex, deletion)
    line = _outside_only(
        line, re.compile(r"==(?=\S)(.+?)(?<=\S)=="), lambda m: f"<mark>{m.group(1)}</mark>"
    )
    return line


def _drawing_export(
    path: str, resolved: str | None, note: str, settings: VaultSettings
) -> str | None:
    """An Excalidraw drawing's exported image (its auto-export's SVG or PNG), if any."""
    base = resolved.removesuffix(".md") if resolved else path
    if not base.endswith(".excalidraw"):
        return None
    for suffix in (".svg", ".png"):
        for name in (base + suffix, base.removesuffix(".excalidraw") + suffix):
            found = resolve_link(name, note, settings)
            if found is not None:
                return found
    return None


def _escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)
