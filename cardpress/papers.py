"""Paper sizes, defined once: what a deck's ``paper:``, ``--paper`` and every print output use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paper:
    name: str
    """As written in front matter and on the command line."""
    label: str
    """As messages name it."""
    css_size: str
    """The CSS ``@page size`` WeasyPrint is given."""
    mm: tuple[float, float]
    """Width and height in millimetres, portrait."""


PAPERS: dict[str, Paper] = {
    paper.name: paper
    for paper in (
        Paper("a4", "A4", "A4", (210.0, 297.0)),
        Paper("letter", "Letter", "letter", (215.9, 279.4)),
    )
}
DEFAULT_PAPER = "a4"
