"""The Obsidian dialect: notes of a vault, cards in the Spaced Repetition plugin's syntax.

``question::answer`` and ``question:::answer`` (reversed) on one line; a question, a line
holding only ``?`` (or ``??``, reversed), then the answer, ending at a blank line; a
paragraph with a cloze pattern (``==highlight==`` by default) is a cloze card. Cards are
found line by line as the plugin finds them; code blocks and HTML comments hold none.
A note holds cards when it carries one of the plugin's flashcard tags (in its text or its
front matter), whose sub-tags name the deck; with the plugin's ``convertFoldersToDecks``,
the note's folder does. Each note is a section (one per deck it sends cards to).
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from dataclasses import dataclass, field

from markdown_it.token import Token

from cardpress.content.files import SourceFile, shown
from cardpress.content.vault import VaultSettings
from cardpress.errors import Reporter
from cardpress.markup import html as markup
from cardpress.model import reserved_tag
from cardpress.parse.drafts import Block, CardDraft, FileDraft, SectionDraft, top_level_blocks
from cardpress.parse.rules import obsidian_text as text
from cardpress.parse.rules.fences import check_fences, check_tab_indented

_PREFIX_RE = re.compile(r"^\s*(?:>\s?)*\s*(?:(?:[-*+]|\d{1,9}[.)])\s+(?:\[.\]\s+)?)?")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LEADING_TAG_RE = re.compile(r"^#[^\s#]+")
_BAD_TAG_RE = re.compile(r"[\"\s]")


@dataclass
class _Found:
    """A card as the plugin's parser finds it: its kind and its lines (0-based)."""

    kind: str  # basic, reversed, multi, multi-reversed, cloze
    first: int
    lines: list[str] = field(default_factory=list)


def read(source: SourceFile, tokens: list[Token], report: Reporter) -> FileDraft:
    """One note's cards, as sections by deck; a note without a flashcard tag has none."""
    draft = FileDraft(source)
    vault = source.vault if isinstance(source.vault, VaultSettings) else VaultSettings("")
    note = source.rel
    code, comments = _code_and_comment_lines(tokens)
    skip = code | comments
    matter = _front_matter_tags(source)
    text_tags = [
        (i, tag)
        for i, line in enumerate(source.lines)
        if i not in skip
        for tag in text.tags_in(line)
    ]
    all_tags = ["#" + t for t in matter] + ["#" + t for _, t in text_tags]
    if any(_tag_in(tag, vault.tags_to_ignore) for tag in all_tags):
        return draft
    folder = note.rsplit("/", 1)[0].split("/") if "/" in note else []
    if not vault.name:
        pass  # a deck of notes that says 'dialect: obsidian': every file holds cards
    elif vault.folders_as_decks:
        if not folder:
            return draft  # the plugin reads no note at the top of the vault then
    elif not any(_tag_in(tag, vault.flashcard_tags) for tag in all_tags):
        return draft
    found = _find_cards(source.lines, code, comments, vault)
    card_lines = {i for card in found for i in range(card.first, card.first + len(card.lines))}
    deck_lines = [
        (i, tag)
        for i, tag in text_tags
        if i not in card_lines and _tag_in("#" + tag, vault.flashcard_tags)
    ]
    matter_deck = next((t for t in matter if _tag_in("#" + t, vault.flashcard_tags)), None)
    note_tags = [t for t in matter if not _tag_in("#" + t, vault.flashcard_tags)]
    note_tags += [t for i, t in text_tags if i not in card_lines]
    headings = _headings(source.lines, skip)
    sections: dict[tuple[str, ...], SectionDraft] = {}
    for card in found:
        leading = _leading_tag(card)
        if vault.folders_as_decks and vault.name:
            deck = tuple(folder)
        elif leading and _tag_in(leading, vault.flashcard_tags):
            deck = _deck_of(leading)
        else:
            before = [t for i, t in deck_lines if i < card.first]
            chosen = before[-1] if before else matter_deck
            if chosen is None:
                chosen = next((t for _, t in deck_lines), None) or next(
                    (t.lstrip("#") for t in all_tags if _tag_in(t, vault.flashcard_tags)), ""
                )
            deck = _deck_of("#" + chosen)
        draft_card = _card_draft(card, source, vault, headings, note_tags, report)
        if draft_card is None:
            continue
        section = sections.get(deck)
        if section is None:
            section = _section(source, deck, card.first, bool(sections))
            sections[deck] = section
            draft.sections.append(section)
        section.cards.append(draft_card)
    return draft


def holds_cards(source: SourceFile) -> bool:
    """At a glance, before parsing: a note may hold cards if it names a flashcard tag (or
    the plugin makes folders decks, or the deck itself chose this dialect)."""
    vault = source.vault if isinstance(source.vault, VaultSettings) else None
    if vault is None or not vault.name or vault.folders_as_decks:
        return True
    words = set(_front_matter_tags(source))
    if any(_tag_in("#" + tag, vault.flashcard_tags) for tag in words):
        return True
    return any(tag in source.text for tag in vault.flashcard_tags)


def _tag_in(tag: str, tags: tuple[str, ...]) -> bool:
    """The plugin's test: the tag is one of ``tags`` or below one (``#flashcards/x``), with
    the case as written, as the plugin compares them."""
    return any(tag == t or tag.startswith(t + "/") for t in tags)


def _deck_of(tag: str) -> tuple[str, ...]:
    """The deck a flashcard tag names: its levels below the flashcard tag itself."""
    return tuple(part for part in tag.lstrip("#").split("/")[1:] if part)


def _front_matter_tags(source: SourceFile) -> list[str]:
    data = source.front_matter or {}
    found: list[str] = []
    for key in ("tags", "tag"):
        value = data.get(key)
        if isinstance(value, str):
            value = value.replace(",", " ").split()
        if isinstance(value, list):
            found += [str(v).strip().lstrip("#") for v in value if isinstance(v, (str, int))]
    return [t for t in found if t]


def _code_and_comment_lines(tokens: list[Token]) -> tuple[set[int], set[int]]:
    """Lines (0-based) inside code blocks, and inside HTML comments (not the plugin's
    scheduling comments): neither holds a separator."""
    code: set[int] = set()
    comments: set[int] = set()
    for token in tokens:
        if not token.map:
            continue
        if token.type in ("fence", "code_block"):
            code.update(range(token.map[0], token.map[1]))
        elif (
            token.type == "html_block"
            and markup.is_comment(token.content)
            and not token.content.lstrip().startswith("<!--SR:")
        ):
            comments.update(range(token.map[0], token.map[1]))
    return code, comments


def _headings(lines: list[str], skip: set[int]) -> dict[int, list[str]]:
    """For each heading line, the headings above it and itself: a cloze card's context."""
    stack: list[tuple[int, str]] = []
    found: dict[int, list[str]] = {}
    for i, line in enumerate(lines):
        match = _HEADING_RE.match(line) if i not in skip else None
        if match:
            level = len(match.group(1))
            stack = [(lvl, title) for lvl, title in stack if lvl < level]
            stack.append((level, match.group(2)))
            found[i] = [title for _, title in stack]
    return found


def _find_cards(
    lines: list[str], code: set[int], comments: set[int], vault: VaultSettings
) -> list[_Found]:
    """The plugin's parser: cards and where they are (see its ``parse``)."""
    separators = sorted(
        ((vault.single_line, "basic"), (vault.single_line_reversed, "reversed")),
        key=lambda pair: -len(pair[0]),
    )
    cloze = text.cloze_patterns(vault)
    cards: list[_Found] = []
    chunk: list[str] = []
    first = 0
    kind: str | None = None
    for i, line in enumerate(lines):
        if i in comments:
            continue  # the plugin skips HTML comments, its own scheduling comments aside
        stripped = line.strip()
        in_code = i in code
        ends = not in_code and (
            (not stripped and (not vault.end_marker or kind is None))
            or (bool(vault.end_marker) and stripped == vault.end_marker)
        )
        if ends:
            if kind is not None:
                cards.append(_Found(kind, first, chunk))
            chunk, kind, first = [], None, i + 1
            continue
        chunk.append(line)
        if in_code:
            continue
        single = next(
            (k for sep, k in separators if sep and text.first_outside(line, sep) != -1), None
        )
        if single is not None:
            if kind is not None:  # the card above ends here (the plugin would drop it)
                cards.append(_Found(kind, first, chunk[:-1]))
            cards.append(_Found(single, i, [line]))
            chunk, kind, first = [], None, i + 1
        elif stripped == vault.multi_line and len(chunk) > 1:
            kind = "multi"
        elif stripped == vault.multi_line_reversed and len(chunk) > 1:
            kind = "multi-reversed"
        elif kind is None and text.has_deletion(line, cloze):
            kind = "cloze"
    if kind is not None and chunk:
        cards.append(_Found(kind, first, chunk))
    return cards


def _leading_tag(card: _Found) -> str:
    body = _PREFIX_RE.sub("", card.lines[0], count=1)
    match = _LEADING_TAG_RE.match(body)
    return match.group(0) if match else ""


def _strip_prefixes(lines: list[str]) -> list[str]:
    """Lines without the list marker or quote markers they share, indented as written."""
    if not lines:
        return lines
    quoted = all(line.lstrip().startswith(">") for line in lines if line.strip())
    if quoted:
        lines = [re.sub(r"^\s*(?:>\s?)+", "", line) for line in lines]
    first = _PREFIX_RE.match(lines[0])
    width = len(first.group(0)) if first else 0
    out = [lines[0][width:]]
    for line in lines[1:]:
        indent = len(line) - len(line.lstrip(" "))
        out.append(line[min(indent, width) :])
    return out


def _card_draft(
    card: _Found,
    source: SourceFile,
    vault: VaultSettings,
    headings: dict[int, list[str]],
    note_tags: list[str],
    report: Reporter,
) -> CardDraft | None:
    note = source.rel
    converted = text.Converted()
    cloze = text.cloze_patterns(vault) if card.kind == "cloze" else None
    lines = [
        line
        for line in card.lines
        if not line.strip().startswith("<!--SR:") and line.strip() != vault.end_marker
    ]
    question_at = card.first
    if card.kind in ("basic", "reversed"):
        line = _PREFIX_RE.sub("", lines[0], count=1)
        line = _LEADING_TAG_RE.sub("", line, count=1).lstrip() if _leading_tag(card) else line
        sep = vault.single_line_reversed if card.kind == "reversed" else vault.single_line
        at = text.first_outside(line, sep)
        question_lines, answer_lines = [line[:at]], [line[at + len(sep) :]]
        answer_at = card.first
    elif card.kind == "cloze":
        context = [n for n, hs in sorted(headings.items()) if n < card.first]
        title = [source.rel.rsplit("/", 1)[-1].removesuffix(".md")]
        title += [h for h in (headings[context[-1]] if context else []) if h != title[0]]
        question_lines = [text._escape(" › ".join(title))]
        answer_lines, answer_at = _strip_prefixes(lines), card.first
    else:
        sep = vault.multi_line_reversed if card.kind == "multi-reversed" else vault.multi_line
        at = next(i for i, line in enumerate(lines) if line.strip() == sep)
        question_lines = _strip_prefixes(lines[:at])
        if _leading_tag(card):  # a deck tag on the question's first line, as the plugin
            question_lines[0] = _LEADING_TAG_RE.sub("", question_lines[0].lstrip(), count=1)
        while len(question_lines) > 1 and (
            not question_lines[0].strip() or _HEADING_RE.match(question_lines[0])
        ):
            question_lines = question_lines[1:]  # a heading right above is context
            question_at += 1
        titled = _HEADING_RE.match(question_lines[0]) if len(question_lines) == 1 else None
        if titled:  # a heading written as the question: its text, never a list
            question_lines = [
                re.sub(r"^(\d{1,9})([.)])(\s)|^([-+*])(\s)", r"\1\\\2\3\4\5", titled.group(2))
            ]
        answer_lines, answer_at = _strip_prefixes(lines[at + 1 :]), card.first + at + 1
    question_lines = [text.convert_line(x, note, vault, converted) for x in question_lines]
    answer_lines = [text.convert_line(x, note, vault, converted, cloze) for x in answer_lines]
    line_no = card.first + 1
    where = source.location(line_no, 1)
    for missing in converted.missing:
        report.warning(
            source.find(line_no, missing, card.first + len(card.lines)),
            f"embed '{shown(missing)}' matches no image in the vault: it is shown as its name; "
            "check the name or move the image into the vault",
        )
    for name, drawing in converted.unshown:
        fix = (
            "is a drawing without an exported image, shown by its name: turn on "
            "Excalidraw's auto-export (SVG or PNG) and the image is used"
            if drawing
            else "is a note, shown by its name: a card holds no other note's text"
        )
        report.warning(
            source.find(line_no, name, card.first + len(card.lines)), f"embed '{shown(name)}' {fix}"
        )
    for address in converted.remote:
        report.warning(
            source.find(line_no, address, card.first + len(card.lines)),
            f"image '{shown(address)}' is on the web and is shown as a link: nothing is "
            "downloaded; save it into the vault and embed it with ![[name]] to show it",
        )
    question = _blocks("\n".join(question_lines), question_at, source, report)
    answer = _blocks("\n".join(answer_lines), answer_at, source, report)
    heading = Token("heading_open", "h3", 1, map=[card.first, card.first + 1])
    kind = {"reversed": "reversed", "multi-reversed": "reversed", "cloze": "cloze"}
    settings = {"kind": (kind.get(card.kind, "basic"), where)}
    tags = _anki_tags([*note_tags, *converted.tags], vault, source, line_no, report)
    if tags:
        settings["tags"] = (" ".join(tags), where)
    single = len(question) == 1 and question[0][0].type == "paragraph_open"
    inline = question[0][1] if single else Token("inline", "", 0, map=[card.first, card.first + 1])
    return CardDraft(
        heading,
        inline,
        source,
        settings=settings,
        body=answer,
        question_blocks=None if single or not question else question,
        link=_link(vault, note) if vault.name and vault.link_back else "",
    )


def _anki_tags(
    tags: list[str], vault: VaultSettings, source: SourceFile, line: int, report: Reporter
) -> list[str]:
    found: list[str] = []
    for tag in tags:
        if _tag_in("#" + tag, vault.flashcard_tags):
            continue
        anki = text.anki_tag(tag)
        if not anki or _BAD_TAG_RE.search(anki) or reserved_tag(anki):
            report.warning(
                source.find(line, tag), f"tag '{shown(tag)}' cannot be an Anki tag: left out"
            )
            continue
        found.append(anki)
    return list(dict.fromkeys(found))


def _blocks(markdown: str, offset: int, source: SourceFile, report: Reporter) -> list[Block]:
    """Markdown parsed on its own, its tokens' lines made lines of the note, its code
    checked as a whole file's would be."""
    tokens = markup.parse(markdown, source.math).tokens
    for token in tokens:
        if token.map:
            token.map = [token.map[0] + offset, token.map[1] + offset]
        for child in token.children or []:
            if child.type == "image":
                title = str(child.attrs.get("title", ""))
                if title.startswith(text.WIDTH_MARK):
                    child.attrs["width"] = title[len(text.WIDTH_MARK) :]
                    del child.attrs["title"]
    check_fences(source, tokens, report)
    check_tab_indented(source, tokens, report)
    return list(top_level_blocks(tokens))


def _link(vault: VaultSettings, note: str) -> str:
    """``obsidian://open`` for the note: Obsidian opens it in the vault of that name."""
    query = urllib.parse.urlencode(
        {"vault": vault.name, "file": note.removesuffix(".md")}, quote_via=urllib.parse.quote
    )
    return f"obsidian://open?{query}"


def _section(source: SourceFile, deck: tuple[str, ...], first: int, more: bool) -> SectionDraft:
    """A note's section for one deck: titled by the note, keyed by its path (and the deck,
    for a note's second deck and later); a key of other characters gets a short hash."""
    title = source.rel.rsplit("/", 1)[-1].removesuffix(".md")
    if more and deck:  # the same note's cards in another deck: told apart by it
        title = f"{title} · {deck[-1]}"
    inline = markup.parse(text._escape(title) or "note", False).tokens[1]
    inline.map = [first, first + 1]
    path = source.rel.removesuffix(".md") + ("/" + "/".join(deck) if more else "")
    words = re.findall(r"[a-z0-9]+", path.lower())
    slug = "-".join(words)[:80] or "note"
    if "/".join(words) != path.lower().replace(" ", "/").replace("-", "/").replace("_", "/"):
        slug += "-" + hashlib.sha256(path.encode()).hexdigest()[:6]
    where = source.location(first + 1, 1)
    section = SectionDraft(first + 1, source, inline, settings={"id": (slug, where)})
    section.deck_path = deck
    return section
