"""The note types: the frozen part (ids, names, fields, cards) and the styling.

If a test here about ids, names, fields or cards fails, do not update the test: Anki would
copy the note type on the next import and never update the existing notes again. Make a
new note type with a new id and a new name instead (see docs/anki.md).
"""

from __future__ import annotations

import re
import shutil

import pytest

from cardpress.anki.notetypes import NOTE_TYPES, render_note_types
from cardpress.model import CardKind
from tests.conftest import TEMPLATES


def test_note_type_ids_names_fields_and_cards_are_pinned():
    frozen = {
        kind.value: (spec.id, spec.name, spec.fields, tuple(c.name for c in spec.cards), spec.cloze)
        for kind, spec in NOTE_TYPES.items()
    }
    front_back = ("Question", "Answer", "Details", "Callouts", "Source", "Id")
    assert frozen == {
        "basic": (1341439425, "cardpress basic", front_back, ("Question to answer",), False),
        "reversed": (
            1923360319,
            "cardpress basic and reversed",
            front_back,
            ("Question to answer", "Answer to question"),
            False,
        ),
        "cloze": (
            1471858489,
            "cardpress cloze",
            ("Text", "Title", "Details", "Callouts", "Source", "Id"),
            ("Cloze",),
            True,
        ),
    }


def test_rendered_templates_use_exactly_the_note_type_fields():
    for kind, note_type in render_note_types(TEMPLATES).items():
        used = set()
        for _, front, back in note_type.templates:
            for side in (front, back):
                for name in re.findall(r"\{\{[#/^]?(?:cloze:)?([^}#/^:]+)\}\}", side):
                    used.add(name)
        assert used - {"FrontSide"} <= set(note_type.spec.fields), kind
        # Every field but the Id shows on some side of the card.
        assert set(note_type.spec.fields) - used == {"Id"}, kind


def test_cloze_template_asks_with_the_text_field():
    cloze = render_note_types(TEMPLATES)[CardKind.CLOZE]
    (_, front, back), *_ = cloze.templates
    assert "{{cloze:Text}}" in front
    assert "{{cloze:Text}}" in back


def test_css_loads_nothing_from_the_network():
    css = render_note_types(TEMPLATES)[CardKind.BASIC].css
    assert "@import" not in css
    assert "url(" not in css
    assert "http" not in css


def test_every_note_type_shares_one_stylesheet():
    note_types = render_note_types(TEMPLATES)
    assert len({nt.css for nt in note_types.values()}) == 1


def _luminance(colour: str) -> float:
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _highlight_rules(css: str, prefix: str) -> dict[str, dict[str, str]]:
    """The code-highlighting rules that start with exactly ``prefix``, by selector."""
    rules: dict[str, dict[str, str]] = {}
    for selector, body in re.findall(r"^([^{}\n]+?)\s*\{([^}]*)\}", css, re.M):
        if not selector.startswith(prefix) or selector[len(prefix) :].strip().count(" ") > 1:
            continue
        declarations = dict(
            (name.strip(), value.strip())
            for name, _, value in (d.partition(":") for d in body.split(";"))
            if value.strip()
        )
        rules[selector[len(prefix) :].strip()] = declarations
    return rules


@pytest.mark.parametrize("scope", ["", ".nightMode ", ".night_mode "])
def test_code_colours_meet_wcag_aa_contrast_by_day_and_by_night(scope):
    css = render_note_types(TEMPLATES)[CardKind.BASIC].css
    rules = _highlight_rules(css, f"{scope}.highlight")
    background = rules[""]["background"]
    text = rules[""].get("color", "#1f2328")  # the card's own text colour by day
    checked = 0
    for selector, declarations in rules.items():
        colour = declarations.get("color")
        if not colour or selector in (".w", ".hll"):  # whitespace; highlighted-line backdrop
            continue
        assert contrast(colour, declarations.get("background-color", background)) >= 4.5, (
            scope,
            selector,
        )
        checked += 1
    assert checked > 40
    assert contrast(text, background) >= 7


def test_night_mode_forgets_day_colours_the_night_style_does_not_set():
    css = render_note_types(TEMPLATES)[CardKind.BASIC].css
    night_spans = r"\.nightMode \.highlight span, \.night_mode \.highlight span"
    reset = re.search(night_spans + r" \{([^}]*)\}", css)
    assert reset and "color: inherit" in reset.group(1)
    # The reset comes after the day rules; the night rules outrank it by specificity.
    assert css.index(".highlight .k {") < reset.start() < css.index(".nightMode .highlight .k {")


def test_callouts_and_cloze_have_night_colours():
    css = render_note_types(TEMPLATES)[CardKind.BASIC].css
    for kind in ("note", "tip", "important", "warning", "caution"):
        assert f".callout-{kind} {{" in css
        assert f".nightMode .callout-{kind}, .night_mode .callout-{kind}" in css
    assert ".nightMode .cloze, .night_mode .cloze" in css


def test_fingerprint_follows_templates_and_css(tmp_path):
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy)
    before = {k: nt.fingerprint for k, nt in render_note_types(copy).items()}
    assert before == {k: nt.fingerprint for k, nt in render_note_types(TEMPLATES).items()}
    css = copy / "anki" / "card.css"
    css.write_text(css.read_text().replace("font-size: 20px", "font-size: 22px"))
    after_css = {k: nt.fingerprint for k, nt in render_note_types(copy).items()}
    assert all(after_css[k] != before[k] for k in before)
    front = copy / "anki" / "cloze_front.html"
    front.write_text(front.read_text().replace('class="title"', 'class="title big"'))
    after_front = {k: nt.fingerprint for k, nt in render_note_types(copy).items()}
    assert after_front[CardKind.CLOZE] != after_css[CardKind.CLOZE]
    assert after_front[CardKind.BASIC] == after_css[CardKind.BASIC]
