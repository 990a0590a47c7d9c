"""An Obsidian vault as content: which notes it has, and the settings it keeps in ``.obsidian/``.

A folder with ``.obsidian/`` is a vault. Its notes are read as they are, in the syntax of
the Spaced Repetition plugin, with the plugin's settings from its ``data.json`` (separators,
cloze patterns, flashcard tags, ignored folders). Nothing here writes into the vault.
Standard library only: discovery and the no-op check use it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from cardpress.content.files import Unreadable, read_checked

PLUGIN_DATA = ".obsidian/plugins/obsidian-spaced-repetition/data.json"
APP_SETTINGS = ".obsidian/app.json"
TEMPLATES_SETTINGS = ".obsidian/templates.json"
TEMPLATER_SETTINGS = ".obsidian/plugins/templater-obsidian/data.json"
DECK_FILE = "cardpress.yml"
SETTINGS_FILES = (PLUGIN_DATA, APP_SETTINGS, TEMPLATES_SETTINGS, TEMPLATER_SETTINGS, DECK_FILE)
"""Files whose change changes what a vault's deck is: the no-op check hashes them."""
MAX_SETTINGS_BYTES = 4 * 1024 * 1024  # data.json also holds the plugin's review data
MAX_DECK_FILE_BYTES = 64 * 1024

SettingsReader = Callable[[Path, int], bytes]
"""Reads a file of the vault of at most so many bytes, or raises ``Unreadable``. The build
passes its content scan's reader: each settings file is then read once per build, the
bytes parsed are the bytes hashed, and a link out of the vault is refused."""


def plain_reader(root: Path) -> SettingsReader:
    """A reader of files inside ``root``, for discovery without a content scan."""
    return lambda path, limit: read_checked(root, path, limit, "settings file")


MAX_VAULT_FILES = 50_000  # every file, images included, for resolving embeds

_CLOZE_DEFAULTS = {
    "convertHighlightsToClozes": (True, "==[123;;]answer[;;hint]=="),
    "convertBoldTextToClozes": (False, "**[123;;]answer[;;hint]**"),
    "convertCurlyBracketsToClozes": (False, "{{[123;;]answer[;;hint]}}"),
}


@dataclass(frozen=True)
class VaultSettings:
    """What the vault's settings say about its flashcards, with the plugin's defaults."""

    name: str
    """The vault's folder name: Obsidian's name for it in ``obsidian://`` links."""
    single_line: str = "::"
    single_line_reversed: str = ":::"
    multi_line: str = "?"
    multi_line_reversed: str = "??"
    end_marker: str = ""
    """When set, a multi-line card ends at a line holding only it, not at a blank line."""
    cloze_patterns: tuple[str, ...] = ("==[123;;]answer[;;hint]==",)
    flashcard_tags: tuple[str, ...] = ("#flashcards",)
    tags_to_ignore: tuple[str, ...] = ()
    folders_to_ignore: tuple[str, ...] = ("**/*.excalidraw.md",)
    folders_as_decks: bool = False
    attachments: str = "/"
    """Obsidian's ``attachmentFolderPath``: ``/`` the vault, ``./x`` beside the note."""
    skipped_folders: tuple[str, ...] = ()
    """Template folders: notes there are templates, not cards."""
    link_back: bool = True
    """Cards link to their note (``obsidian://open``): ``link_back`` in ``cardpress.yml``."""
    files: tuple[str, ...] = ()
    """Every file of the vault outside hidden folders, for resolving links and embeds."""
    problems: tuple[tuple[str, int, int, str], ...] = field(default=(), compare=False)
    """Settings that could not be read: path, line, column, message."""

    def fingerprint(self) -> str:
        """What of the settings changes how a note reads (not the file list)."""
        return json.dumps(
            [
                self.name,
                self.single_line,
                self.single_line_reversed,
                self.multi_line,
                self.multi_line_reversed,
                self.end_marker,
                self.cloze_patterns,
                self.flashcard_tags,
                self.folders_as_decks,
                self.attachments,
                self.link_back,
                _files_digest(self.files),
            ]
        )


@functools.lru_cache(maxsize=4)
def _files_digest(files: tuple[str, ...]) -> str:
    """The vault's file list in short: an embed may find another image once it changes."""
    return hashlib.sha256("\n".join(files).encode()).hexdigest()


def is_vault(folder: Path, read: SettingsReader) -> bool:
    """A folder with ``.obsidian/``, unless its ``cardpress.yml`` says ``vault: false``: a
    folder of cardpress decks that is also opened in Obsidian stays a folder of decks."""
    if not (folder / ".obsidian").is_dir():
        return False
    found = _VAULT_LINE_RE.search(_deck_file_text(folder, read))
    return not (found and found.group(1).lower() in ("false", "no", "off"))


def _deck_file_text(root: Path, read: SettingsReader) -> str:
    path = root / DECK_FILE
    if not path.is_file():
        return ""
    try:
        return read(path, MAX_DECK_FILE_BYTES).decode("utf-8-sig")
    except (Unreadable, UnicodeDecodeError):
        return ""  # the parser says what is wrong


_VAULT_LINE_RE = re.compile(r"^vault:[ \t]*['\"]?([A-Za-z]+)['\"]?[ \t]*(?:#.*)?$", re.M)
_LOCK_LINE_RE = re.compile(
    r"""^lock:[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^#\n]*?))[ \t]*(?:#.*)?$""", re.M
)


def lock_path(root: Path, read: SettingsReader) -> Path:
    """Where a vault's lock file lives: by default beside the vault folder, never inside
    it; ``lock:`` in ``cardpress.yml`` names another place, relative to the vault."""
    found = _LOCK_LINE_RE.search(_deck_file_text(root, read))
    chosen = next((g for g in found.groups() if g), "") if found else ""
    return chosen_lock(root, chosen) or root.parent / f"{root.name}.cardpress.lock"


def chosen_lock(root: Path, chosen: str) -> Path | None:
    """The lock file ``lock:`` names, if it may be one: a ``.lock`` file in the folder that
    holds the vault or below (the vault's own content cannot send a write elsewhere)."""
    chosen = chosen.strip()
    if not chosen or not chosen.endswith(".lock") or "\0" in chosen:
        return None
    path = Path(os.path.normpath(root / chosen))
    return path if path.is_relative_to(root.parent) and path.parent != path else None


def _read_json(
    root: Path, rel: str, read: SettingsReader, problems: list[tuple[str, int, int, str]]
) -> dict[str, object]:
    path = root / rel
    if not path.is_file():
        return {}
    try:
        data = read(path, MAX_SETTINGS_BYTES)
    except Unreadable as refused:
        problems.append((rel, 0, 0, f"cannot read the vault's settings: {refused}"))
        return {}
    try:
        value = json.loads(data.decode("utf-8-sig") or "{}")
    except UnicodeDecodeError:
        problems.append((rel, 1, 1, "settings file is not UTF-8 text: open it in Obsidian"))
        return {}
    except json.JSONDecodeError as exc:
        problems.append(
            (rel, exc.lineno, exc.colno, f"invalid JSON ({exc.msg}): fix it or delete the file")
        )
        return {}
    return value if isinstance(value, dict) else {}


def _strings(value: object, default: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v for v in value if v)
    return default


def _text(value: object, default: str) -> str:
    return value if isinstance(value, str) else default


def read_settings(root: Path, read: SettingsReader) -> VaultSettings:
    """The vault's settings, the plugin's defaults where it has none."""
    problems: list[tuple[str, int, int, str]] = []
    data = _read_json(root, PLUGIN_DATA, read, problems)
    raw = data.get("settings", data)
    plugin: dict[str, object] = raw if isinstance(raw, dict) else {}
    patterns = plugin.get("clozePatterns")
    if isinstance(patterns, list) and all(isinstance(p, str) for p in patterns):
        cloze = tuple(p for p in patterns if p)
    else:  # the plugin's settings from before it had patterns
        cloze = tuple(
            pattern
            for key, (default, pattern) in _CLOZE_DEFAULTS.items()
            if plugin.get(key, default) is True
        )
    app = _read_json(root, APP_SETTINGS, read, problems)
    skipped = [
        _text(_read_json(root, TEMPLATES_SETTINGS, read, problems).get("folder"), ""),
        _text(_read_json(root, TEMPLATER_SETTINGS, read, problems).get("templates_folder"), ""),
    ]
    defaults = VaultSettings(root.name)
    return VaultSettings(
        name=root.name,
        single_line=_text(plugin.get("singleLineCardSeparator"), defaults.single_line),
        single_line_reversed=_text(
            plugin.get("singleLineReversedCardSeparator"), defaults.single_line_reversed
        ),
        multi_line=_text(plugin.get("multilineCardSeparator"), defaults.multi_line),
        multi_line_reversed=_text(
            plugin.get("multilineReversedCardSeparator"), defaults.multi_line_reversed
        ),
        end_marker=_text(plugin.get("multilineCardEndMarker"), "").strip(),
        cloze_patterns=cloze,
        flashcard_tags=_strings(plugin.get("flashcardTags"), defaults.flashcard_tags),
        tags_to_ignore=_strings(plugin.get("flashcardTagsToIgnore"), ()),
        folders_to_ignore=_strings(plugin.get("noteFoldersToIgnore"), defaults.folders_to_ignore),
        folders_as_decks=plugin.get("convertFoldersToDecks") is True,
        attachments=_text(app.get("attachmentFolderPath"), "/") or "/",
        skipped_folders=tuple(f.strip("/") for f in skipped if f.strip("/")),
        problems=tuple(problems),
    )


def glob_matches(path: str, pattern: str) -> bool:
    """The plugin's test for an ignored note: the path starts with the pattern, or matches
    it as a glob (``**`` any folders, ``*`` any name part)."""
    if path.startswith(pattern):
        return True
    regex, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            regex, i = regex + ".*", i + 2
        elif pattern[i] == "*":
            regex, i = regex + "[^/]*", i + 1
        elif pattern[i] == "?":
            regex, i = regex + "[^/]", i + 1
        else:
            regex, i = regex + re.escape(pattern[i]), i + 1
    return re.fullmatch(regex, path) is not None


def vault_files(root: Path, settings: VaultSettings) -> tuple[list[Path], list[str]]:
    """The notes to read, sorted by path, and every file of the vault (relative paths).

    Hidden folders (``.obsidian``, ``.trash``, ``.git``), template folders, the
    attachment folder and the plugin's ignored folders are left out."""
    notes: list[Path] = []
    files: list[str] = []
    attachments = settings.attachments.strip("/")
    skipped = set(settings.skipped_folders)
    if attachments and not settings.attachments.startswith("./"):
        skipped.add(attachments)
    for folder, dirs, names in os.walk(root):
        rel_folder = Path(folder).relative_to(root).as_posix()
        rel_folder = "" if rel_folder == "." else rel_folder
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or len(files) >= MAX_VAULT_FILES:
                continue
            rel = f"{rel_folder}/{name}" if rel_folder else name
            files.append(rel)
            if not name.endswith(".md") or rel == DECK_FILE:
                continue
            if any(rel.startswith(folder + "/") for folder in skipped):
                continue
            if any(glob_matches(rel, pattern) for pattern in settings.folders_to_ignore):
                continue
            notes.append(root / rel)
    notes.sort(key=lambda p: p.relative_to(root).as_posix())
    return notes, files


def resolve_link(target: str, note: str, settings: VaultSettings) -> str | None:
    """The vault file a wikilink or embed names, as Obsidian finds it: the exact path, then
    beside the note, then in the attachment folder, then the shortest path ending so."""
    target = target.strip().lstrip("/")
    if not target:
        return None
    files = settings.files
    known = set(files)
    wanted = [target] if PurePosixPath(target).suffix else [target + ".md", target]
    folder = PurePosixPath(note).parent.as_posix()
    folder = "" if folder == "." else folder
    attachments = settings.attachments
    if attachments.startswith("./"):
        attach = (PurePosixPath(folder) / attachments[2:]).as_posix() if folder else attachments[2:]
    else:
        attach = attachments.strip("/")
    for name in wanted:
        for place in ("", folder, attach.strip("./")):
            candidate = f"{place}/{name}" if place else name
            if candidate in known:
                return candidate
        lowered = "/" + name.lower()
        ends = [f for f in files if ("/" + f.lower()).endswith(lowered)]
        if ends:
            return min(ends, key=lambda f: (f.count("/"), len(f), f))
    return None
