"""Characters no installed font can print: WeasyPrint would set a box in their place.

Pango falls back to any installed font that has a character, so the question is only
whether one exists; fontconfig's ``fc-list`` answers it for all fonts at once (about a
tenth of a second, once per process, and only for decks with more than Latin text).
"""

from __future__ import annotations

import bisect
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from cardpress.errors import Diagnostic
from cardpress.model import Deck, Fragment, SourceLocation

LATIN_END = 0x250  # below this, every text font has the characters
SHOWN = 5  # characters named in one message
_NO_GLYPH = {"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Mn", "Me"}
FONT_PACKAGES = "fonts-noto-core, fonts-noto-cjk and fonts-noto-color-emoji on Debian"


@lru_cache(maxsize=1)
def installed_coverage() -> tuple[list[int], list[int]] | None:
    """Sorted, merged ranges of code points some installed font has; None when fontconfig
    cannot be asked (then nothing is reported)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run(
            [fc_list, "--format", "%{charset}\n"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    ranges: list[tuple[int, int]] = []
    for item in listed.split():
        first, _, last = item.partition("-")
        try:
            ranges.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(ranges):
        if ends and start <= ends[-1] + 1:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def covered(character: str, coverage: tuple[list[int], list[int]]) -> bool:
    starts, ends = coverage
    code = ord(character)
    at = bisect.bisect_right(starts, code) - 1
    return at >= 0 and code <= ends[at]


def _printable(character: str) -> bool:
    """Characters that need a glyph: not spaces, controls, joiners or combining marks
    (variation selectors and the emoji joiner have no glyph of their own)."""
    return ord(character) >= LATIN_END and unicodedata.category(character) not in _NO_GLYPH


def _texts(deck: Deck) -> Iterator[tuple[SourceLocation, str]]:
    yield deck.location, f"{deck.title} {deck.description} {deck.intro.text}"
    for section in deck.sections:
        yield section.location, f"{section.title.text} {section.intro.text}"
        for card in section.cards:
            parts: list[Fragment] = [card.question, card.answer, card.details, card.cloze]
            parts += [callout.body for callout in card.callouts]
            yield card.location, " ".join(part.text for part in parts)


def missing_glyphs(deck: Deck, strict: bool = False) -> list[Diagnostic]:
    """One warning (an error with ``strict``) per place whose text has characters no
    installed font has, naming them."""
    found: list[tuple[SourceLocation, list[str]]] = []
    for location, text in _texts(deck):
        wanted = sorted({c for c in text if _printable(c)})
        if wanted:
            found.append((location, wanted))
    if not found:
        return []
    coverage = installed_coverage()
    if coverage is None:
        return []
    diagnostics: list[Diagnostic] = []
    for location, wanted in found:
        missing = [c for c in wanted if not covered(c, coverage)]
        if not missing:
            continue
        named = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:SHOWN])
        more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
        diagnostics.append(
            Diagnostic(
                location,
                "error" if strict else "warning",
                f"no installed font has {named}{more}: the PDF prints a box instead; "
                f"install fonts that cover them ({FONT_PACKAGES})",
            )
        )
    return diagnostics
