"""``cardpress import`` on the shapes and pitfalls of repositories written by others.

The fixtures in ``importers/shapes`` reproduce what real interview repositories do:
code fences never closed, quiz items under a heading after a numbered list, items at
column 0 with their lists nested by eye, section titles several levels deep with emoji
shortcodes and anchors, ``# comments`` in code, HTML tables, questions listed with no
answer, headings whose counts grow upstream.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import snapshot
from tests.support.paths import DATA

SHAPES = DATA / "importers" / "shapes"


def import_readme(tmp_path: Path, monkeypatch, run_cli, shape: str, readme: str):
    """``cardpress import SHAPE src`` of a one-file source folder, from ``tmp_path``."""
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "README.md").write_text(readme)
    monkeypatch.chdir(tmp_path)
    return run_cli("import", shape, "src", "--to", "content/deck")


def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str) -> Path:
    """A copy of one shape's fixture in ``src``; the current folder is its parent."""
    shutil.copytree(SHAPES / shape, tmp_path / "src")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "src"


def built_cards(build_deck) -> dict[str, dict[str, Any]]:
    out = build_deck(Path("content"), Path("dist"), "json")
    model = json.loads((out / "deck.json").read_text())
    return {
        c["question"]["text"]: {
            **c,
            "section": s["title"]["text"],
            "all": c["answer"]["text"] + " " + (c.get("details") or {}).get("text", ""),
            "html": c["answer"]["html"] + (c.get("details") or {}).get("html", ""),
        }
        for s in model["deck"]["sections"]
        for c in s["cards"]
    }


NUMBERED_REPORT = """\
cardpress import numbered: 1 source file in src
  questions: 7 found, 7 imported (2 repaired), 0 skipped
  7 cards in 2 sections: 7 added, 0 updated, 0 unchanged
  repaired 2:
    README.md:16: the code fence on line 20 is never closed: closed where the item ends
    README.md:36: the code fence on line 38 is never closed: closed where the item ends
  suspected merges: 1:
    README.md:83: a question heading of 327 characters: items merged?
  source: src
  license: MIT (LICENSE)
wrote 4 files in content/deck
"""


def test_numbered_items_end_where_the_source_says(
    tmp_path, monkeypatch, run_cli, build_deck
) -> None:
    source(tmp_path, monkeypatch, "numbered")
    result = run_cli("import", "numbered", "src", "--to", "content/deck")
    assert result.status == 0, result.err
    assert result.out == NUMBERED_REPORT
    cards = built_cards(build_deck)
    assert len(cards) == 7
    # the fence left open in item 2 ends with it: item 3 is a card of its own
    drawn = cards["How is a widget drawn?"]
    assert "widget.flush()" in drawn["all"]
    assert "three kinds" not in drawn["all"]
    # an item at column 0 keeps its list nested, not turned into code
    events = cards["Which events does a widget get?"]["html"]
    assert "<pre" not in events and "<ol>" in events and "<ul>" in events
    assert events.index("<ul>") > events.index("key events")
    # quiz items under a heading of their own, each with its own answer
    quiz = {q: c for q, c in cards.items() if q.startswith("What is the output")}
    assert len(quiz) == 2
    answers = sorted(c["answer"]["text"] for c in quiz.values())
    assert answers == [
        "Answer: 1 The array holds two elements.",
        "Answer: 2 A widget is an object.",
    ]
    assert {c["section"] for c in quiz.values()} == {"Coding Exercise"}
    assert cards["What is a widget?"]["section"] == "Widget Toolkit Questions"
    # a second run with nothing changed reports no hand edit and writes nothing
    before = snapshot(Path("content"))
    again = run_cli("import", "numbered", "src", "--to", "content/deck")
    assert "7 cards in 2 sections: 0 added, 0 updated, 7 unchanged" in again.out
    assert "by hand" not in again.out and "conflicts" not in again.out
    assert again.out.endswith("content/deck is up to date\n")
    assert snapshot(Path("content")) == before


def test_numbered_heading_items(tmp_path, monkeypatch, run_cli, build_deck) -> None:
    """``## Q. ...`` and ``#### Q1. ...`` headings are items too; a heading of their level
    that is no item starts a section; deeper headings stay in the answer."""
    result = import_readme(
        tmp_path,
        monkeypatch,
        run_cli,
        "numbered",
        "# Server Basics\n\n## # 1. INTRODUCTION\n\n## Q. What is a server?\n\n"
        "A program that answers requests.\n\n#### Example\n\nA web server.\n\n"
        "## Q. What is a port?\n\nA number naming an endpoint.\n\n"
        "## # 2. SETUP\n\n#### Q1. Which command starts it?\n\n- [ ] stop\n- [x] start\n",
    )
    assert result.status == 0, result.err
    assert "questions: 3 found, 3 imported, 0 skipped" in result.out
    cards = built_cards(build_deck)
    assert cards["What is a server?"]["section"] == "# 1. INTRODUCTION"
    assert "A web server." in cards["What is a server?"]["all"]
    assert cards["Which command starts it?"]["section"] == "# 2. SETUP"


DETAILS_REPORT = """\
cardpress import details: 1 source file in src
  questions: 9 found, 6 imported (1 repaired), 3 skipped
  6 cards in 3 sections: 6 added, 0 updated, 0 unchanged
  repaired 1:
    README.md:55: <details> is never closed: ended where the next <details> starts
  skipped 3:
    README.md:13: question without an answer
    README.md:14: question without an answer
    README.md:15: question without an answer
  source: src
  license: unknown
wrote 4 files in content/deck
"""


def test_details_titles_tables_and_unanswered(tmp_path, monkeypatch, run_cli, build_deck) -> None:
    source(tmp_path, monkeypatch, "details")
    result = run_cli("import", "details", "src", "--to", "content/deck")
    assert result.status == 0, result.err
    assert result.out == DETAILS_REPORT
    cards = built_cards(build_deck)
    assert set(cards) == {
        "How do you list logged-in users?",
        "Which ports do these services use?",
        "What is a subnet?",
        "What is a VLAN?",
        "What does strace show?",
        "What does this print? echo $((1 + 2))",
    }
    # titles from the headings' path, never from a comment in code; emoji shown
    assert {c["section"] for c in cards.values()} == {
        "Levels › 💠 Junior › System Questions (2)",
        "Levels › 💠 Junior › Network Questions (2)",
        "Levels › 💠 Senior › System Questions (1)",
    }
    assert "# It reads" in cards["How do you list logged-in users?"]["all"]
    table = cards["Which ports do these services use?"]["html"]
    assert "<table>" in table and "<td>SSH</td>" in table and "<pre" not in table
    assert cards["What is a subnet?"]["answer"]["text"] == (
        "A range of addresses that share a prefix."
    )
    asks_code = cards["What does this print? echo $((1 + 2))"]
    assert asks_code["answer"]["text"] == "3"
    assert asks_code["details"]["text"] == "The question's code: echo $((1 + 2))"
    strace = cards["What does strace show?"]["html"]
    assert strace.count("<ul>") == 2 and "<pre" not in strace


def test_ids_survive_renamed_counted_and_reordered_sections(tmp_path, monkeypatch, run_cli) -> None:
    src = source(tmp_path, monkeypatch, "details")
    readme = src / "README.md"
    assert run_cli("import", "details", "src", "--to", "content/deck").status == 0
    before = Path("content/deck/src.md").read_text()
    text = readme.read_text()
    # upstream: a question added (the count grows), a heading renamed, levels swapped
    junior_start = text.index('### :diamond_shape_with_a_dot_inside: <a name="junior">')
    senior_start = text.index('### :diamond_shape_with_a_dot_inside: <a name="senior">')
    junior, senior = text[junior_start:senior_start], text[senior_start:]
    junior = junior.replace("###### System Questions (2)", "###### System questions (3)")
    junior = junior.replace("###### Network Questions (2)", "###### Networking: Questions!")
    junior = junior.replace(
        "<details>\n<summary><b>How do you list",
        "<details>\n<summary><b>What is a shell?</b></summary><br>\n\nA command "
        "interpreter.\n</details>\n\n<details>\n<summary><b>How do you list",
    )
    readme.write_text(text[:junior_start] + senior.rstrip("\n") + "\n\n" + junior)
    result = run_cli("import", "details", "src", "--to", "content/deck")
    assert result.status == 0, result.err
    assert "7 cards in 3 sections: 1 added, 0 updated, 6 unchanged" in result.out
    assert "removed from the source" not in result.out
    after = Path("content/deck/src.md").read_text()
    for card_id in (
        "junior.system-questions.how-do-you-list-logged-in-users",
        "junior.network-questions.what-is-a-subnet",
        "senior.system-questions.what-does-strace-show",
    ):
        assert f"<!-- id: {card_id} -->" in before and f"<!-- id: {card_id} -->" in after
    assert after.index("Senior › System Questions") < after.index("Junior › System questions")


def test_removed_questions_are_reported_by_the_next_build(
    tmp_path, monkeypatch, run_cli, build_deck
) -> None:
    src = source(tmp_path, monkeypatch, "details")
    assert run_cli("import", "details", "src", "--to", "content/deck").status == 0
    build_deck(Path("content"), Path("dist"), "json")
    readme = src / "README.md"
    text = readme.read_text()
    start = text.index("<details>\n<summary><b>What does strace show?")
    readme.write_text(text[:start])
    result = run_cli("import", "details", "src", "--to", "content/deck")
    assert result.status == 0, result.err
    assert (
        "  removed from the source: 1:\n"
        "    content/deck/src.md:51: card 'senior.system-questions.what-does-strace-show'\n"
    ) in result.out
    built = run_cli("--content", "content", "--out", "dist", "--only", "json")
    assert built.status == 0, built.err
    assert "1 card(s) removed since the last build: senior.system-questions.what-does" in (
        built.out + built.err
    )


def test_files_with_a_front_matter_title(tmp_path, monkeypatch, run_cli, build_deck) -> None:
    """Questions as folders of translations: the title is the question, TL;DR the answer,
    the folder the id; a file with only parts of its own is still answered."""
    root = tmp_path / "src" / "questions"
    files = {
        "event-loop/en-US.mdx": "---\ntitle: What is the event loop?\n---\n\n## TL;DR\n\n"
        "It runs callbacks when the stack is empty.\n\n---\n\n## In depth\n\nTasks queue up.\n",
        "event-loop/fr-FR.mdx": "---\ntitle: Qu'est-ce que la boucle ?\n---\n\nTraduit.\n",
        "preprocessors/en-US.mdx": "---\ntitle: Why use a preprocessor?\n---\n\n"
        "## Advantages\n\n- nesting\n\n## Disadvantages\n\n- a build step\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    monkeypatch.chdir(tmp_path)
    result = run_cli(
        "import", "files", "src/questions", "--to", "content/deck", "--exclude", "fr-FR.mdx"
    )
    assert result.status == 0, result.err
    assert "questions: 2 found, 2 imported, 0 skipped" in result.out
    cards = built_cards(build_deck)
    loop = cards["What is the event loop?"]
    assert loop["id"] == "event-loop"
    assert loop["answer"]["text"] == "It runs callbacks when the stack is empty."
    assert "Tasks queue up." in loop["details"]["text"]
    pre = cards["Why use a preprocessor?"]
    assert pre["id"] == "preprocessors"
    assert "nesting" in pre["all"] and "a build step" in pre["all"]


def test_a_summary_without_details_is_read_as_a_block(
    tmp_path, monkeypatch, run_cli, build_deck
) -> None:
    result = import_readme(
        tmp_path,
        monkeypatch,
        run_cli,
        "details",
        "## Soft skills\n\n<summary>Why should we hire you?</summary><br><b>\n\nBecause.\n"
        "</b></details>\n\n<details>\n<summary>What do you enjoy?</summary><br><b>\n\n"
        "Variety.\n</b></details>\n",
    )
    assert result.status == 0, result.err
    assert (
        "  questions: 2 found, 2 imported (1 repaired), 0 skipped\n"
        "  2 cards in 1 section: 2 added, 0 updated, 0 unchanged\n"
        "  repaired 1:\n"
        "    README.md:3: <summary> without <details>: read as one\n"
    ) in result.out
    cards = built_cards(build_deck)
    assert cards["Why should we hire you?"]["answer"]["text"] == "Because."
    assert cards["What do you enjoy?"]["answer"]["text"] == "Variety."


def test_a_card_the_build_refuses_is_skipped_at_its_source_line(
    tmp_path, monkeypatch, run_cli
) -> None:
    """Not a refusal of the whole import pointing into a folder that does not exist."""
    result = import_readme(
        tmp_path,
        monkeypatch,
        run_cli,
        "numbered",
        "## Basics\n\n1. ### What is shown here?\n\n   ![diagram][d]\n\n"
        "   [d]: images/none.png\n\n2. ### What is a port?\n\n   A number.\n",
    )
    assert result.status == 0, result.err
    assert (
        "  questions: 2 found, 1 imported, 1 skipped\n"
        "  1 card in 1 section: 1 added, 0 updated, 0 unchanged\n"
        "  skipped 1:\n"
        "    README.md:3: the build refuses it: image 'images/none.png' does not exist\n"
    ) in result.out
    text = Path("content/deck/src.md").read_text()
    assert "What is a port?" in text and "What is shown here?" not in text
