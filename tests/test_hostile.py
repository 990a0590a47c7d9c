"""Content written by someone else is inert: nothing in it runs, fetches or reads outside.

The checks here are shared with the fuzz test: ``html_problems`` lists everything in a
model fragment that is not on the documented allow-list.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from cardpress.model import Deck, Fragment

SAFE_TAGS = frozenset(
    [
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "code",
        "em",
        "strong",
        "s",
        "del",
        "ins",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "div",
        "span",
        "kbd",
        "sub",
        "sup",
        "mark",
        "small",
        "u",
        "b",
        "i",
    ]
)
SAFE_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title"}),
    "ol": frozenset({"start"}),
    "th": frozenset({"style"}),
    "td": frozenset({"style"}),
    "div": frozenset({"class"}),
    "pre": frozenset({"class"}),
    "code": frozenset({"class"}),
    "span": frozenset({"class", "data-cloze", "data-hint"}),
}
SAFE_HREF_RE = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)
SAFE_STYLE_RE = re.compile(r"^text-align:(left|right|center)$")


class _Inspector(HTMLParser):
    def __init__(self, media_names: set[str]):
        super().__init__(convert_charrefs=True)
        self.media_names = media_names
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SAFE_TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = SAFE_ATTRIBUTES.get(tag, frozenset())
        for name, value in attrs:
            value = value or ""
            if name not in allowed:
                self.problems.append(f"attribute {name}= on <{tag}>")
            elif name == "href" and not SAFE_HREF_RE.match(value.strip()):
                self.problems.append(f"href {value!r}")
            elif name == "src" and value not in self.media_names:
                self.problems.append(f"src {value!r} is not a media name of the deck")
            elif name == "style" and not SAFE_STYLE_RE.match(value):
                self.problems.append(f"style {value!r}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.problems.append("an HTML comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"a declaration <!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"a processing instruction <?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"a declaration <![{data}]>")


def html_problems(markup: str, media_names: set[str]) -> list[str]:
    """Everything in ``markup`` outside the allow-list of docs/format.md ("Safety")."""
    inspector = _Inspector(media_names)
    inspector.feed(markup)
    inspector.close()
    return inspector.problems


def deck_fragments(deck: Deck) -> list[tuple[str, Fragment]]:
    """Every fragment of a deck, named for the assertion message."""
    found = [("deck intro", deck.intro)]
    for section in deck.sections:
        found += [(f"{section.key} title", section.title), (f"{section.key} intro", section.intro)]
        for card in section.cards:
            for name in ("question", "answer", "details", "cloze"):
                found.append((f"card {card.id} {name}", getattr(card, name)))
            found += [(f"card {card.id} callout", c.body) for c in card.callouts]
    return found


def deck_html_problems(deck: Deck) -> list[str]:
    names = {media.name for media in deck.media}
    return [
        f"{where}: {problem}"
        for where, fragment in deck_fragments(deck)
        for problem in html_problems(fragment.html, names)
    ]
