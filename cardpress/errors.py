"""Every error cardpress reports on purpose, and the reporter that collects them.

The CLI catches ``CardpressError``; content problems travel as ``Diagnostic`` lines.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from cardpress.content.files import display_path
from cardpress.model import SourceLocation

Severity = Literal["error", "warning"]


def path_shown(path: Path) -> str:
    """A path as messages print it, the way compilers do so that an editor can jump to it:
    relative to the current folder when inside it, else absolute."""
    absolute = Path(os.path.abspath(path))
    cwd = Path.cwd()
    if absolute.is_relative_to(cwd):
        return display_path(absolute.relative_to(cwd).as_posix())
    return display_path(str(absolute))


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in the content, printed as ``path:line:col: severity: message``."""

    location: SourceLocation
    severity: Severity
    message: str
    other: SourceLocation | None = field(default=None, compare=False)
    """A second place the message names (where a duplicate id was first used), printed
    after the message and shown the same way as ``location``."""

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.text}"

    @property
    def text(self) -> str:
        """The message with the second place it names, if any."""
        return self.message if self.other is None else f"{self.message} {self.other}"

    def shown(self, content: Path) -> str:
        """The line the user sees: the paths as seen from the current folder, not from the
        content folder (``str`` gives them as the parser wrote them)."""
        other = None if self.other is None else _from_here(self.other, content)
        return str(replace(self, location=_from_here(self.location, content), other=other))

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def _from_here(location: SourceLocation, content: Path) -> SourceLocation:
    path = location.path
    if Path(path).is_absolute():
        path = path_shown(Path(path))
    else:
        folder = path_shown(content)
        path = path if folder == "." else f"{folder}/{path}"
    return replace(location, path=path)


MAX_SHOWN_PER_FILE = 100  # diagnostics printed for one file; the rest are counted


def summarised(diagnostics: Iterable[Diagnostic], content: Path | None = None) -> list[str]:
    """The lines to print: at most ``MAX_SHOWN_PER_FILE`` per file, then one line saying
    how many more there are, so 300,000 problems in one file still make a short report.
    With ``content``, paths are shown from the current folder (see ``Diagnostic.shown``)."""
    lines: list[str] = []
    counted: dict[str, int] = {}
    summary_at: dict[str, int] = {}  # path -> index of its summary line
    hidden: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        path = diagnostic.location.path
        counted[path] = counted.get(path, 0) + 1
        if counted[path] <= MAX_SHOWN_PER_FILE:
            lines.append(diagnostic.shown(content) if content is not None else str(diagnostic))
            continue
        if path not in summary_at:
            summary_at[path] = len(lines)
            lines.append("")
        hidden.setdefault(path, []).append(diagnostic)
    for path, index in summary_at.items():
        more = hidden[path]
        errors = sum(d.is_error for d in more)
        summary = Diagnostic(
            SourceLocation(path, 0),
            "error" if errors else "warning",
            f"{len(more)} more problem(s) in this file not shown "
            f"({errors} error(s), {len(more) - errors} warning(s))",
        )
        lines[index] = summary.shown(content) if content is not None else str(summary)
    return lines


class Reporter:
    """Collects diagnostics while content is read; ``strict`` turns warnings into errors."""

    def __init__(self, strict: bool = False):
        self.strict = strict
        self.diagnostics: list[Diagnostic] = []

    def error(
        self, location: SourceLocation, message: str, other: SourceLocation | None = None
    ) -> None:
        """``other``: a second place the message names, printed after it (see Diagnostic)."""
        self.diagnostics.append(Diagnostic(location, "error", message, other))

    def warning(self, location: SourceLocation, message: str) -> None:
        severity: Severity = "error" if self.strict else "warning"
        self.diagnostics.append(Diagnostic(location, severity, message))

    @property
    def failed(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]


class CardpressError(Exception):
    """Base of all errors the CLI reports without a traceback."""

    exit_status = 1


class ContentError(CardpressError):
    """The content has problems; ``diagnostics`` lists all of them."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class UsageError(CardpressError):
    """The command line is wrong (exit status 2)."""

    exit_status = 2


class BuildError(CardpressError):
    """An output could not be rendered or written (a template bug, a full disk)."""
