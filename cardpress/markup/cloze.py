"""Cloze deletions: the one marker in card HTML that every output finishes its own way.

The protocol, for deletions and for any later marker of the same kind (math, say):

1. **One module owns the marker**: this one, for both sides. The parser checks a cloze
   text with ``scan`` and writes it with ``expand``; outputs find deletions only through
   ``deletions``, ``numbers`` and ``finish``, never with a pattern of their own.
2. **The model holds the marker in Anki's form**: ``{{c<N>::<answer HTML>[::<hint>]}}``,
   in ``Card.cloze.html`` (and, in a card of another kind, as the author wrote it, with
   a warning). Anki takes it as it is; every other output calls ``finish`` with what a
   deletion becomes there (a span, a blank, one side of a printed card).
3. **Only checked markers look like markers**: no deletion holds another, a hint is plain
   text (it ends up in an attribute), numbers are ones Anki can make cards for; a ``{{``
   never closed, and braces and colons inside tags, are written as character references.
   So ``MARKER_RE`` (linear: nothing in it backtracks) finds exactly the parser's
   markers, and no engine, genanki and Anki included, ever sees text like
   ``{{c1::{{c1::...`` on which their own patterns take minutes.
4. **Plain text holds no marker**: ``Fragment.text`` has the answers in place
   (``plain_text_safe``), so search and checks never meet one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

MAX_CLOZE_NUMBER = 500  # Anki makes at most 500 cards from one cloze note
_EXPLICIT_RE = re.compile(r"c([0-9]{1,9})::")
_ONE_COLON_RE = re.compile(r"c([0-9]{1,9}):(?!:)")  # {{c1:text}}, meant as {{c1::text}}
_CODE_RE = re.compile(r"<(pre|code)\b[^>]*>.*?</\1>", re.DOTALL)
_SHORTHAND_RE = re.compile(r"\{\{((?:(?!\{\{|\}\}).)+)\}\}", re.DOTALL)
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
        one_colon = None if explicit else _ONE_COLON_RE.match(inner)
        if one_colon:
            rest = _shown(inner[one_colon.end() :])
            raise ClozeProblem(
                f"cloze deletion '{{{{c{one_colon.group(1)}:{rest}}}}}' has one colon after "
                f"its number: write '{{{{c{one_colon.group(1)}::{rest}}}}}'",
                index,
            )
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


def shorthand_deletion(html: str) -> str | None:
    """The first ``{{...}}`` of the HTML outside code, as written (``{{SYN}}``): in a card
    that is not a cloze card it is shown as it is, braces and all."""
    match = _SHORTHAND_RE.search(_CODE_RE.sub("", html))
    return None if match is None else match.group(0)


def _shown(html: str, limit: int = 30) -> str:
    text = " ".join(_TAG_RE.sub("", html).split())
    return text if len(text) <= limit else text[:limit] + "…"


def plain_text_safe(text: str) -> str:
    """Plain text of a cloze card with no ``{{c1::`` left in it to look like a deletion.

    Deletions are resolved in the text already; what remains is literal (an unclosed
    ``{{`` shown as text, an image's alt text), and a model regular expression run over
    thousands of them would take minutes.
    """
    return _LITERAL_START_RE.sub("{ {", text)


# -- finishing: what outputs use ------------------------------------------------------

# Linear: no part may contain "{{", "}}" or (before the hint) "::", so nothing backtracks.
MARKER_RE = re.compile(
    r"\{\{c(\d+)::((?:(?!::|\}\}|\{\{).)*+)(?:::((?:(?!\}\}|\{\{).)*+))?\}\}", re.DOTALL
)


@dataclass(frozen=True)
class Marker:
    """One deletion as the model holds it."""

    label: str
    """The number as written: ``2`` in ``{{c2::...}}``."""
    answer: str
    """The hidden HTML."""
    hint: str | None
    """Plain text shown in place of the answer, if the author gave one."""

    @property
    def number(self) -> int:
        return int(self.label)


def _marker(match: re.Match[str]) -> Marker:
    return Marker(match.group(1), match.group(2), match.group(3))


def deletions(html: str) -> Iterator[Marker]:
    """The deletions of a text, in order."""
    return (_marker(match) for match in MARKER_RE.finditer(html))


def numbers(html: str) -> list[int]:
    """The distinct deletion numbers used in a text, in order."""
    return sorted({marker.number for marker in deletions(html)})


def finish(html: str, render: Callable[[Marker], str]) -> str:
    """The text with each deletion replaced by what ``render`` makes of it."""
    return MARKER_RE.sub(lambda match: render(_marker(match)), html)


def as_spans(html: str, *, reveal: bool = True) -> str:
    """Deletions as marked spans, for outputs that are read rather than quizzed."""

    def span(marker: Marker) -> str:
        hint_attr = f' data-hint="{marker.hint}"' if marker.hint else ""
        shown = marker.answer if reveal else "[…]" if not marker.hint else f"[{marker.hint}]"
        return f'<span class="cloze" data-cloze="{marker.label}"{hint_attr}>{shown}</span>'

    return finish(html, span)
