"""The three cardpress note types: ids, names, fields and card names fixed once and for all.

Anki recognises a note type by its id. Keeping the id while adding, removing or renaming a
field or a card template makes Anki copy the note type on import and mark every existing
note "conflicting", never to be updated again. So everything here except the template
HTML and the CSS is frozen (tests/anki/test_notetypes.py pins it); a different field set
needs a new note type with a new id and a new name. Template HTML and CSS may change:
Anki then updates the note type in place, because its modification time is newer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardpress.markup.highlight import highlight_css
from cardpress.model import CardKind
from cardpress.templates import shared_environment

# Derived once from sha256("cardpress note type <kind> v1") into genanki's advised id
# range [2**30, 2**31); literal constants from now on, never computed from content.
BASIC_ID = 1341439425
REVERSED_ID = 1923360319
CLOZE_ID = 1471858489

# The first field is the sort field and the one Anki shows in its browser.
FRONT_BACK_FIELDS = ("Question", "Answer", "Details", "Callouts", "Source", "Id")
CLOZE_FIELDS = ("Text", "Title", "Details", "Callouts", "Source", "Id")


@dataclass(frozen=True)
class CardTemplate:
    """One card of a note type; ``front`` and ``back`` name files in ``templates/anki/``."""

    name: str
    front: str
    back: str


@dataclass(frozen=True)
class NoteTypeSpec:
    id: int
    name: str
    fields: tuple[str, ...]
    cards: tuple[CardTemplate, ...]
    cloze: bool


FORWARD = CardTemplate("Question to answer", "basic_front.html", "basic_back.html")
REVERSE = CardTemplate("Answer to question", "reverse_front.html", "reverse_back.html")
CLOZE_CARD = CardTemplate("Cloze", "cloze_front.html", "cloze_back.html")

NOTE_TYPES: dict[CardKind, NoteTypeSpec] = {
    CardKind.BASIC: NoteTypeSpec(BASIC_ID, "cardpress basic", FRONT_BACK_FIELDS, (FORWARD,), False),
    CardKind.REVERSED: NoteTypeSpec(
        REVERSED_ID, "cardpress basic and reversed", FRONT_BACK_FIELDS, (FORWARD, REVERSE), False
    ),
    CardKind.CLOZE: NoteTypeSpec(CLOZE_ID, "cardpress cloze", CLOZE_FIELDS, (CLOZE_CARD,), True),
}

CSS_TEMPLATE = "card.css"


@dataclass(frozen=True)
class RenderedNoteType:
    """A note type with its card templates and CSS rendered from ``templates/anki/``."""

    spec: NoteTypeSpec
    templates: tuple[tuple[str, str, str], ...]  # (name, front, back) in Anki's syntax
    css: str

    @property
    def fingerprint(self) -> str:
        """Changes exactly when Anki should update the note type."""
        data = [self.spec.id, self.spec.name, self.spec.fields, self.templates, self.css]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()

    def genanki_fields(self) -> list[dict[str, Any]]:
        return [{"name": name} for name in self.spec.fields]

    def genanki_templates(self) -> list[dict[str, Any]]:
        return [{"name": n, "qfmt": front, "afmt": back} for n, front, back in self.templates]


def scoped_highlight_css(style: str, scope: str) -> str:
    """Pygments rules for ``style`` under ``scope``, without its global ``pre``/line rules.

    Pygments adds unscoped rules (``pre { ... }``, line numbers) to every style; two styles
    in one sheet would fight over them, so only the scoped rules are kept.
    """
    prefix = f"{scope} .highlight".strip()
    lines = highlight_css(style, scope).splitlines()
    return "\n".join(line for line in lines if line.startswith(prefix))


def render_note_types(templates_dir: Path) -> dict[CardKind, RenderedNoteType]:
    env = shared_environment(templates_dir)
    css = env.get_template(f"anki/{CSS_TEMPLATE}").render(highlight_css=scoped_highlight_css)
    rendered: dict[CardKind, RenderedNoteType] = {}
    for kind, spec in NOTE_TYPES.items():
        templates = tuple(
            (
                card.name,
                env.get_template(f"anki/{card.front}").render().strip(),
                env.get_template(f"anki/{card.back}").render().strip(),
            )
            for card in spec.cards
        )
        rendered[kind] = RenderedNoteType(spec, templates, css.strip() + "\n")
    return rendered
