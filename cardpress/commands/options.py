"""The options commands share: where the content and templates are, and every option of a
build (``add_build_arguments``, for ``cardpress``, ``build`` and ``serve``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from cardpress import print_options
from cardpress.papers import PAPERS
from cardpress.renderers import FORMATS


def _formats(value: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown format '{','.join(unknown) or value}' (choose from {', '.join(FORMATS)})"
        )
    return names


def _checked(check: Callable[[str], object]) -> Callable[[str], object]:
    """An argparse type from a ``print_options`` check (its ValueError says what is allowed)."""

    def convert(value: str) -> object:
        try:
            return check(value)
        except ValueError as bad:
            raise argparse.ArgumentTypeError(str(bad)) from None

    return convert


def add_content_arguments(p: argparse.ArgumentParser, *, templates: bool = True) -> None:
    """Where the decks (and the templates) are: the options every subcommand that reads
    content shares with the build."""
    p.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        metavar="DIR",
        help="folder of decks to read (default: content)",
    )
    if templates:
        p.add_argument(
            "--templates",
            type=Path,
            metavar="DIR",
            help="folder of Jinja templates whose files replace the packaged ones "
            "(default: only the packaged templates)",
        )


def add_build_arguments(p: argparse.ArgumentParser) -> None:
    """The options of a build, shared by every subcommand that builds."""
    add_content_arguments(p)
    p.add_argument(
        "--out",
        type=Path,
        default=Path("dist"),
        metavar="DIR",
        help="folder to write the outputs to (default: dist)",
    )
    by_default = [name for name, row in FORMATS.items() if row.by_default]
    asked = [name for name, row in FORMATS.items() if not row.by_default]
    p.add_argument(
        "--only",
        type=_formats,
        default=None,
        metavar="FORMATS",
        help=f"comma-separated outputs to build (default: {','.join(by_default)}, "
        f"and {' and '.join(asked)} for decks that ask for them in their front matter)",
    )
    p.add_argument(
        "--paper",
        choices=tuple(PAPERS),
        help="paper size of the PDF (default: the deck's, else a4)",
    )
    asked = [name for name, row in FORMATS.items() if not row.by_default]
    cards = p.add_argument_group(
        "printed flashcards and quiz sheet",
        f"Built for a deck with {' or '.join(f'{name}: true' for name in asked)} in its front "
        f"matter, or for every deck with --only {','.join(asked)}. An option given here wins "
        "over the deck's own setting.",
    )
    cards.add_argument(
        "--card-size",
        type=_checked(print_options.card_size),
        metavar="SIZE",
        help=f"size of the printed cards: {print_options.SIZE_HELP} (default: the deck's, else a7)",
    )
    cards.add_argument(
        "--card-sides",
        type=_checked(print_options.card_sides),
        metavar="SIDES",
        help=f"how fronts and backs meet: {', '.join(print_options.SIDES)} "
        "(default: the deck's, else duplex-long)",
    )
    cards.add_argument(
        "--back-offset",
        type=_checked(print_options.back_offset),
        metavar="X,Y",
        help="move the backs X mm right and Y mm down, to correct a printer (see --calibrate)",
    )
    cards.add_argument(
        "--calibrate",
        action="store_true",
        help="start the cards with a calibration sheet that measures the printer's offset",
    )
    cards.add_argument(
        "--quiz-answers",
        type=_checked(print_options.quiz_answers),
        metavar="WHERE",
        help="the quiz's answer key: end (after the questions) or separate (on its own pages)",
    )
    cards.add_argument(
        "--shuffle",
        type=_checked(print_options.shuffle_seed),
        metavar="SEED",
        help="put the quiz's questions in a random order, the same for the same seed",
    )
    p.add_argument("--check", action="store_true", help="check the content and write nothing")
    p.add_argument(
        "--watch",
        action="store_true",
        help="rebuild on every change in the content and templates folders",
    )
    p.add_argument(
        "--prune",
        action="store_true",
        help="remove the outputs of decks that no longer exist (deleted, or given another "
        "id), which a build only reports; files changed since cardpress wrote them stay",
    )
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    p.add_argument("-v", "--verbose", action="store_true", help="print every step")


COLLECTION_OPTIONS = ("profile", "collection")
"""The ``args`` attributes of ``add_collection_arguments``: options that need the anki extra."""


def add_collection_arguments(
    p: argparse.ArgumentParser,
    profile_help: str,
    collection_help: str = "a collection file (collection.anki2)",
    *,
    anki_help: str | None = None,
) -> None:
    """Which Anki collection a command opens: ``--profile NAME`` or ``--collection PATH``
    (and ``--anki``, the collection sync would use, when ``anki_help`` is given), one at most."""
    where = p.add_mutually_exclusive_group()
    if anki_help is not None:
        where.add_argument("--anki", action="store_true", help=anki_help)
    where.add_argument("--profile", metavar="NAME", help=profile_help)
    where.add_argument("--collection", type=Path, metavar="PATH", help=collection_help)
