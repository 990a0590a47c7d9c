"""``files``: one question per file, with ``#### Answer`` and ``#### Good to hear`` parts.

The shape of collections that keep each question in its own file: the first heading
is the question, ``#### Good to hear`` (a list of the points an interviewer listens
for) is the short answer, ``#### Answer`` and ``##### Additional links`` are the
details, and ``<!-- tags: (a,b) -->`` gives tags, the first of which is the section.
Code between the question and ``#### Answer`` is part of the question: it joins the
heading as inline code and opens the details as written. The file name is the card id.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

from cardpress.importers import ImportOptions
from cardpress.importers.common import heading_text, prompt_inline, unique
from cardpress.importers.draft import DraftCard, DraftDeck, DraftFile, DraftSection, Skip
from cardpress.importers.images import ImageCopier
from cardpress.importers.source_files import SourceSet, image_root
from cardpress.importers.writer import ascii_slug, clean_tag
from cardpress.markup.convert import as_blocks, convert_markdown
from cardpress.markup.fences import FenceTracker
from cardpress.model import SourceLocation

PARTS = {
    "answer": "answer",
    "good to hear": "good",
    "tl;dr": "good",
    "tldr": "good",
    "additional links": "links",
}
_HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_TAGS_RE = re.compile(r"<!--\s*tags:\s*\(?(.*?)\)?\s*-->", re.I | re.S)
_META_RE = re.compile(r"<!--\s*[A-Za-z-]+:.*?-->", re.S)
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)


def read(sources: SourceSet, options: ImportOptions) -> DraftDeck:
    images = ImageCopier(image_root(sources.root))
    deck = DraftDeck(title="")
    sections: dict[str, DraftSection] = {}
    ids: set[str] = set()
    stems = Counter(path.stem for path in sources.files)
    for path in sources.files:
        rel = sources.relative(path)
        text = sources.read_text(path)
        deck.sources_read += 1
        card = _card(text, rel, path, images)
        if isinstance(card, Skip):
            deck.skipped.append(card)
            deck.empty_answers += card.reason == "empty answer"
            continue
        name = path.stem if stems[path.stem] == 1 else path.parent.name  # questions/x/en.mdx
        card.card_id = unique(ascii_slug(name, 60) or "question", ids)
        topic = card.tags[0] if card.tags else "general"
        key = ascii_slug(topic, 40) or "general"
        if key not in sections:
            sections[key] = DraftSection(
                title=topic[:1].upper() + topic[1:], key=key, location=card.location
            )
        sections[key].cards.append(card)
    for key in sorted(sections):
        deck.files.append(DraftFile(name=f"{key}.md", sections=[sections[key]]))
    deck.missing_images = images.missing
    return deck


def _card(text: str, rel: str, path: Path, images: ImageCopier) -> DraftCard | Skip:
    tags = _TAGS_RE.search(text)
    tag_list = tuple(
        t for t in (clean_tag(v) for v in (tags.group(1).split(",") if tags else [])) if t
    )
    title, line, text = _front_matter(text)
    parts = _parts(_META_RE.sub("", text), (line, title) if title else None)
    if "question" not in parts:
        return Skip(SourceLocation(rel, 1), "no question heading")
    line, raw_question = parts.pop("question")
    where = SourceLocation(rel, line)
    card = DraftCard(question="", answer="", location=where, source_text=text, tags=tag_list)

    def image(src: str, alt: str) -> str:
        return images.markdown(src, alt, path.parent, where, card.images)

    def blocks(name: str) -> str:
        return as_blocks(convert_markdown(parts.get(name, (0, ""))[1], image), allow_break=False)

    question = heading_text(raw_question)
    prompt = parts.get("prompt", (0, ""))[1].strip()
    if prompt:
        question += " " + prompt_inline(prompt)
    answer, good, links = blocks("answer"), blocks("good"), blocks("links")
    extra = [b for b in (blocks(n) for n in parts if n not in ("prompt", *PARTS.values())) if b]
    if not (answer or good) and extra:  # only parts of its own ("Advantages", ...)
        answer, extra = "\n\n".join(extra), []
    if not (answer or good):
        return Skip(where, "empty answer")
    details = []
    if prompt:
        details.append("The question's code:\n\n" + as_blocks(prompt, allow_break=False))
    if good:
        details.append(answer)
    details.extend(extra)
    if links:
        details.append("**Additional links**\n\n" + links)
    card.question = question
    card.answer = good or answer
    card.details = "\n\n".join(d for d in details if d)
    return card


def _front_matter(text: str) -> tuple[str, int, str]:
    """A front matter's ``title`` (the question), its line, and the text after it, which
    keeps its line count so that locations stay true."""
    match = _FRONT_MATTER_RE.match(text)
    if match is None:
        return "", 0, text
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return "", 0, text
    title = data.get("title") if isinstance(data, dict) else None
    if not isinstance(title, str) or not title.strip():
        return "", 0, text
    line = 1 + next((n for n, t in enumerate(match.group(1).split("\n"), 1) if "title" in t), 1)
    return title.strip(), line, "\n" * match.group(0).count("\n") + text[match.end() :]


def _parts(text: str, question: tuple[int, str] | None) -> dict[str, tuple[int, str]]:
    """The question heading (or the front matter's title), the text before the first
    part heading ('prompt', or the answer under a front matter's title), and each part
    by its name; unknown part headings keep their title as a bold line."""
    parts: dict[str, tuple[int, str]] = {}
    current = ""
    lines: list[str] = []
    if question is not None:
        parts["question"] = question
        current = "answer"
        parts["answer"] = (question[0], "")
    fences = FenceTracker()

    def close() -> None:
        if current and current != "question":
            start = parts.get(current, (0, ""))
            parts[current] = (start[0], (start[1] + "\n" + "\n".join(lines)).strip("\n"))

    for number, line in enumerate(text.split("\n")):
        if fences.feed(number, line):
            lines.append(line)
            continue
        heading = _HEADING_RE.match(line)
        if heading and "question" not in parts:
            parts["question"] = (number + 1, heading.group(2))
            current, lines = "prompt", []
            continue
        if heading and "question" in parts:
            close()
            name = heading.group(2).strip().lower().rstrip(":")
            current = PARTS.get(name, name)
            lines = [] if current in PARTS.values() else [f"**{heading.group(2).strip()}**", ""]
            parts.setdefault(current, (number + 1, ""))
            continue
        lines.append(line)
    close()
    return parts
