"""``csv``: a spreadsheet of cards, CSV or TSV with a header row.

Columns are found by their header (case does not matter): ``question`` (or Front, Q,
Term), ``answer`` (Back, A, Definition), ``details`` (Extra, Notes, Back Extra),
``tags``, ``section`` (Deck, Category, Topic), ``id`` and ``kind`` (Type); ``--map``
names others, as ``question=Front,answer=Back,tags=Tags,section=Deck``. Cells may hold
Markdown or the HTML that Anki and spreadsheets export. A section like ``A::B`` keeps
its levels (Anki subdecks). One Markdown file per source file.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from cardpress.errors import UsageError
from cardpress.importers import ImportOptions
from cardpress.importers.common import cloze_title, unique
from cardpress.importers.draft import DraftCard, DraftDeck, DraftFile, DraftSection, Skip
from cardpress.importers.images import ImageCopier
from cardpress.importers.source_files import SourceSet, image_root
from cardpress.importers.writer import ascii_slug, clean_tag
from cardpress.markup.convert import ImageHook, as_blocks, convert_markdown, one_line
from cardpress.markup.from_html import html_to_markdown
from cardpress.model import SourceLocation

ROLES: dict[str, tuple[str, ...]] = {
    "question": ("question", "front", "q", "term", "prompt"),
    "answer": ("answer", "back", "a", "definition", "response"),
    "details": ("details", "extra", "notes", "back extra", "explanation"),
    "tags": ("tags", "tag"),
    "section": ("section", "deck", "category", "topic", "chapter"),
    "id": ("id", "key"),
    "kind": ("kind", "type", "card type"),
}
KINDS = {"basic": "basic", "reversed": "reversed", "reverse": "reversed", "cloze": "cloze"}
_BLOCK_HTML_RE = re.compile(r"<(?:div|p|br|ul|ol|li|table|pre)\b", re.I)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


def read(sources: SourceSet, options: ImportOptions) -> DraftDeck:
    mapping = _mapping(options.field_map)
    images = ImageCopier(image_root(sources.root))
    deck = DraftDeck(title="")
    names: set[str] = set()
    keys: set[str] = set()
    ids: set[str] = set()
    for path in sources.files:
        rel = sources.relative(path)
        text = sources.read_text(path)
        deck.sources_read += 1
        name = unique(ascii_slug(path.stem, 40) or "cards", names)
        draft = DraftFile(name=f"{name}.md")
        sections: dict[str, DraftSection] = {}
        for card, section_title, row_line in _rows(text, path, rel, mapping, deck, images):
            title = section_title or path.stem
            if title not in sections:
                parts = [ascii_slug(p, 30) for p in title.split("::")]
                key = unique(".".join(p for p in parts if p) or name, keys)
                sections[title] = DraftSection(
                    title=" ".join(title.split()), key=key, location=SourceLocation(rel, row_line)
                )
                draft.sections.append(sections[title])
            if card.card_id:
                card.card_id = unique(card.card_id, ids)
            sections[title].cards.append(card)
        if draft.sections:
            deck.files.append(draft)
    deck.missing_images = images.missing
    return deck


def _mapping(values: tuple[str, ...]) -> dict[str, str]:
    """Role -> column header, from ``--map``; roles not given are found by their names."""
    mapping: dict[str, str] = {}
    for value in values:
        for pair in value.split(","):
            role, eq, column = pair.partition("=")
            role = role.strip().lower()
            if not eq or role not in ROLES or not column.strip():
                raise UsageError(
                    f"--map '{pair.strip()}': write ROLE=COLUMN with ROLE one of {', '.join(ROLES)}"
                )
            mapping[role] = column.strip()
    return mapping


def _rows(
    text: str,
    path: Path,
    rel: str,
    mapping: dict[str, str],
    deck: DraftDeck,
    images: ImageCopier,
) -> list[tuple[DraftCard, str, int]]:
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".txt") else _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        deck.skipped.append(Skip(SourceLocation(rel, 1), "no header row"))
        return []
    columns = _columns(header, mapping, rel)
    out: list[tuple[DraftCard, str, int]] = []
    line = reader.line_num + 1
    for row in reader:
        where = SourceLocation(rel, line)
        line = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue

        def cell(role: str, row: list[str] = row) -> str:
            index = columns.get(role)
            return row[index].strip() if index is not None and index < len(row) else ""

        card = DraftCard(question="", answer="", location=where, source_text="\x1f".join(row))

        def image(src: str, alt: str, card: DraftCard = card, where: SourceLocation = where) -> str:
            return images.markdown(src, alt, path.parent, where, card.images)

        question = one_line(_markdown(cell("question"), image))
        answer = as_blocks(_markdown(cell("answer"), image), allow_break=False)
        kind = KINDS.get(cell("kind").lower(), "basic")
        if "{{c" in cell("question") and not cell("kind"):
            kind = "cloze"
        if kind == "cloze":  # the text with deletions is the answer; the title the question
            question = cloze_title(cell("question"))
            answer = as_blocks(_markdown(cell("question"), image), allow_break=False)
        if not question.strip("\\ "):
            deck.skipped.append(Skip(where, "empty question"))
            continue
        if not answer.strip():
            deck.skipped.append(Skip(where, "empty answer"))
            deck.empty_answers += 1
            continue
        card.question, card.answer, card.kind = question, answer, kind
        card.details = as_blocks(_markdown(cell("details"), image), allow_break=True)
        card.tags = tuple(t for t in (clean_tag(v) for v in cell("tags").split()) if t)
        given = cell("id").lower()
        if given and _ID_RE.match(given):
            card.card_id = given
        elif given:
            deck.skipped.append(Skip(where, f"id '{given[:40]}' is not a card id: made one"))
        out.append((card, cell("section"), where.line))
    return out


def _sniff(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _columns(header: list[str], mapping: dict[str, str], rel: str) -> dict[str, int]:
    names = [h.strip().lstrip("#").strip().lower() for h in header]
    columns: dict[str, int] = {}
    for role, aliases in ROLES.items():
        wanted = mapping.get(role)
        if wanted is not None:
            if wanted.lower() not in names:
                raise UsageError(
                    f"{rel}: no column '{wanted}' for {role} (columns: {', '.join(header)})"
                )
            columns[role] = names.index(wanted.lower())
            continue
        for alias in aliases:
            if alias in names:
                columns[role] = names.index(alias)
                break
    for role in ("question", "answer"):
        if role not in columns and not (role == "answer" and "question" in columns):
            raise UsageError(
                f"{rel}: no {role} column (columns: {', '.join(header)}): "
                f"name one with --map {role}=COLUMN"
            )
    return columns


def _markdown(cell: str, image: ImageHook) -> str:
    """A cell as Markdown: HTML with blocks (an export from Anki) converted as HTML."""
    if _BLOCK_HTML_RE.search(cell):
        return html_to_markdown(cell, image)
    return convert_markdown(cell, image)
