"""The table of subcommands: ``cardpress NAME ...`` runs the module named in its row.

A subcommand module has ``add_arguments(parser)`` and ``run(args) -> int``. Modules are
imported only when their subcommand runs, so a plain build imports none of them.
``cardpress`` with no subcommand builds, with the options the build always had.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass

from cardpress.commands.options import COLLECTION_OPTIONS


@dataclass(frozen=True)
class Command:
    """One row of ``COMMANDS``."""

    name: str
    """What the user types after ``cardpress``."""
    summary: str
    """One line for ``cardpress --help``."""
    module: str
    """The module with ``add_arguments`` and ``run``."""
    extra: str | None = None
    """The extra (``cardpress.extras.EXTRAS``) it needs, checked before it runs."""
    extra_for_options: tuple[str, tuple[str, ...]] | None = None
    """An extra that only some options need, and those options (as ``args`` attributes):
    checked before it runs when one of them is given."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add: Callable[[argparse.ArgumentParser], None]
        add = importlib.import_module(self.module).add_arguments
        add(parser)

    def run(self, args: argparse.Namespace) -> int:
        run: Callable[[argparse.Namespace], int] = importlib.import_module(self.module).run
        return run(args)


COMMANDS: dict[str, Command] = {
    command.name: command
    for command in (
        Command(
            "build",
            "build every deck (the default when no subcommand is given)",
            "cardpress.commands.build",
        ),
        Command(
            "init",
            "start a notes folder: a starter deck in content/ and a .gitignore",
            "cardpress.commands.init",
        ),
        Command(
            "serve",
            "build, watch and serve the outputs on 127.0.0.1; pages reload after each build",
            "cardpress.commands.serve",
        ),
        Command(
            "import",
            "turn Q&A from elsewhere (interview repositories, Anki, CSV) into a deck folder",
            "cardpress.commands.import_deck",
        ),
        Command(
            "preview",
            "show what importing the next Anki packages will do, before building",
            "cardpress.commands.preview",
            extra_for_options=("anki", ("anki", *COLLECTION_OPTIONS)),
        ),
        Command(
            "sync",
            "apply the decks straight to an Anki collection: import, move, keep your tags",
            "cardpress.commands.sync",
            extra="anki",
        ),
        Command(
            "pull",
            "bring edits made in Anki back into the Markdown (a three-way merge)",
            "cardpress.commands.pull",
            extra="anki",
        ),
        Command(
            "forget-removed",
            "stop carrying removed cards' notes (tombstones) once deleted in Anki",
            "cardpress.commands.forget_removed",
        ),
    )
}
