"""Settings of the printed flashcards and the quiz sheet: what may be asked, and checking it.

Standard library only: the parser checks a deck's ``cards:`` and ``quiz:`` front matter
with these functions, the command line its options, and the freshness check hashes them,
all without importing a renderer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cardpress.model import CardSettings, QuizSettings

SIDES = ("duplex-long", "duplex-short", "fold", "separate")
QUIZ_ANSWERS = ("end", "separate")
MM_PER_INCH = 25.4
MIN_CARD_MM = 30.0  # below this nothing readable fits on a card
MAX_CARD_MM = 300.0


@dataclass(frozen=True)
class CardSize:
    """A card's size; ``one_per_page`` for cards fed to the printer one by one (index cards)."""

    name: str
    width: float  # mm
    height: float  # mm
    label: str  # as the user reads it: "74x105 mm", "3x5 in"
    one_per_page: bool = False


PRESETS: dict[str, CardSize] = {
    "a7": CardSize("a7", 74.0, 105.0, "74x105 mm"),
    "3x5in": CardSize("3x5in", 5 * MM_PER_INCH, 3 * MM_PER_INCH, "3x5 in", one_per_page=True),
    "4x6in": CardSize("4x6in", 6 * MM_PER_INCH, 4 * MM_PER_INCH, "4x6 in", one_per_page=True),
    "business": CardSize("business", 85.0, 55.0, "85x55 mm"),
    "90x60mm": CardSize("90x60mm", 90.0, 60.0, "90x60 mm"),
}
ALIASES = {"85x55mm": "business", "index-3x5": "3x5in", "index-4x6": "4x6in"}
SIZE_HELP = ", ".join(PRESETS) + " or WIDTHxHEIGHTmm (e.g. 80x50mm)"
_CUSTOM_RE = re.compile(r"^(\d{1,3}(?:\.\d{1,2})?)x(\d{1,3}(?:\.\d{1,2})?)mm$")
_OFFSET_RE = re.compile(r"^\s*(-?\d{1,2}(?:\.\d{1,2})?)\s*,\s*(-?\d{1,2}(?:\.\d{1,2})?)\s*$")


def card_size(text: str) -> CardSize:
    """The size ``text`` names; ``ValueError`` with what is allowed when it names none."""
    name = text.strip().lower()
    name = ALIASES.get(name, name)
    if name in PRESETS:
        return PRESETS[name]
    match = _CUSTOM_RE.match(name)
    if match is None:
        raise ValueError(f"unknown card size {text!r} (use {SIZE_HELP})")
    width, height = float(match.group(1)), float(match.group(2))
    if not (MIN_CARD_MM <= width <= MAX_CARD_MM and MIN_CARD_MM <= height <= MAX_CARD_MM):
        raise ValueError(
            f"card size {text!r} is out of range: width and height must be "
            f"{MIN_CARD_MM:g} to {MAX_CARD_MM:g} mm"
        )
    return CardSize(name, width, height, f"{width:g}x{height:g} mm")


def card_sides(text: str) -> str:
    name = text.strip().lower()
    if name not in SIDES:
        raise ValueError(f"unknown card sides {text!r} (use one of: {', '.join(SIDES)})")
    return name


def back_offset(text: str) -> tuple[float, float]:
    """``X,Y`` in mm (each between -99 and 99): how far to move the backs right and down."""
    match = _OFFSET_RE.match(text)
    if match is None:
        raise ValueError(
            f"back offset {text!r} must be X,Y in millimetres, e.g. 1.5,-0.5 "
            "(right and down are positive)"
        )
    return float(match.group(1)), float(match.group(2))


def quiz_answers(text: str) -> str:
    name = text.strip().lower()
    if name not in QUIZ_ANSWERS:
        raise ValueError(f"unknown quiz answers {text!r} (use one of: {', '.join(QUIZ_ANSWERS)})")
    return name


def shuffle_seed(text: str) -> int:
    if not re.fullmatch(r"\d{1,18}", text.strip()):
        raise ValueError(f"shuffle seed {text!r} must be a whole number (0 or more)")
    return int(text)


# ---- The deck's front matter ------------------------------------------------------------

CARD_KEYS = {"size": card_size, "sides": card_sides, "back_offset": back_offset}
QUIZ_KEYS = {"answers": quiz_answers, "shuffle": shuffle_seed}


def _settings(value: Any, key: str, checks: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The checked values of a ``cards:`` or ``quiz:`` mapping and the problems found."""
    if value is True or value is None:
        return {}, []
    if not isinstance(value, dict):
        return {}, [f"'{key}' must be a mapping such as {key}: {{{next(iter(checks))}: ...}}"]
    found: dict[str, Any] = {}
    problems = []
    for name, raw in value.items():
        check = checks.get(str(name).replace("-", "_"))
        if check is None:
            problems.append(
                f"unknown '{key}' setting {str(name)[:40]!r} (known: {', '.join(checks)})"
            )
            continue
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            problems.append(f"'{key}' setting '{name}' must be a single value")
            continue
        try:
            found[str(name).replace("-", "_")] = check(str(raw))
        except ValueError as bad:
            problems.append(str(bad))
    return found, problems


def deck_card_settings(value: Any) -> tuple[CardSettings, list[str]]:
    """The deck's ``cards:`` front matter (``cards: true`` asks for cards with defaults)."""
    found, problems = _settings(value, "cards", CARD_KEYS)
    size = found.get("size")
    return (
        CardSettings(
            size=size.name if size is not None else None,
            sides=found.get("sides"),
            back_offset=found.get("back_offset"),
        ),
        problems,
    )


def deck_quiz_settings(value: Any) -> tuple[QuizSettings, list[str]]:
    found, problems = _settings(value, "quiz", QUIZ_KEYS)
    return QuizSettings(answers=found.get("answers"), shuffle=found.get("shuffle")), problems


# ---- The command line, and what a render uses --------------------------------------------


@dataclass(frozen=True)
class PrintOptions:
    """The command line's print options; each set one wins over the deck's front matter."""

    cards: CardSettings = field(default_factory=CardSettings)
    quiz: QuizSettings = field(default_factory=QuizSettings)
    calibrate: bool = False
    """Start the cards with a calibration sheet (front and back) to measure the offset."""

    def fingerprint(self, part: str) -> str:
        """What the freshness check hashes for an output that reads ``part`` (``cards`` or
        ``quiz``): a changed option makes that printout stale, and only that one."""
        parts = {"cards": (self.cards, self.calibrate), "quiz": (self.quiz,)}
        return repr(parts[part])


@dataclass(frozen=True)
class CardSheet:
    """The settings a cards render uses: command line, else the deck, else the default."""

    size: CardSize
    sides: str
    back_offset: tuple[float, float]
    calibrate: bool


def card_sheet(deck: CardSettings | None, options: PrintOptions) -> CardSheet:
    deck = deck or CardSettings()
    wanted = options.cards
    size = wanted.size or deck.size or "a7"
    return CardSheet(
        size=card_size(size),
        sides=wanted.sides or deck.sides or "duplex-long",
        back_offset=wanted.back_offset or deck.back_offset or (0.0, 0.0),
        calibrate=options.calibrate,
    )


def quiz_settings(deck: QuizSettings | None, options: PrintOptions) -> QuizSettings:
    deck = deck or QuizSettings()
    wanted = options.quiz
    return QuizSettings(
        answers=wanted.answers or deck.answers or "end",
        shuffle=wanted.shuffle if wanted.shuffle is not None else deck.shuffle,
    )
