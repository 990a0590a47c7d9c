"""Cloze deletions in a card's HTML, found in linear time and checked before anyone else looks.

Renderers, genanki and Anki find deletions with regular expressions that backtrack
badly on text like ``{{c1::{{c1::...`` that is never closed (a few kilobytes take
minutes). So the parser passes a cloze text only when no deletion holds another, hints
are plain text (they end up in an attribute) and numbers are ones Anki can make cards
for; a ``{{`` that is never closed is text, and its braces (and all after it) are
written as character references, as are braces and colons inside tags (an image's alt
text, a link's address), so no engine can see a deletion there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CLOZE_NUMBER = 500  # Anki makes at most 500 cards from one cloze note
_EXPLICIT_RE = re.compile(r"c([0-9]{1,9})::")
_TAG_RE = re.compile(r"<[^>]*>")
_EXPLICIT_START_RE = re.compile(r"\{\{c[0-9]+::")
_TAG_CHARACTERS = {"{": "&#123;", "}": "&#125;", ":": "&#58;"}
_LITERAL_START_RE = re.compile(r"\{\{(?=c\d+::)")


@dataclass(frozen=True)
class ClozeText:
    deletions: list[Deletion]
    unclosed: int | None  # offset of the first '{{' never closed: braces from there are text
    unclosed_index: int  # which '{{' of the text that is


@dataclass(frozen=True)
class Deletion:
    number: int | None  # None for the shorthand {{text}}, numbered by ``expand``
    answer: str
    hint: str | None
    start: int  # offsets of '{{' and after '}}' in the HTML
    end: int


class ClozeProblem(Exception):
    """What is wrong, and which '{{' of the text (0-based) it is about."""

    def __init__(self, message: str, index: int):
        super().__init__(message)
        self.message = message
        self.index = index


def protect_tags(html: str) -> str:
    """``html`` with ``{``, ``}`` and ``:`` inside tags written as character references."""

    def protect(tag: re.Match[str]) -> str:
        text = tag.group(0)
        if "{" not in text and "}" not in text and ":" not in text:
            return text
        return "".join(_TAG_CHARACTERS.get(c, c) for c in text)

    return _TAG_RE.sub(protect, html)


def scan(html: str) -> ClozeText:
    """The deletions of a cloze text in order; raises ClozeProblem for the first bad one."""
    deletions: list[Deletion] = []
    position = 0
    while True:
        start = html.find("{{", position)
        index = len(deletions)
        if start < 0:
            return ClozeText(deletions, None, index)
        close = html.find("}}", start + 2)
        if close < 0:
            return ClozeText(deletions, start, index)
        inner = html[start + 2 : close]
        if "{{" in inner:
            raise ClozeProblem("cloze deletions cannot be nested", index + 1)
        explicit = _EXPLICIT_RE.match(inner)
        number = int(explicit.group(1)) if explicit else None
        body = inner[explicit.end() :] if explicit else inner
        answer, separator, hint = body.partition("::")
        if number is not None and not 1 <= number <= MAX_CLOZE_NUMBER:
            raise ClozeProblem(
                f"cloze number c{number} is out of range: use c1 to c{MAX_CLOZE_NUMBER}", index
            )
        if not answer.strip():
            raise ClozeProblem("cloze deletion is empty", index)
        if separator and "<" in hint:
            raise ClozeProblem("a cloze hint must be plain text, without formatting", index)
        deletions.append(Deletion(number, answer, hint if separator else None, start, close + 2))
        position = close + 2


def expand(html: str, scanned: ClozeText) -> str:
    """The text with every deletion in Anki's form; ``{{text}}`` is numbered one past the
    highest number before it."""
    parts: list[str] = []
    position = 0
    highest = 0
    for index, deletion in enumerate(scanned.deletions):
        if deletion.number is None:
            highest += 1
            number = highest
        else:
            number = deletion.number
            highest = max(highest, number)
        if number > MAX_CLOZE_NUMBER:
            raise ClozeProblem(
                f"more than {MAX_CLOZE_NUMBER} cloze numbers: Anki cannot make the cards", index
            )
        hint = "" if deletion.hint is None else "::" + deletion.hint
        parts += [html[position : deletion.start], f"{{{{c{number}::{deletion.answer}{hint}}}}}"]
        position = deletion.end
    if scanned.unclosed is None:
        parts.append(html[position:])
    else:
        parts.append(html[position : scanned.unclosed])
        parts.append(html[scanned.unclosed :].replace("{", "&#123;").replace("}", "&#125;"))
    return "".join(parts)


def has_explicit_deletion(html: str) -> bool:
    """Whether the HTML holds an Anki deletion such as ``{{c1::...}}`` (closed later on)."""
    match = _EXPLICIT_START_RE.search(html)
    return match is not None and html.find("}}", match.end()) >= 0


def plain_text_safe(text: str) -> str:
    """Plain text of a cloze card with no ``{{c1::`` left in it to look like a deletion.

    Deletions are resolved in the text already; what remains is literal (an unclosed
    ``{{`` shown as text, an image's alt text), and a model regular expression run over
    thousands of them would take minutes.
    """
    return _LITERAL_START_RE.sub("{ {", text)
