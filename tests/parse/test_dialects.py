"""A dialect is one module plus one row of DIALECTS; the rules are the same for all."""

from __future__ import annotations

from pathlib import Path

import pytest

from cardpress.errors import ContentError
from cardpress.parse import DIALECTS, Dialect, dialect_for, read_content

QA_DECK = """---
title: Pets
id: pets
---

## Cats

Q: How many hours does a cat sleep?
A: About **15** a day.

Q: What is a group of cats called?
A: A clowder, see [the dictionary](https://example.com/clowder).
"""


@pytest.fixture
def qa_dialect(monkeypatch: pytest.MonkeyPatch) -> None:
    row = Dialect("qa", ".qa.md", "tests.support.dialect_qa", "'Q:' and 'A:' paragraphs")
    monkeypatch.setitem(DIALECTS, row.name, row)


def test_the_headings_dialect_reads_every_markdown_file() -> None:
    assert dialect_for("deck.md").name == "headings"
    assert dialect_for("deck/part.qa.md").name == "headings"  # no such row here


def test_a_new_dialect_is_one_module_and_one_row(qa_dialect: None, tmp_path: Path) -> None:
    (tmp_path / "pets.qa.md").write_text(QA_DECK, encoding="utf-8")
    (tmp_path / "notes.md").write_text(
        "---\ntitle: Notes\nid: notes\n---\n\n## Facts\n\n### Q?\n\nA.\n", encoding="utf-8"
    )
    assert dialect_for("pets.qa.md").name == "qa"
    state = read_content(tmp_path, now=0)
    pets = next(deck for deck in state.decks if deck.key == "pets")
    cards = list(pets.cards())
    assert [c.question.text for c in cards] == [
        "How many hours does a cat sleep?",
        "What is a group of cats called?",
    ]
    assert cards[0].answer.html == "<p>About <strong>15</strong> a day.</p>\n"
    assert cards[0].tags == ("cats",)  # the section's key, from the settings rule
    assert all(card.id for card in cards)  # ids locked like any other deck's
    assert (tmp_path / "pets.qa.lock").is_file() is False  # reading never writes
    notes = next(deck for deck in state.decks if deck.key == "notes")
    assert [c.question.text for c in notes.cards()] == ["Q?"]


def test_the_rules_check_a_new_dialect_too(qa_dialect: None, tmp_path: Path) -> None:
    (tmp_path / "pets.qa.md").write_text(
        QA_DECK.replace("https://example.com/clowder", "javascript:alert(1)") + "\nQ: Empty?\nA:\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as error:
        read_content(tmp_path, now=0)
    assert str(error.value).splitlines() == [
        "pets.qa.md:12:36: warning: link to 'javascript:alert(1)' is shown as text: only "
        "http, https and mailto links are kept",
        "pets.qa.md:14:1: error: card has no answer: write it below the question",
    ]
