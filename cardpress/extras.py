"""The optional parts of cardpress (the extras of its package) and what a command that
needs a missing one says: one line naming the extra and the command that installs it.

A plain ``pip install cardpress`` builds every output; an extra adds what only some
commands need. Each command and importer that needs one names it in its row
(``commands.COMMANDS``, ``importers.IMPORTERS``), and is checked before it runs, so a
missing extra never ends in a traceback halfway through.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Extra:
    """One optional dependency group, as ``pip install 'cardpress[NAME]'`` installs it."""

    name: str
    modules: tuple[str, ...]
    """The top-level modules it provides (what ``import`` names)."""


EXTRAS: dict[str, Extra] = {
    extra.name: extra
    for extra in (
        Extra("anki", ("anki",)),  # Anki's own engine: reading packages, syncing a collection
    )
}


def missing_message(extra: str, what: str) -> str:
    return f"{what} needs the {extra} extra: pip install 'cardpress[{extra}]'"


def installed(extra: str) -> bool:
    """Whether every module of the extra can be imported (found, not imported: cheap)."""
    for module in EXTRAS[extra].modules:
        try:
            if importlib.util.find_spec(module) is None:
                return False
        except (ImportError, ValueError):  # a module set to None, a broken parent package
            return False
    return True


def refused(extra: str | None, what: str) -> bool:
    """Say on stderr, in one line, that ``what`` needs ``extra`` when it is not installed;
    whether it is missing (the caller then exits with status 2)."""
    if extra is None or installed(extra):
        return False
    print(missing_message(extra, what), file=sys.stderr, flush=True)
    return True
