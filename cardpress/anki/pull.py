"""``cardpress pull``'s work: edits made in Anki written back into the Markdown.

A three-way merge per field: the base is what cardpress last put in the note (the
lock's record of the last package, or the collection's record of the last sync), ours
the Markdown, theirs the collection (``anki_edits``). A field edited only in Anki is
converted from Anki's HTML to Markdown with the importers' converter and written in
place of the card's question, answer or details; one edited on both sides is a conflict,
reported with both texts. Nothing is guessed: every converted field is rendered again
exactly as the build renders it (from a copy of the content folder) and kept only when
it gives back what Anki holds, code highlighting aside; the others are reported.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardpress.anki.edits import FieldEdit, deck_notes, edited_fields, normal
from cardpress.markup import fences as code_fences
from cardpress.markup import html as markup
from cardpress.model import Card, Deck
from cardpress.parse.drafts import top_level_blocks

QUESTION_FIELDS = ("Question", "Title")
ANSWER_FIELDS = ("Answer", "Text")
DETAILS_FIELDS = ("Details",)
_SPAN_RE = re.compile(r"</?span\b[^>]*>")
_VOID_END_RE = re.compile(r"\s*/>")
_SAME_TAGS = {"b": "strong", "i": "em", "strike": "s", "del": "s"}
_SAME_TAG_RE = re.compile(r"<(/?)(b|i|strike|del)>")


@dataclass(frozen=True)
class Change:
    """One field to write into a file: lines ``start`` to ``end`` (1-based, inclusive;
    ``end`` = ``start`` - 1 inserts) become ``text``."""

    edit: FieldEdit
    path: Path
    start: int
    end: int
    text: str


@dataclass
class Pull:
    """What ``cardpress pull`` writes, and what it leaves for the user."""

    files: dict[Path, tuple[str, str]] = field(default_factory=dict)
    """File -> (its text now, its text with the edits)."""
    pulled: list[FieldEdit] = field(default_factory=list)
    refused: list[tuple[FieldEdit, str]] = field(default_factory=list)


def plan_pull(content: Path, state: Any, col: Any, templates: Path) -> Pull:
    """The edits of every deck of ``state`` (read from ``content``) that can be pulled."""
    pull = Pull()
    changes: list[Change] = []
    texts: dict[Path, str] = {}
    root = state.scan.root
    for deck in state.decks:
        known = deck_notes(deck, state.locks[deck.key], templates)
        cards = {card.id: card for card in deck.cards()}
        edits = edited_fields(col, [known], at_risk=True, include_behind=True)
        both = _question_and_answer(edits, cards)
        for edit in edits:
            reason = _refusal(edit, cards, both)
            if reason is not None:
                pull.refused.append((edit, reason))
                continue
            card = cards[edit.card_id]
            path = root / card.location.path
            if path not in texts:
                texts[path] = path.read_text(encoding="utf-8")
            change = _change(edit, card, deck, path, texts[path])
            if isinstance(change, str):
                pull.refused.append((edit, change))
            else:
                changes.append(change)
    faithful = _faithful(content, root, templates, texts, changes, pull)
    for path, text in texts.items():
        new = _apply(text, [c for c in faithful if c.path == path])
        if new != text:
            pull.files[path] = (text, new)
    pull.pulled = [c.edit for c in faithful]
    return pull


def pull_edits(content: Path, state: Any, place: Any, templates: Path) -> Pull:
    from cardpress.anki.collection import open_collection

    col = open_collection(place)
    try:
        return plan_pull(content, state, col, templates)
    finally:
        col.close()


def _question_and_answer(edits: Sequence[FieldEdit], cards: dict[str, Card]) -> set[str]:
    """Cards without an explicit id whose question and answer were both edited: the lock
    could not tell they are the same card."""
    fields: dict[str, set[str]] = {}
    for edit in edits:
        fields.setdefault(edit.card_id, set()).add(edit.field)
    return {
        card_id
        for card_id, names in fields.items()
        if names & set(QUESTION_FIELDS)
        and names & set(ANSWER_FIELDS)
        and card_id in cards
        and not cards[card_id].explicit_id
    }


def _refusal(edit: FieldEdit, cards: dict[str, Card], both: set[str]) -> str | None:
    if edit.card_id not in cards:
        return "the card is not in the Markdown any more"
    if edit.behind:
        return (
            "the note in Anki is older than the last build: an older package's version, or "
            "an edit made before that build. If it is an edit, copy it into the Markdown by "
            "hand; if not, import the last package (or sync)"
        )
    if edit.markdown_changed:
        return "changed in the Markdown too since the last build: merge the two by hand"
    if edit.field not in (*QUESTION_FIELDS, *ANSWER_FIELDS, *DETAILS_FIELDS):
        return f"the {edit.field} field comes from cardpress, not from one place in the Markdown"
    if edit.card_id in both and edit.field in QUESTION_FIELDS:
        return (
            "its answer was edited too: pulled together, the card would lose its id. The "
            "answer is pulled now; build, then pull again for the question"
        )
    if edit.field in DETAILS_FIELDS and cards[edit.card_id].callouts:
        return "the card's callouts sit among its details: edit the Markdown by hand"
    return None


def _change(edit: FieldEdit, card: Card, deck: Deck, path: Path, text: str) -> Change | str:
    """Where the edit goes in the file, converted; or why it cannot go there."""
    from cardpress.markup.from_html import html_to_markdown

    spans = _card_spans(text, deck.math, card.location.line)
    if spans is None:
        return "the card's heading was not found where the build found it"
    unknown: list[str] = []
    folder = Path(card.location.path).parent
    media = {m.name: m.path for m in deck.media}

    def image(src: str, alt: str) -> str:
        if src not in media:
            unknown.append(src)
            return f"![{alt}]({src})"
        return f"![{alt}]({Path(os.path.relpath(media[src], folder or '.')).as_posix()})"

    converted = html_to_markdown(edit.anki, image).strip()
    if unknown:
        return f"image {unknown[0]} was added in Anki: copy it into the content folder first"
    converted = with_fence_languages(converted, spans.fences)
    heading_line, answer, details, has_rule = (
        spans.question,
        spans.answer,
        spans.details,
        spans.rule,
    )
    if edit.field in QUESTION_FIELDS:
        if "\n" in converted or not converted:
            return "the question is not one line of text any more"
        marks = text.splitlines()[heading_line - 1].split(" ", 1)[0]
        return Change(edit, path, heading_line, heading_line, f"{marks} {converted}")
    if edit.field in ANSWER_FIELDS:
        if not converted or answer is None:
            return "the answer is empty in Anki"
        if "\n\n" in converted and not has_rule:
            converted += "\n\n---"
        return Change(edit, path, answer[0], answer[1], converted)
    if details is not None:
        return Change(edit, path, details[0], details[1], converted)
    if answer is None:
        return "the card has no answer to put details after"
    return Change(edit, path, answer[1] + 1, answer[1], "\n" + converted)


@dataclass(frozen=True)
class _Spans:
    question: int
    answer: tuple[int, int] | None
    details: tuple[int, int] | None
    rule: bool
    fences: list[str]
    """The info strings of the card's code fences, in order."""


def _card_spans(text: str, math: bool, heading_line: int) -> _Spans | None:
    """The lines of a card's answer and details, as the parser splits them."""
    blocks = list(top_level_blocks(markup.parse(text, math).tokens))
    start = next(
        (
            i
            for i, b in enumerate(blocks)
            if b[0].type == "heading_open" and b[0].map and b[0].map[0] + 1 == heading_line
        ),
        None,
    )
    if start is None:
        return None
    body = []
    for block in blocks[start + 1 :]:
        first = block[0]
        if first.type == "heading_open" and first.tag in ("h1", "h2", "h3"):
            break
        if first.type == "html_block" and markup.is_comment(first.content):
            continue
        if first.type == "blockquote_open" and _is_callout(block):
            continue
        body.append(block)
    fences = [t.info for b in body for t in b if t.type == "fence"]
    rule = next((i for i, b in enumerate(body) if b[0].type == "hr"), None)
    answer_blocks = body[:rule] if rule is not None else body[:1]
    detail_blocks = body[rule + 1 :] if rule is not None else body[1:]
    return _Spans(
        heading_line, _lines(answer_blocks), _lines(detail_blocks), rule is not None, fences
    )


def _is_callout(block: list[Any]) -> bool:
    inline = next((t for t in block if t.type == "inline"), None)
    return inline is not None and inline.content.lstrip().startswith("[!")


def _lines(blocks: list[list[Any]]) -> tuple[int, int] | None:
    maps = [t.map for b in blocks for t in b if t.map]
    if not maps:
        return None
    return min(m[0] for m in maps) + 1, max(m[1] for m in maps)


def with_fence_languages(converted: str, infos: list[str]) -> str:
    """The converter's code fences with the languages of the card's fences, in order
    (Anki's HTML keeps the highlighting, not the language). Fences of either kind count:
    the converter fences code that holds backticks with tildes."""
    lines = converted.split("\n")
    languages = iter(infos)
    for fence in code_fences.fences(lines):
        line = lines[fence.open]
        indent = line[: len(line) - len(line.lstrip())]
        lines[fence.open] = f"{indent}{fence.marker}{next(languages, '')}"
    return "\n".join(lines)


def _apply(text: str, changes: Sequence[Change]) -> str:
    """``text`` with the changes, its line endings kept."""
    if not changes:
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    for change in sorted(changes, key=lambda c: (c.start, c.end), reverse=True):
        lines[change.start - 1 : change.end] = change.text.split("\n")
    return newline.join(lines) + (newline if text.endswith(("\n", "\r")) else "")


def canonical(html: str) -> str:
    """A field as compared for faithfulness: highlighting spans, spacing and the tags
    Anki's editor writes for what Markdown writes otherwise (``<b>`` for ``<strong>``)
    aside."""
    text = _SPAN_RE.sub("", normal(html))
    text = _SAME_TAG_RE.sub(lambda m: f"<{m.group(1)}{_SAME_TAGS[m.group(2)]}>", text)
    return " ".join(_VOID_END_RE.sub(">", text).split())


def _faithful(
    content: Path,
    root: Path,
    templates: Path,
    texts: dict[Path, str],
    changes: list[Change],
    pull: Pull,
) -> list[Change]:
    """The changes whose Markdown the build renders as exactly what Anki holds; the others
    go to ``pull.refused``. Checked by building the fields from a copy of the content."""
    from cardpress.errors import ContentError
    from cardpress.parse import read_content

    kept = list(changes)
    while kept:
        with tempfile.TemporaryDirectory(prefix="cardpress-pull-") as tmp:
            copy = Path(tmp) / "content"
            shutil.copytree(root, copy, symlinks=True)
            for path, text in texts.items():
                new = _apply(text, [c for c in kept if c.path == path])
                (copy / path.relative_to(root)).write_text(new, encoding="utf-8")
            try:
                state = read_content(copy, now=0)
            except ContentError as error:
                bad = {str(d.location.path) for d in error.diagnostics if d.is_error}
                refused = [c for c in kept if str(c.path.relative_to(root)) in bad]
                for change in refused or kept:
                    pull.refused.append((change.edit, "the Markdown it makes has errors"))
                kept = [c for c in kept if c not in (refused or kept)]
                continue
            fields = _built_fields(state, templates)
        wrong = [
            c
            for c in kept
            if canonical(fields.get((c.edit.deck, c.edit.card_id), {}).get(c.edit.field, ""))
            != canonical(c.edit.anki)
        ]
        if not wrong:
            return kept
        for change in wrong:
            pull.refused.append(
                (change.edit, "Markdown cannot say it the way Anki holds it: edit by hand")
            )
        kept = [c for c in kept if c not in wrong]
    return kept


def _built_fields(state: Any, templates: Path) -> dict[tuple[str, str], dict[str, str]]:
    """(deck, card id) -> field name -> the field the build would make."""
    from cardpress.anki.edits import deck_notes as notes_of

    found: dict[tuple[str, str], dict[str, str]] = {}
    for deck in state.decks:
        for note in notes_of(deck, state.locks[deck.key], templates).notes:
            found[(deck.key, note.card_id)] = dict(zip(note.names, note.package, strict=False))
    return found


def unified_diff(pull: Pull, shown: Any) -> list[str]:
    """The change to each file, as ``diff -u`` shows it."""
    lines: list[str] = []
    for path, (old, new) in sorted(pull.files.items()):
        name = shown(path)
        lines += difflib.unified_diff(old.splitlines(), new.splitlines(), name, name, lineterm="")
    return lines
