"""Every error cardpress reports on purpose; the CLI catches ``CardpressError``."""

from __future__ import annotations

from dataclasses import dataclass

from cardpress.model import SourceLocation


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in the content, printed as ``path:line:col: severity: message``."""

    location: SourceLocation
    severity: str  # "error" or "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


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
