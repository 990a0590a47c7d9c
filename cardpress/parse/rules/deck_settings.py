"""Deck settings: the front matter's title, id, description, tags and paper size, and the
printouts the deck asks for (``cards:``, ``quiz:``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cardpress.content.files import SourceFile, shown
from cardpress.errors import Reporter
from cardpress.model import CardSettings, QuizSettings, SourceLocation, reserved_tag
from cardpress.papers import DEFAULT_PAPER, PAPERS
from cardpress.parse import DIALECTS
from cardpress.parse.rules.settings import reserved_tag_message
from cardpress.print_options import deck_card_settings, deck_quiz_settings

DECK_KEYS = {
    *("title", "id", "description", "tags", "paper", "source", "license", "cards", "quiz"),
    *("math", "source_path", "dialect"),
}
_DECK_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_TAG_RE = re.compile(r'^[^\s"]+$')


@dataclass(frozen=True)
class DeckSettings:
    key: str
    title: str
    description: str
    tags: tuple[str, ...]
    paper: str
    print_cards: CardSettings | None = None
    print_quiz: QuizSettings | None = None
    math: bool = False
    source_path: bool = False
    dialect: str = ""
    """The ``DIALECTS`` row every file of the deck is read in; empty: by file name."""


def deck_settings(source: SourceFile, report: Reporter) -> DeckSettings | None:
    """The deck's settings from the first file's front matter, or None (reported)."""
    data = source.front_matter
    if data is None:
        return None
    line_of = source.front_matter_lines
    ok = True

    def where(key: str) -> SourceLocation:
        return source.location(line_of.get(key, 1), 1)

    for key in data:
        if str(key) not in DECK_KEYS:
            report.warning(
                where(str(key)),
                f"unknown front matter key '{shown(key)}' (known: {', '.join(sorted(DECK_KEYS))})",
            )
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        report.error(where("title"), "front matter needs a 'title' (a non-empty string)")
        ok = False
    deck_key = data.get("id")
    if (
        isinstance(deck_key, (str, int, float))
        and str(deck_key).strip()
        and not (isinstance(deck_key, str) and _DECK_KEY_RE.match(deck_key))
    ):
        report.error(
            where("id"),
            f"deck id '{shown(deck_key)}' is not valid: use lowercase letters, digits and "
            f"'-' (at most 64), e.g. id: {_deck_key_like(str(deck_key))}",
        )
        ok = False
    elif not isinstance(deck_key, str) or not _DECK_KEY_RE.match(deck_key):
        report.error(
            where("id"),
            "front matter needs an 'id': the stable deck key, lowercase letters, digits "
            "and '-' (at most 64), e.g. id: aws-devops",
        )
        ok = False
    description = data.get("description", "")
    if description is None:
        description = ""
    if not isinstance(description, str):
        report.error(where("description"), "'description' must be a string")
        ok = False
    tags = _parse_tags(data.get("tags", []) or [])
    if tags is None:
        report.error(where("tags"), "'tags' must be a list or a space-separated string")
        ok = False
        tags = []
    for tag in tags:
        if not _TAG_RE.match(tag):
            report.error(where("tags"), f"tag '{shown(tag)}' may not contain spaces or quotes")
            ok = False
        elif reserved_tag(tag):
            report.error(where("tags"), reserved_tag_message(tag))
            ok = False
    for key in ("source", "license"):  # recorded by cardpress import, for people
        if not isinstance(data.get(key, ""), str):
            report.error(where(key), f"'{key}' must be a string")
            ok = False
    paper = data.get("paper", DEFAULT_PAPER)
    if not isinstance(paper, str) or paper.lower() not in PAPERS:
        names = [f"'{name}'" for name in PAPERS]
        report.error(where("paper"), f"'paper' must be {', '.join(names[:-1])} or {names[-1]}")
        ok = False
        paper = DEFAULT_PAPER
    math = data.get("math", False)
    if not isinstance(math, bool):
        report.error(where("math"), "'math' must be true or false")
        ok = False
    source_path = data.get("source_path", False)
    if not isinstance(source_path, bool):
        report.error(where("source_path"), "'source_path' must be true or false")
        ok = False
    dialect = data.get("dialect", "")
    if dialect not in ("", *DIALECTS):
        report.error(
            where("dialect"),
            f"unknown dialect '{shown(dialect)}' (known: {', '.join(DIALECTS)})",
        )
        ok = False
    cards = quiz = None
    problems: list[tuple[str, str]] = []
    if "cards" in data:  # asking for printed cards, with their settings
        cards, found = deck_card_settings(data["cards"])
        problems += [("cards", problem) for problem in found]
    if "quiz" in data:
        quiz, found = deck_quiz_settings(data["quiz"])
        problems += [("quiz", problem) for problem in found]
    for key, problem in problems:
        report.error(where(key), problem)
        ok = False
    if not ok:
        return None
    assert isinstance(title, str) and isinstance(deck_key, str)
    assert isinstance(description, str)
    return DeckSettings(
        deck_key,
        title.strip(),
        description.strip(),
        tuple(tags),
        paper.lower(),
        cards,
        quiz,
        math is True,
        source_path is True,
        str(dialect or ""),
    )


def _parse_tags(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return value.replace(",", " ").split()
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v).strip() for v in value]
    return None


def _deck_key_like(value: str) -> str:
    """A valid deck id close to ``value``: ``My Deck`` gives ``my-deck``."""
    return "-".join(re.findall(r"[a-z0-9]+", value.lower()))[:64].strip("-") or "my-deck"
