"""Read a content folder into the model, collecting every problem with its source line.

Nothing here writes a file. ``read_content`` returns the decks and their lock state;
the build decides what to write. The content may be hostile: every input is bounded
(see the limits below and in docs/format.md), every path is checked to stay inside the
content folder, and any input gives either a model or ContentError, never a crash.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from markdown_it.token import Token

from cardpress import cloze_text, markup, sources
from cardpress.content_files import (
    MAX_DECK_BYTES,
    MAX_FILE_BYTES,
    MAX_IMAGE_BYTES,
    MAX_LOCK_BYTES,
    MAX_MEDIA_BYTES,
    Cursor,
    SourceFile,
    Unreadable,
    checked_path,
    decode_text,
    display_path,
    image_type,
    read_checked,
    resolve_inside,
    shown,
    svg_problem,
)
from cardpress.errors import ContentError, Diagnostic
from cardpress.lock import Lock, assign_ids
from cardpress.model import (
    EMPTY,
    Callout,
    CalloutKind,
    Card,
    CardKind,
    Deck,
    Fragment,
    MediaFile,
    Section,
    SourceLocation,
    cloze_to_html,
)
from cardpress.parse_cache import ParseCache, ParsedFile
from cardpress.sources import DeckSources

__all__ = [
    "MAX_CARDS_PER_DECK",
    "MAX_DECK_BYTES",
    "MAX_FILE_BYTES",
    "MAX_IMAGE_BYTES",
    "MAX_MEDIA_BYTES",
    "ContentState",
    "DeckParser",
    "Reporter",
    "SourceFile",
    "load_content",
    "read_content",
]

MAX_CARDS_PER_DECK = 10_000  # the PDF takes about a minute and 0.5 GB per 2,000 cards
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_FRONT_MATTER_DEPTH = 8  # the front matter needs two levels; PyYAML recurses per level
MAX_STAMP = 10**11  # lock file times are seconds since 1970
DECK_KEYS = {"title", "id", "description", "tags", "paper", "source", "license"}
PAPERS = ("a4", "letter")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}

_DECK_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_CARD_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_TAG_RE = re.compile(r'^[^\s"]+$')
_ALERT_RE = re.compile(r"^\[!([A-Za-z]+)\][ \t]*(?:\n|$)")
_SETTING_RE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*:(.*)$")  # no backtracking on spaces
_BRACKET_RE = re.compile(r"[\[\]{}]")
_GUID_RE = re.compile(r"^[!-~]{1,100}$")  # an Anki note GUID kept by cardpress import
_LOCK_ID_RE = re.compile(r"^[\w.-]{1,200}$")  # ids the lock may hold, explicit or made


class Reporter:
    """Collects diagnostics; ``strict`` turns warnings into errors."""

    def __init__(self, strict: bool = False):
        self.strict = strict
        self.diagnostics: list[Diagnostic] = []

    def error(self, location: SourceLocation, message: str) -> None:
        self.diagnostics.append(Diagnostic(location, "error", message))

    def warning(self, location: SourceLocation, message: str) -> None:
        severity = "error" if self.strict else "warning"
        self.diagnostics.append(Diagnostic(location, severity, message))

    @property
    def failed(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]


@dataclass
class ContentState:
    """What ``read_content`` found: decks with ids assigned, and their lock files."""

    decks: list[Deck]
    locks: dict[str, Lock]
    removed: dict[str, list[str]]
    warnings: list[Diagnostic]
    units: dict[str, DeckSources]  # deck key -> its files


def load_content(content_dir: Path, *, strict: bool = False) -> list[Deck]:
    return read_content(content_dir, strict=strict).decks


def read_content(
    content_dir: Path,
    *,
    strict: bool = False,
    now: int | None = None,
    cache: ParseCache | None = None,
) -> ContentState:
    """Parse every deck in ``content_dir``; raise ContentError listing all problems.

    With ``cache``, files unchanged since an earlier parse are taken from it."""
    reporter = Reporter(strict)
    root_location = SourceLocation(str(content_dir), 0)
    if not content_dir.is_dir():
        what = "is not a folder" if content_dir.exists() else "does not exist"
        raise ContentError([Diagnostic(root_location, "error", f"content folder {what}")])
    root = content_dir.resolve()
    units: list[DeckSources] = []
    for found in sources.discover(root):
        if isinstance(found, sources.MissingIndex):
            reporter.error(
                SourceLocation(
                    display_path(found.folder.relative_to(root).as_posix()) + "/index.md", 0
                ),
                "deck folder has no index.md with the deck's front matter",
            )
        elif isinstance(found, sources.OutsideLink):
            is_folder = found.path.is_dir()
            reporter.error(
                SourceLocation(display_path(found.path.name) + ("/" if is_folder else ""), 0),
                f"{'deck folder' if is_folder else 'file'} is a link that leads outside "
                "the content folder",
            )
        elif isinstance(found, sources.Unusable):
            reporter.error(_unusable_location(root, found, root_location), found.problem)
        else:
            units.append(found)
    if not units and not reporter.failed:
        reporter.error(
            root_location, "content folder has no decks: add <name>.md or <name>/index.md"
        )
    decks: list[Deck] = []
    unit_of: dict[str, DeckSources] = {}
    for unit in units:
        deck = DeckParser(root, list(unit.files), reporter, cache).parse()
        if deck is not None:
            decks.append(deck)
            unit_of[deck.key] = unit
    seen: dict[str, Deck] = {}
    for deck in decks:
        if deck.key in seen:
            reporter.error(
                deck.location,
                f"deck id '{deck.key}' is already used by the deck at {seen[deck.key].location}",
            )
        seen.setdefault(deck.key, deck)
    if reporter.failed:
        raise ContentError(reporter.diagnostics)

    stamp_now = int(time.time()) if now is None else now
    locks: dict[str, Lock] = {}
    removed: dict[str, list[str]] = {}
    final: list[Deck] = []
    for deck in decks:
        lock_path = unit_of[deck.key].lock
        lock = _read_lock(root, lock_path, deck.key, stamp_now, reporter)
        if lock is None:
            continue
        deck = assign_ids(deck, lock)
        removed[deck.key] = lock.removed_since_last_build(deck)
        lock.mark_removed(deck)
        locks[deck.key] = lock
        final.append(deck)
    if reporter.failed:
        raise ContentError(reporter.diagnostics)
    return ContentState(final, locks, removed, sorted(reporter.warnings), unit_of)


def _unusable_location(
    root: Path, found: sources.Unusable, root_location: SourceLocation
) -> SourceLocation:
    if found.path == root:
        return root_location
    rel = display_path(found.path.relative_to(root).as_posix())
    return SourceLocation(rel + ("/" if found.folder else ""), 0)


def _read_lock(root: Path, path: Path, deck: str, now: int, reporter: Reporter) -> Lock | None:
    """The deck's lock file, checked like any other input; None (reported) if unusable."""
    rel = display_path(path.relative_to(root).as_posix())
    if path.is_symlink() or path.exists():
        try:
            checked_path(root, path, MAX_LOCK_BYTES, "lock file")
        except Unreadable as refused:
            reporter.error(SourceLocation(rel, 0), str(refused))
            return None
    where = SourceLocation(rel, 1)
    try:
        lock = Lock.read(path, deck, now)
        problem = _lock_problem(lock)
    except json.JSONDecodeError as exc:
        where = SourceLocation(rel, exc.lineno, exc.colno)
        problem = f"not JSON: {exc.msg}"
    except ValueError as exc:  # the wrong version, or a time that is not a number
        problem = shown(exc, 100)
    except KeyError as exc:
        problem = f"an entry has no {shown(exc.args[0])!r}"
    except (TypeError, AttributeError):  # a list where a mapping belongs, say
        problem = "an entry has the wrong type"
    except OverflowError:
        problem = "a number is too large"
    except RecursionError:
        problem = "nested too deeply"
    if problem:
        reporter.error(where, f"lock file is damaged ({problem}); restore it from version control")
        return None
    return lock


def _lock_problem(lock: Lock) -> str:
    """What in a readable lock file could not have been written by cardpress, or ''."""
    for card_id, entry in lock.cards.items():
        for named in (card_id, entry.note, entry.renamed_to):
            if named is not None and not _LOCK_ID_RE.match(named):
                return f"card id '{shown(named)}' is not valid"
    times = [t for _, t in lock.stamps.values()] + ([lock.content[1]] if lock.content else [])
    if any(not 0 <= t < MAX_STAMP for t in times):
        return "a time is out of range"
    return ""


def _read_source(root: Path, path: Path, reporter: Reporter) -> SourceFile | None:
    rel = path.relative_to(root).as_posix()
    try:
        data = read_checked(root, path, MAX_FILE_BYTES)
    except Unreadable as refused:
        reporter.error(SourceLocation(display_path(rel), 0), str(refused))
        return None
    text, problem = decode_text(data)
    if problem is not None:
        where = SourceLocation(display_path(rel), problem.line, problem.col)
        reporter.error(where, problem.message)
        return None
    lines = text.split("\n")
    return SourceFile(path=resolve_inside(root, path), rel=rel, text=text, lines=lines)


def _split_front_matter(source: SourceFile, reporter: Reporter, wanted: bool) -> None:
    """Parse YAML front matter and blank its lines, so token line numbers stay file lines."""
    lines = source.lines
    if not lines or lines[0].rstrip() != "---":
        if wanted:
            reporter.error(
                source.location(1, 1),
                "missing front matter: start the file with '---', then title: and id:, then '---'",
            )
        return
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:  # the rest is still read as Markdown, to report its problems too
        reporter.error(source.location(1, 1), "front matter is not closed: add a '---' line")
        return
    if not wanted:
        reporter.error(
            source.location(1, 1),
            "front matter is only allowed in the deck's first file (index.md)",
        )
    yaml_text = "\n".join(lines[1:end])
    source.set_lines([""] * (end + 1) + lines[end + 1 :])
    if not wanted:
        return
    if len(yaml_text.encode()) > MAX_FRONT_MATTER_BYTES:
        reporter.error(
            source.location(2, 1),
            f"front matter is over the limit of {MAX_FRONT_MATTER_BYTES} bytes",
        )
        return
    try:
        if _bracket_depth(yaml_text) > 4 * MAX_FRONT_MATTER_DEPTH or (
            _yaml_depth(yaml_text) > MAX_FRONT_MATTER_DEPTH
        ):
            reporter.error(
                source.location(2, 1),
                f"front matter is nested too deeply (more than {MAX_FRONT_MATTER_DEPTH} levels)",
            )
            return
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        if node is not None and _yaml_has_aliases(node):
            reporter.error(source.location(2, 1), "front matter may not use YAML aliases")
            return
        data = yaml.safe_load(yaml_text)
    except yaml.reader.ReaderError as exc:  # a control character, before any parsing
        before = yaml_text[: exc.position]
        line, col = before.count("\n") + 2, len(before) - (before.rfind("\n") + 1) + 1
        character = chr(exc.character) if isinstance(exc.character, int) else exc.character
        reporter.error(
            source.location(line, col),
            f"invalid front matter: character '{shown(character)}' is not allowed in YAML",
        )
        return
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 2
        col = mark.column + 1 if mark else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        reporter.error(source.location(line, col), f"invalid front matter: {shown(problem, 100)}")
        return
    if not isinstance(data, dict):
        reporter.error(source.location(2, 1), "front matter must be a mapping of keys to values")
        return
    source.front_matter = data
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            source.front_matter_lines[str(key_node.value)] = key_node.start_mark.line + 2
    source.front_matter_start = 1


def _bracket_depth(text: str) -> int:
    """An upper bound of how deeply brackets nest, at a glance: PyYAML's scanner takes
    time in proportion to the depth for every token, so 30,000 '[' would take a minute."""
    depth = deepest = 0
    for match in _BRACKET_RE.finditer(text):
        depth = depth + 1 if match.group(0) in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _yaml_depth(yaml_text: str) -> int:
    """How deeply the YAML nests, from its events: PyYAML's parser does not recurse, but
    building the document does, once per level."""
    depth = deepest = 0
    for event in yaml.parse(yaml_text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            deepest = max(deepest, depth)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return deepest


def _yaml_has_aliases(node: yaml.Node) -> bool:
    stack: list[Any] = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            return True
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((key, value))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return False


def _parse_tags(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return value.replace(",", " ").split()
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v).strip() for v in value]
    return None


def _slug(text: str) -> str:
    return "-".join(re.sub(r"[^\w]+", " ", text.lower().replace("_", " ")).split())


@dataclass
class _CardDraft:
    heading: Token
    inline: Token
    source: SourceFile
    settings: dict[str, tuple[str, SourceLocation]] = field(default_factory=dict)
    body: list[list[Token]] = field(default_factory=list)


@dataclass
class _SectionDraft:
    heading_line: int
    source: SourceFile
    title: Fragment
    settings: dict[str, tuple[str, SourceLocation]] = field(default_factory=dict)
    intro: list[list[Token]] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    identity: tuple[str, tuple[str, ...]] | None = None  # (key, tags), read once


class DeckParser:
    """Parses the files of one deck into a Deck, reporting problems as it goes."""

    def __init__(
        self, root: Path, files: list[Path], reporter: Reporter, cache: ParseCache | None = None
    ):
        self.root = root
        self.files = files
        self.report = reporter
        self.cache = cache
        self.file_media: set[str] = set()  # media paths the file being parsed uses
        self.media: dict[str, MediaFile] = {}
        self.card_ids: dict[str, SourceLocation] = {}
        self.section_keys: dict[str, SourceLocation] = {}
        self.card_count = 0
        self.media_bytes = 0

    def parse(self) -> Deck | None:
        sources = [_read_source(self.root, path, self.report) for path in self.files]
        if sources[0] is None:
            return None
        first = sources[0]
        total = sum(len(s.text.encode()) for s in sources if s is not None)
        if total > MAX_DECK_BYTES:
            self.report.error(
                first.location(0),
                f"deck's Markdown files are {total} bytes, over the limit of "
                f"{MAX_DECK_BYTES} bytes: split it into several decks",
            )
            return None
        _split_front_matter(first, self.report, wanted=True)
        for source in sources[1:]:
            if source is not None:
                _split_front_matter(source, self.report, wanted=False)
        meta = self._deck_metadata(first)
        intros: list[Fragment] = []
        sections: list[Section] = []
        for source in sources:
            if source is not None:
                parsed = self._parse_or_reuse(source)
                sections.extend(parsed.sections)
                intros.append(parsed.intro)
        if meta is None:
            return None
        if not sections and not self.report.failed:
            self.report.warning(
                first.location(1), "deck has no sections: add '## Section' headings"
            )
        key, title, description, tags, paper = meta
        deck_tags = tuple(tags)
        sections = [
            Section(
                key=s.key,
                title=s.title,
                intro=s.intro,
                tags=s.tags,
                location=s.location,
                cards=tuple(_with_tags(c, deck_tags) for c in s.cards),
            )
            for s in sections
        ]
        return Deck(
            key=key,
            title=title,
            description=description,
            tags=deck_tags,
            paper=paper,
            intro=Fragment(
                html="".join(f.html for f in intros),
                text=" ".join(f.text for f in intros if f.text),
            ),
            sections=tuple(sections),
            media=tuple(sorted(self.media.values(), key=lambda m: m.name)),
            sources=tuple(s.rel for s in sources if s is not None),
            location=first.location(1),
        )

    # -- deck metadata --------------------------------------------------------------

    def _deck_metadata(self, source: SourceFile) -> tuple[str, str, str, list[str], str] | None:
        data = source.front_matter
        if data is None:
            return None
        line_of = source.front_matter_lines
        ok = True

        def where(key: str) -> SourceLocation:
            return source.location(line_of.get(key, 1), 1)

        for key in data:
            if str(key) not in DECK_KEYS:
                self.report.warning(
                    where(str(key)),
                    f"unknown front matter key '{shown(key)}' "
                    f"(known: {', '.join(sorted(DECK_KEYS))})",
                )
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            self.report.error(where("title"), "front matter needs a 'title' (a non-empty string)")
            ok = False
        deck_key = data.get("id")
        if not isinstance(deck_key, str) or not _DECK_KEY_RE.match(deck_key):
            self.report.error(
                where("id"),
                "front matter needs an 'id': the stable deck key, lowercase letters, digits "
                "and '-' (at most 64), e.g. id: aws-devops",
            )
            ok = False
        description = data.get("description", "")
        if description is None:
            description = ""
        if not isinstance(description, str):
            self.report.error(where("description"), "'description' must be a string")
            ok = False
        tags = _parse_tags(data.get("tags", []) or [])
        if tags is None:
            self.report.error(where("tags"), "'tags' must be a list or a space-separated string")
            ok = False
            tags = []
        for tag in tags:
            if not _TAG_RE.match(tag):
                self.report.error(
                    where("tags"), f"tag '{shown(tag)}' may not contain spaces or quotes"
                )
                ok = False
        for key in ("source", "license"):  # recorded by cardpress import, for people
            if not isinstance(data.get(key, ""), str):
                self.report.error(where(key), f"'{key}' must be a string")
                ok = False
        paper = data.get("paper", "a4")
        if not isinstance(paper, str) or paper.lower() not in PAPERS:
            self.report.error(where("paper"), "'paper' must be 'a4' or 'letter'")
            ok = False
            paper = "a4"
        if not ok:
            return None
        assert isinstance(title, str) and isinstance(deck_key, str)
        assert isinstance(description, str)
        return deck_key, title.strip(), description.strip(), tags, paper.lower()

    # -- structure ------------------------------------------------------------------

    def _parse_or_reuse(self, source: SourceFile) -> ParsedFile:
        """A file's sections and intro, from the cache when its bytes and images are the
        same; a file with any diagnostic is never cached, so reusing one reports nothing."""
        key = self.cache.key(source) if self.cache else ""
        cached = self.cache.get(key, self.root) if self.cache else None
        if cached is not None and self._reuse(cached):
            return cached
        before = (len(self.report.diagnostics), set(self.card_ids), set(self.section_keys))
        count, self.file_media = self.card_count, set()
        intro: list[list[Token]] = []
        sections = self._parse_file(source, intro)
        parsed = ParsedFile(
            sections=tuple(sections),
            intro=self._render(intro, source),
            card_ids=tuple((k, v) for k, v in self.card_ids.items() if k not in before[1]),
            section_keys=tuple((k, v) for k, v in self.section_keys.items() if k not in before[2]),
            media=tuple(self.media[path] for path in sorted(self.file_media)),
            card_count=self.card_count - count,
        )
        if self.cache and len(self.report.diagnostics) == before[0]:
            self.cache.put(key, parsed)
        return parsed

    def _reuse(self, cached: ParsedFile) -> bool:
        """Take a cached file's ids, sections and images, unless they now clash."""
        if any(k in self.card_ids for k, _ in cached.card_ids) or any(
            k in self.section_keys for k, _ in cached.section_keys
        ):
            return False  # parse it again, to report the clash where it is
        if self.card_count + cached.card_count > MAX_CARDS_PER_DECK:
            return False
        new_media = [m for m in cached.media if m.path not in self.media]
        self.card_ids.update(cached.card_ids)
        self.section_keys.update(cached.section_keys)
        self.card_count += cached.card_count
        for media in new_media:
            self.media[media.path] = media
            self.media_bytes += (self.root / media.path).stat().st_size
        return True

    def _parse_file(self, source: SourceFile, deck_intro: list[list[Token]]) -> list[Section]:
        parsed = markup.parse(source.text)
        tokens = parsed.tokens
        if parsed.too_deep:
            self.report.error(
                source.location(parsed.too_deep[0], 1),
                f"lists and quotes nest more than {markup.MAX_NESTING} levels deep (a list "
                "counts two): what lies deeper would be lost",
            )
        blocks = list(_top_level_blocks(tokens))
        self._check_fences(source, tokens)
        sections: list[Section] = []
        section: _SectionDraft | None = None
        card: _CardDraft | None = None
        settings_line = -1  # the line right after the last heading, where settings go

        def close_card() -> None:
            nonlocal card
            if card is not None and section is not None:
                built = self._build_card(card, section)
                if built is not None:
                    section.cards.append(built)
            card = None

        def close_section() -> None:
            nonlocal section
            close_card()
            if section is not None:
                built = self._build_section(section)
                if built is not None:
                    sections.append(built)
            section = None

        for block in blocks:
            first = block[0]
            line = first.map[0] + 1 if first.map else 1
            after_heading = first.map is not None and first.map[0] == settings_line
            settings_line = -1
            if first.type == "heading_open":
                level = int(first.tag[1])
                inline = block[1]
                if level == 1:
                    if section is not None or sections:
                        self.report.error(
                            source.location(line, 1),
                            "'#' heading after the first section: use '##' for a section "
                            "and '###' for a card",
                        )
                    continue
                if level == 2:
                    close_section()
                    self._check_inline(inline, source, line, line)
                    title = markup.render_inline(inline)
                    if not title.text:
                        self.report.error(source.location(line, 1), "section heading is empty")
                    section = _SectionDraft(line, source, title)
                    settings_line = first.map[1] if first.map else -1
                    continue
                if level == 3:
                    close_card()
                    if section is None:
                        self.report.error(
                            source.location(line, 1),
                            "card is not inside a section: add a '## Section' heading above it",
                        )
                        continue
                    card = _CardDraft(first, inline, source)
                    settings_line = first.map[1] if first.map else -1
                    continue
            if first.type == "html_block" and markup.is_comment(first.content):
                if after_heading:
                    target = card if card is not None else section
                    if target is not None:
                        target.settings = self._settings(first, source)
                continue
            if first.type == "html_block":
                self.report.warning(
                    source.find(line, "<"),
                    f"raw HTML '{shown(first.content.strip(), 40)}' is shown as text; "
                    "use Markdown instead",
                )
            if card is not None:
                card.body.append(block)
            elif section is not None:
                section.intro.append(block)
            else:
                deck_intro.append(block)
        close_section()
        return sections

    def _check_fences(self, source: SourceFile, tokens: Sequence[Token]) -> None:
        for token in tokens:
            if token.type != "fence" or not token.map:
                continue
            start = token.map[0]
            marker = token.markup
            if not token.meta.get("closed", True):
                self.report.error(
                    source.location(start + 1, 1),
                    f"code fence '{marker}' is never closed: add a closing '{marker}' line",
                )
            language = markup.fence_language(token.info)
            if language and not markup.lexer_exists(language):
                self.report.warning(
                    source.find(start + 1, language),
                    f"unknown code language '{shown(language)}': shown without highlighting",
                )

    def _settings(self, token: Token, source: SourceFile) -> dict[str, tuple[str, SourceLocation]]:
        line = token.map[0] + 1 if token.map else 1
        body = token.content.strip()
        body = body[4:] if body.startswith("<!--") else body
        body = body[:-3] if body.endswith("-->") else body
        settings: dict[str, tuple[str, SourceLocation]] = {}
        for offset, raw_line in enumerate(body.split("\n")):
            cursor = source.cursor(line + offset)
            for part in raw_line.split(";"):
                if not part.strip():
                    continue
                where = cursor.find(part.strip())
                match = _SETTING_RE.match(part)
                if not match:
                    self.report.error(
                        where, f"cannot read setting '{shown(part.strip())}': write 'key: value'"
                    )
                    continue
                settings[match.group(1).lower()] = (match.group(2).strip(), where)
        return settings

    def _section_identity(self, draft: _SectionDraft) -> tuple[str, tuple[str, ...]]:
        """The section's key and tags, read from its settings once."""
        if draft.identity is not None:
            return draft.identity
        settings = dict(draft.settings)
        key = _slug(draft.title.text)
        if "id" in settings:
            value, where = settings.pop("id")
            if _CARD_ID_RE.match(value):
                key = value
            else:
                self.report.error(
                    where,
                    f"section id '{shown(value)}' must be lowercase letters, digits, '-', '_' "
                    "or '.'",
                )
        if not key:
            key = f"section-{len(self.section_keys) + 1}"
        tags = [key]
        if "tags" in settings:
            value, where = settings.pop("tags")
            tags.extend(self._tags(value, where))
        for name, (_, where) in settings.items():
            self.report.warning(where, f"unknown section setting '{shown(name)}' (known: id, tags)")
        draft.identity = (key, tuple(dict.fromkeys(tags)))
        return draft.identity

    def _build_section(self, draft: _SectionDraft) -> Section | None:
        source = draft.source
        location = source.location(draft.heading_line, 1)
        key, tags = self._section_identity(draft)
        if key in self.section_keys:
            self.report.error(
                location,
                f"section id '{key}' is already used at {self.section_keys[key]}; "
                "give one of them another title or an id",
            )
            return None
        self.section_keys[key] = location
        return Section(
            key=key,
            title=draft.title,
            intro=self._render(draft.intro, source),
            tags=tags,
            cards=tuple(draft.cards),
            location=location,
        )

    def _tags(self, value: str, where: SourceLocation) -> list[str]:
        tags = value.replace(",", " ").split()
        for tag in tags:
            if not _TAG_RE.match(tag):
                self.report.error(where, f"tag '{shown(tag)}' may not contain quotes")
        return [t for t in tags if _TAG_RE.match(t)]

    def _build_card(self, draft: _CardDraft, section: _SectionDraft) -> Card | None:
        source = draft.source
        line = draft.heading.map[0] + 1 if draft.heading.map else 1
        location = source.location(line, 1)
        self.card_count += 1
        if self.card_count == MAX_CARDS_PER_DECK + 1:
            self.report.error(
                location,
                f"deck has more than {MAX_CARDS_PER_DECK} cards: split it into several decks",
            )
        if self.card_count > MAX_CARDS_PER_DECK:
            return None
        self._check_inline(draft.inline, source, line, line)
        question = markup.render_inline(draft.inline)
        ok = True
        if not question.text:
            self.report.error(location, "card question is empty")
            ok = False
        settings = dict(draft.settings)
        kind = CardKind.BASIC
        if "kind" in settings:
            value, where = settings.pop("kind")
            try:
                kind = CardKind(value.strip().lower())
            except ValueError:
                self.report.error(
                    where, f"unknown card kind '{shown(value)}' (known: basic, reversed, cloze)"
                )
                ok = False
        card_id = ""
        if "id" in settings:
            value, where = settings.pop("id")
            if not _CARD_ID_RE.match(value):
                self.report.error(
                    where,
                    f"card id '{shown(value)}' must be lowercase letters, digits, '-', '_' or '.'",
                )
                ok = False
            elif value in self.card_ids:
                self.report.error(
                    where, f"duplicate card id '{value}': first used at {self.card_ids[value]}"
                )
                ok = False
            else:
                self.card_ids[value] = where
                card_id = value
        was: list[str] = []
        if "was" in settings:
            value, where = settings.pop("was")
            was = value.replace(",", " ").split()
            bad = [old for old in was if not _CARD_ID_RE.match(old) or old == card_id]
            if not card_id or bad or not was:
                self.report.error(
                    where,
                    "'was' names the ids this card had before, beside its new id: "
                    "write '<!-- id: new-name; was: old-name -->'",
                )
                ok = False
        tags: list[str] = []
        if "tags" in settings:
            value, where = settings.pop("tags")
            tags = self._tags(value, where)
        guid: str | None = None
        if "guid" in settings:
            value, where = settings.pop("guid")
            guid = urllib.parse.unquote(value)
            if not _GUID_RE.match(guid):
                self.report.error(
                    where,
                    f"guid '{shown(value)}' must be 1 to 100 characters without spaces",
                )
                ok = False
        for name, (_, where) in settings.items():
            self.report.warning(
                where, f"unknown card setting '{shown(name)}' (known: id, kind, tags, guid, was)"
            )

        callouts: list[Callout] = []
        blocks: list[list[Token]] = []
        for block in draft.body:
            callout = self._callout(block, source)
            if callout is not None:
                callouts.append(callout)
            else:
                blocks.append(block)
        split = next((i for i, b in enumerate(blocks) if b[0].type == "hr"), None)
        if split is not None:
            answer_blocks, detail_blocks = blocks[:split], blocks[split + 1 :]
        else:
            answer_blocks, detail_blocks = blocks[:1], blocks[1:]
        end_line = _last_line(draft.body) or line
        answer = self._render(answer_blocks, source)
        details = self._render(detail_blocks, source)
        cloze = EMPTY
        if not answer:
            what = "cloze text" if kind is CardKind.CLOZE else "answer"
            self.report.error(location, f"card has no {what}: write it below the question")
            ok = False
        elif kind is CardKind.CLOZE:
            numbered = self._cloze(answer, source, line, end_line)
            answer = EMPTY
            if numbered is None:
                ok = False
            else:
                cloze = numbered
        elif cloze_text.has_explicit_deletion(answer.html + details.html):
            self.report.warning(
                source.find(line, "{{c", end_line),
                f"'{{{{c1::...}}}}' in a {kind.value} card: "
                "add 'kind: cloze' to make it a cloze card",
            )
        if not ok:
            return None
        return Card(
            id=card_id,
            explicit_id=bool(card_id),
            kind=kind,
            question=question,
            answer=answer,
            details=details,
            callouts=tuple(callouts),
            tags=tuple(dict.fromkeys([*self._section_identity(section)[1], *tags])),
            location=location,
            cloze=cloze,
            guid=guid,
            was=tuple(dict.fromkeys(was)),
        )

    def _callout(self, block: list[Token], source: SourceFile) -> Callout | None:
        if block[0].type != "blockquote_open" or len(block) < 4:
            return None
        if block[1].type != "paragraph_open" or block[2].type != "inline":
            return None
        inline = block[2]
        match = _ALERT_RE.match(inline.content)
        if not match:
            return None
        line = block[0].map[0] + 1 if block[0].map else 1
        try:
            kind = CalloutKind(match.group(1).lower())
        except ValueError:
            self.report.warning(
                source.find(line, "[!"),
                f"unknown callout '[!{match.group(1)}]' (known: NOTE, TIP, IMPORTANT, "
                "WARNING, CAUTION): shown as a quote",
            )
            return None
        rest = inline.content[match.end() :]
        inner = block[1:-1]
        if rest.strip():
            md = markup.markdown()
            new_inline = Token("inline", "", 0, content=rest, map=inline.map)
            new_inline.children = []
            md.inline.parse(rest, md, {}, new_inline.children)
            inner = [inner[0], new_inline, *inner[2:]]
        else:
            inner = inner[3:]
        body = self._render([inner], source)
        if not body:
            self.report.warning(source.location(line, 1), "callout is empty")
            return None
        return Callout(kind=kind, body=body)

    # -- checks on Markdown inside cards ------------------------------------------------

    def _check_block(self, block: list[Token], source: SourceFile) -> None:
        for token in block:
            if token.type == "inline" and token.map:
                self._check_inline(token, source, token.map[0] + 1, token.map[1])

    def _cloze(
        self, answer: Fragment, source: SourceFile, line: int, end_line: int
    ) -> Fragment | None:
        """The cloze text with every deletion numbered, or None (reported) if it is wrong."""
        html = cloze_text.protect_tags(answer.html)
        try:
            scanned = cloze_text.scan(html)
            if not scanned.deletions:
                self.report.error(
                    source.location(line, 1),
                    "cloze card has no deletion: mark one as {{text}} or {{c1::text}}",
                )
                return None
            html = cloze_text.expand(html, scanned)
        except cloze_text.ClozeProblem as problem:
            self.report.error(self._brace(source, line, end_line, problem.index), problem.message)
            return None
        if scanned.unclosed is not None:
            self.report.warning(
                self._brace(source, line, end_line, scanned.unclosed_index),
                "'{{' is never closed by '}}': it and the rest are shown as text",
            )
        text = markup.plain_text(cloze_to_html(html))
        return Fragment(html=html, text=cloze_text.plain_text_safe(text))

    @staticmethod
    def _brace(source: SourceFile, line: int, end_line: int, index: int) -> SourceLocation:
        """Where the ``index``-th '{{' of a card (0-based) was written, as near as known."""
        cursor = source.cursor(line, end_line)
        where = source.location(line, 1)
        for _ in range(index + 1):
            where = cursor.find("{{")
        return where

    def _check_inline(self, inline: Token, source: SourceFile, line: int, end_line: int) -> None:
        """Check links and images and turn image paths into media names, in place."""
        children = inline.children or []
        keep: list[Token] = []
        drop_close = 0
        cursor = source.cursor(line, end_line)
        for child in children:
            if child.type == "image":
                self._image(child, cursor)
            elif child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                if not markup.SAFE_LINK_RE.match(href):
                    written = urllib.parse.unquote(href)  # as in the source, not %-encoded
                    self.report.warning(
                        cursor.find(written),
                        f"link to '{shown(written)}' is shown as text: only http, https and "
                        "mailto links are kept",
                    )
                    drop_close += 1
                    continue
            elif child.type == "link_close" and drop_close:
                drop_close -= 1
                continue
            elif child.type == "html_inline":
                raw = child.content
                if not raw.startswith("<!--") and not markup.allowed_tag(raw):
                    self.report.warning(
                        cursor.find(raw), f"raw HTML '{shown(raw, 40)}' is shown as text"
                    )
            keep.append(child)
        inline.children = keep

    def _image(self, token: Token, cursor: Cursor) -> None:
        src = str(token.attrs.get("src", ""))
        where = cursor.find(src)
        media = self._media(src, cursor.source)
        if isinstance(media, str):
            self.report.error(where, media)
            return
        self.file_media.add(media.path)
        token.attrs["src"] = media.name

    def _media(self, src: str, source: SourceFile) -> MediaFile | str:
        """The media file an image path names, or why it cannot be used."""
        quoted = shown(src)
        if re.match(r"^([a-zA-Z][\w+.-]*:|//)", src):
            return f"image '{quoted}' is not a local file: download it into the content folder"
        rel_path = urllib.parse.unquote(src.split("#")[0].split("?")[0])
        try:
            target = (source.path.parent / rel_path).resolve()
        except RuntimeError:
            return f"image '{quoted}' is a link that leads to itself"
        except (OSError, ValueError):
            return f"image '{quoted}' cannot be found: check the path"
        if not target.is_relative_to(self.root):
            return f"image '{quoted}' is outside the content folder"
        rel = target.relative_to(self.root).as_posix()
        if rel in self.media:
            return self.media[rel]
        try:
            exists = target.is_file()
        except OSError:
            exists = False
        if not exists:
            return f"image '{quoted}' does not exist"
        if target.suffix.lower() not in IMAGE_SUFFIXES:
            return f"image '{quoted}' is not PNG, JPEG, GIF, WebP or SVG"
        try:
            data = read_checked(self.root, target, MAX_IMAGE_BYTES, "image")
        except Unreadable as refused:
            return f"image '{quoted}': {refused}"
        found = image_type(data)
        if found is None:
            return f"image '{quoted}' is not really a PNG, JPEG, GIF, WebP or SVG file"
        if found == "svg":
            svg_refusal = svg_problem(data)
            if svg_refusal:
                return f"image '{quoted}': {svg_refusal}"
        self.media_bytes += len(data)
        if self.media_bytes > MAX_MEDIA_BYTES:
            return (
                f"image '{quoted}' takes the deck's images over the limit of "
                f"{MAX_MEDIA_BYTES} bytes"
            )
        digest = hashlib.sha256(data).hexdigest()
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", PurePosixPath(rel).name)
        media_file = MediaFile(name=f"{digest[:12]}-{stem}", path=rel, sha256=digest)
        self.media[rel] = media_file
        return media_file

    def _render(self, blocks: list[list[Token]], source: SourceFile) -> Fragment:
        for block in blocks:
            self._check_block(block, source)
        return markup.render_blocks([token for block in blocks for token in block])


def _with_tags(card: Card, deck_tags: tuple[str, ...]) -> Card:
    return replace(card, tags=tuple(dict.fromkeys([*deck_tags, *card.tags])))


def _top_level_blocks(tokens: Sequence[Token]) -> Iterator[list[Token]]:
    """Group tokens into top-level blocks (a heading, a paragraph, a whole list, ...)."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.nesting == 1:
            depth, j = 0, i
            while j < len(tokens):
                depth += tokens[j].nesting
                if depth == 0:
                    break
                j += 1
            yield list(tokens[i : j + 1])
            i = j + 1
        else:
            yield [token]
            i += 1


def _last_line(blocks: list[list[Token]]) -> int | None:
    lines = [t.map[1] for block in blocks for t in block if t.map]
    return max(lines) if lines else None
