"""Introductions accept what cards accept: a callout in a deck's or a section's
introduction is a box in the PDF, the HTML page and Anki's deck descriptions, never
the literal '> [!NOTE]'."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pdfplumber

from tests.support.anki_support import AnkiUser
from tests.support.files_support import write_files

DECK = """---
title: Callouts
id: callouts
---

Deck intro.

> [!TIP]
> Read the **whole** deck.

## Transport

Section intro.

> [!WARNING]
> Mind the gap.

More intro.

### Which protocol orders bytes?

TCP.
"""


def test_callouts_in_introductions_are_boxes_in_every_output(build_deck, tmp_path: Path) -> None:
    content = write_files(tmp_path / "content", {"callouts.md": DECK})
    out = build_deck(content, tmp_path / "dist", "anki,pdf,html,json", "--strict")

    deck = json.loads((out / "callouts.json").read_text())["deck"]
    assert deck["intro"]["html"] == (
        "<p>Deck intro.</p>\n"
        '<div class="callout callout-tip"><p class="callout-title">Tip</p>\n'
        "<p>Read the <strong>whole</strong> deck.</p>\n</div>\n"
    )
    assert deck["intro"]["text"] == "Deck intro. Tip: Read the whole deck."
    section_intro = deck["sections"][0]["intro"]
    assert section_intro["text"] == "Section intro. Warning: Mind the gap. More intro."
    assert section_intro["html"].index("callout-warning") < section_intro["html"].index("More")

    page = (out / "callouts.html").read_text()
    assert "[!TIP]" not in page and "[!WARNING]" not in page
    assert '<div class="callout callout-warning"><p class="callout-title">Warning</p>' in page

    with pdfplumber.open(out / "callouts.pdf") as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    assert "[!" not in text
    assert "TIP Read the whole deck." in text
    assert "WARNING Mind the gap." in text

    anki = AnkiUser(tmp_path / "anki")
    try:
        anki.import_package(out / "callouts.apkg")
        descriptions = {
            entry.name: anki.deck_description(entry.id)
            for entry in anki.col.decks.all_names_and_ids()
        }
    finally:
        anki.close()
    top = html.unescape(descriptions["Callouts"])
    section = html.unescape(descriptions["Callouts::Transport"])
    assert "[!" not in top + section
    assert '<div class="callout callout-tip"><p class="callout-title">Tip</p>' in top
    assert '<div class="callout callout-warning"><p class="callout-title">Warning</p>' in section
