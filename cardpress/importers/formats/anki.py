"""``anki``: an existing deck (``.apkg``) or collection (``.colpkg``), read by Anki itself.

The package is opened by the real Anki backend (the ``anki`` package, the extra
``cardpress[anki]``) in a temporary collection, so every version Anki reads is read:
legacy ``collection.anki2``/``.anki21`` and the zstd ``collection.anki21b`` of Anki
2.1.50+, whose packages also hold a dummy ``collection.anki2`` with one "please update"
note that only an old reader would see. Basic, basic-and-reversed and cloze note types
(Anki's stock ones by their shape, and cardpress's own by their fields) become card
kinds; other note types need ``--map 'NOTETYPE:question=F,answer=G'`` or are reported.
Each card keeps its note's GUID, so the built deck updates those very notes in Anki.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardpress.content.files import shown
from cardpress.errors import CardpressError, UsageError
from cardpress.importers import ImportOptions
from cardpress.importers.common import cloze_title, unique
from cardpress.importers.draft import DraftCard, DraftDeck, DraftFile, DraftSection, Skip
from cardpress.importers.file_split import split_large
from cardpress.importers.formats.anki_bounds import check_package
from cardpress.importers.images import ImageCopier
from cardpress.importers.source_files import MAX_PACKAGE_BYTES, SourceSet
from cardpress.importers.writer import ascii_slug, clean_tag
from cardpress.markup.convert import as_blocks, one_line
from cardpress.markup.from_html import html_to_markdown, strip_html
from cardpress.model import SourceLocation

ROLES = ("question", "answer", "details", "kind")
CARDPRESS_FIELDS = {
    ("Question", "Answer", "Details", "Callouts", "Source", "Id"): ("question", "answer"),
    ("Text", "Title", "Details", "Callouts", "Source", "Id"): ("answer", "question"),
}
DUMMY_RE = re.compile(r"please update to the latest anki version", re.I)
_GUID_RE = re.compile(r"^[!-~]{1,100}$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_CALLOUT_RE = re.compile(
    r'<div class="callout callout-(\w+)"><div class="callout-title">[^<]*</div>(.*?)</div>\s*'
    r'(?=<div class="callout|$)',
    re.S,
)


@dataclass(frozen=True)
class Mapping:
    """Which fields of one note type hold the question, answer and details, and its kind."""

    kind: str
    question: int
    answer: int
    details: int | None = None
    callouts: int | None = None
    card_id: int | None = None


def read(sources: SourceSet, options: ImportOptions) -> DraftDeck:
    try:
        from anki.collection import Collection  # noqa: F401  (the backend is an extra)
    except ImportError:
        raise UsageError(
            "reading Anki packages needs the Anki backend: pip install 'cardpress[anki]'"
        ) from None
    maps = _field_maps(options.field_map)
    deck = DraftDeck(title="")
    for path in sources.files:
        _check_size(sources, path)
        check_package(path, sources.relative(path))
        deck.sources_read += 1
        with tempfile.TemporaryDirectory(prefix="cardpress-anki-") as temp:
            col = _open(path, Path(temp), sources.relative(path))
            try:
                _read_collection(col, sources.relative(path), maps, deck)
            finally:
                col.close()
    deck.files = split_large(deck.files)
    return deck


def _check_size(sources: SourceSet, path: Path) -> None:
    if path.stat().st_size > MAX_PACKAGE_BYTES:
        raise UsageError(f"{sources.relative(path)}: package is over {MAX_PACKAGE_BYTES} bytes")


def _field_maps(values: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """``NOTETYPE:question=F,answer=G[,details=H][,kind=K]``: note type -> role -> field."""
    maps: dict[str, dict[str, str]] = {}
    for value in values:
        name, colon, pairs = value.rpartition(":")
        if not colon or not name.strip():
            raise UsageError(
                f"--map '{value}': for anki write NOTETYPE:question=FIELD,answer=FIELD"
            )
        roles: dict[str, str] = {}
        for pair in pairs.split(","):
            role, eq, field = pair.partition("=")
            if not eq or role.strip() not in ROLES or not field.strip():
                raise UsageError(
                    f"--map '{value}': write ROLE=FIELD with ROLE one of {', '.join(ROLES)}"
                )
            roles[role.strip()] = field.strip()
        if "question" not in roles or "answer" not in roles:
            raise UsageError(f"--map '{value}': name the question and the answer fields")
        maps[name.strip()] = roles
    return maps


def _open(path: Path, folder: Path, shown: str) -> Any:
    """A collection holding the package's notes and media, in ``folder``."""
    from anki.collection import Collection
    from anki.import_export_pb2 import ImportAnkiPackageRequest

    col_path = folder / "collection.anki2"
    try:
        if path.suffix.lower() == ".colpkg":
            from anki._backend import RustBackend

            RustBackend().import_collection_package(
                col_path=str(col_path),
                backup_path=str(path.resolve()),  # the package to restore from
                media_folder=str(folder / "collection.media"),
                media_db=str(folder / "collection.media.db2"),
            )
            return Collection(str(col_path))
        col = Collection(str(col_path))
        options = col._backend.get_import_anki_package_presets()
        col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(path.resolve()), options=options)
        )
        return col
    except Exception as exc:  # the backend's errors have no common base we can name
        raise CardpressError(f"{shown}: Anki cannot read this package: {exc}") from None


def _read_collection(col: Any, rel: str, maps: dict[str, dict[str, str]], deck: DraftDeck) -> None:
    from cardpress.anki.notes import REMOVED_TAG

    note_ids = list(col.find_notes(""))
    notes = [col.get_note(nid) for nid in note_ids]
    if len(notes) == 1 and DUMMY_RE.search(" ".join(notes[0].fields)):
        raise CardpressError(
            f"{rel}: this package was made by a newer Anki than the installed backend "
            "reads (it shows only 'please update'): pip install -U anki"
        )
    media = Path(col.media.dir())
    images = ImageCopier(media)
    rows = []
    unmapped: Counter[str] = Counter()
    unmapped_fields: dict[str, list[str]] = {}
    for note in notes:
        note_type = note.note_type()
        mapping = _mapping(note_type, maps)
        if mapping is None:
            unmapped[note_type["name"]] += 1
            unmapped_fields[note_type["name"]] = [f["name"] for f in note_type["flds"]]
            continue
        if REMOVED_TAG.casefold() in (tag.casefold() for tag in note.tags):
            deck.skipped.append(
                Skip(
                    SourceLocation(rel, 0),
                    f"note {_shown_id(note)} of a card removed from "
                    f"its cardpress deck (tagged {REMOVED_TAG})",
                )
            )
            continue
        cards = sorted(note.cards(), key=lambda c: c.ord)
        home = (cards[0].odid or cards[0].did) if cards else 1  # not a filtered deck
        deck_name = col.decks.name(home)
        rows.append((deck_name, note, mapping))
    for name, count in sorted(unmapped.items()):
        fields = ", ".join(unmapped_fields[name])
        deck.skipped.append(
            Skip(
                SourceLocation(rel, 0),
                f"{count} note(s) of note type '{name}' (fields: {fields}): map them with "
                f"--map '{name}:question=FIELD,answer=FIELD'",
                count,
            )
        )
    top = _common_top([d for d, _, _ in rows])
    deck.title = deck.title or top or Path(rel).stem
    files: dict[str, DraftFile] = {f.name: f for f in deck.files}
    sections: dict[str, DraftSection] = {}
    keys = {s.key for f in deck.files for s in f.sections}
    ids = {c.card_id for c in deck.cards() if c.card_id}
    for index, (deck_name, note, mapping) in enumerate(rows):
        where = SourceLocation(rel, 0)
        card = _card(note, mapping, where, media, images, index)
        if isinstance(card, Skip):
            deck.skipped.append(card)
            deck.empty_answers += card.reason.startswith("empty answer")
            continue
        title = deck_name[len(top) + 2 :] if top and deck_name != top else deck_name
        if title not in sections:
            key = unique(".".join(ascii_slug(p, 30) or "deck" for p in title.split("::")), keys)
            sections[title] = DraftSection(title=title, key=key, location=where)
            top_part = ascii_slug(title.split("::")[0], 40) or "deck"
            file = files.setdefault(f"{top_part}.md", DraftFile(name=f"{top_part}.md"))
            file.sections.append(sections[title])
        if card.card_id:
            card.card_id = unique(card.card_id, ids)
        sections[title].cards.append(card)
    deck.files = list(files.values())
    deck.missing_images.extend(images.missing)


def _shown_id(note: Any) -> str:
    """A note as a skip names it: its cardpress Id field, else its first field."""
    names = [f["name"] for f in note.note_type()["flds"]]
    value = note["Id"] if "Id" in names else note.fields[0]
    return f"'{shown(strip_html(value), 40)}'"


def _mapping(note_type: dict[str, Any], maps: dict[str, dict[str, str]]) -> Mapping | None:
    fields = [f["name"] for f in note_type["flds"]]
    given = maps.get(note_type["name"])
    if given is not None:
        if any(given[r] not in fields for r in given if r != "kind"):
            missing = [given[r] for r in given if r != "kind" and given[r] not in fields]
            raise UsageError(
                f"--map: note type '{note_type['name']}' has no field "
                f"'{missing[0]}' (fields: {', '.join(fields)})"
            )
        kind = given.get("kind", "cloze" if note_type["type"] == 1 else "basic")
        if kind not in ("basic", "reversed", "cloze"):
            raise UsageError(f"--map: kind must be basic, reversed or cloze, not '{kind}'")
        details = given.get("details")
        return Mapping(
            kind,
            fields.index(given["question"]),
            fields.index(given["answer"]),
            fields.index(details) if details else None,
        )
    own = CARDPRESS_FIELDS.get(tuple(fields))
    if own is not None:
        kind = (
            "cloze"
            if note_type["type"] == 1
            else ["basic", "reversed"][min(1, len(note_type["tmpls"]) - 1)]
        )
        question, answer = (1, 0) if own[0] == "answer" else (0, 1)  # cloze: Title, Text
        return Mapping(kind, question, answer, 2, 3, 5)
    if note_type["type"] == 1 and fields:
        return Mapping("cloze", -1, 0, 1 if len(fields) > 1 else None)
    if len(fields) == 2 and len(note_type["tmpls"]) in (1, 2):
        return Mapping("basic" if len(note_type["tmpls"]) == 1 else "reversed", 0, 1)
    return None


def _card(
    note: Any,
    mapping: Mapping,
    where: SourceLocation,
    media: Path,
    images: ImageCopier,
    index: int,
) -> DraftCard | Skip:
    fields = list(note.fields)
    card = DraftCard(
        question="",
        answer="",
        location=where,
        source_text="\x1f".join([mapping.kind, *fields, " ".join(note.tags)]),
        kind=mapping.kind,
    )
    label = strip_html(fields[mapping.question] if mapping.question >= 0 else fields[0])[:50]
    card.location = SourceLocation(where.path, 0)

    def image(src: str, alt: str) -> str:
        return images.markdown(src, alt, media, SourceLocation(where.path, 0), card.images)

    def markdown(i: int | None, allow_break: bool = False) -> str:
        if i is None or i >= len(fields):
            return ""
        return as_blocks(html_to_markdown(fields[i], image), allow_break=allow_break)

    answer = markdown(mapping.answer)
    if mapping.question < 0:
        question = cloze_title(fields[0])
    else:
        question = one_line(markdown(mapping.question))
    if not strip_html(question).strip("\\ "):
        return Skip(where, f"empty question (note {index + 1}: '{label}')")
    if not answer.strip():
        return Skip(where, f"empty answer (note {index + 1}: '{label}')")
    details = markdown(mapping.details, allow_break=True)
    callouts = _callouts(fields[mapping.callouts] if mapping.callouts else "", image)
    card.question, card.answer = question, answer
    card.details = "\n\n".join(p for p in (details, callouts) if p)
    card.split = bool(details) or len(answer.split("\n\n")) > 1
    card.tags = tuple(
        t for t in (clean_tag(tag) for tag in note.tags) if t and not t.startswith("cardpress::")
    )
    if _GUID_RE.match(note.guid):
        card.guid = note.guid
    if mapping.card_id is not None and _ID_RE.match(fields[mapping.card_id].strip()):
        card.card_id = fields[mapping.card_id].strip()
    return card


def _callouts(field: str, image: Any) -> str:
    out = []
    for match in _CALLOUT_RE.finditer(field):
        body = as_blocks(html_to_markdown(match.group(2), image), allow_break=False)
        quoted = "\n".join(f"> {line}" if line else ">" for line in body.split("\n"))
        out.append(f"> [!{match.group(1).upper()}]\n{quoted}")
    return "\n\n".join(out)


def _common_top(names: list[str]) -> str:
    tops = {name.split("::")[0] for name in names}
    return tops.pop() if len(tops) == 1 else ""
