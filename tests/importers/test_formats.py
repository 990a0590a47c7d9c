"""``cardpress import`` of numbered lists, one-question files and spreadsheets."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import snapshot
from tests.support.paths import DATA

FIXTURES = DATA / "importers"


def clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, url: str) -> Path:
    """A copy of a fixture with a git remote; the current folder is its parent."""
    folder = tmp_path / "src"
    shutil.copytree(FIXTURES / name, folder)
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {url}.git\n')
    monkeypatch.chdir(tmp_path)
    return folder


def cards(content: Path, run_cli, build_deck) -> list[dict[str, Any]]:
    out = build_deck(content, Path("dist"), "json")
    model = json.loads((out / "deck.json").read_text())
    return [c for s in model["deck"]["sections"] for c in s["cards"]]


TRAILER = r"^\s*_Contributed by .*_\s*$"


def test_numbered(tmp_path, monkeypatch, run_cli, build_deck) -> None:
    clone(tmp_path, monkeypatch, "numbered/repo", "https://example.org/qa/numbered")
    result = run_cli("import", "numbered", "src", "--to", "content/deck", "--trailer", TRAILER)
    assert result.status == 0, result.err
    assert result.out == (
        "cardpress import numbered: 1 source file in src\n"
        "  questions: 8 found, 7 imported, 1 skipped\n"
        "  7 cards in 2 sections: 7 added, 0 updated, 0 unchanged\n"
        "  skipped 1 (1 with an empty answer):\n"
        "    README.md:46: empty answer\n"
        "  images: 1 copied, 0 not copied\n"
        "  source: https://example.org/qa/numbered\n"
        "  license: MIT (LICENSE)\n"
        "wrote 5 files in content/deck\n"
    )
    text = Path("content/deck/src.md").read_text()
    assert "Back to Top" not in text and "Contributed" not in text
    # items indented by 4, 0 and 8 spaces all come out flush
    assert "\nA widget is a reusable piece" in text
    assert "\nKeys let the toolkit match" in text
    assert "\nProperties come from the parent" in text
    assert '```js\nfunction draw(canvas) {\n    canvas.fill("blue")\n}\n```' in text
    # the deep dive becomes the details
    assert (
        "The elapsed time and a function that restarts it.\n\n***\n\n"
        "**Deep dive: how the timer stays accurate**\n\nIt measures"
    ) in text
    found = cards(Path("content"), run_cli, build_deck)
    assert len(found) == 7
    # an item whose <details> is the answer: what comes before it is the question's
    output = next(c for c in found if "output of this code" in c["question"]["text"])
    assert output["question"]["text"] == (
        'What is the output of this code? console.log(typeof null) A: "null"; B: "object"'
    )
    assert output["answer"]["text"] == (
        "Answer: B A historical accident kept from the first version of the language."
    )
    assert output["details"]["text"].startswith("The question's code: console.log(typeof null)")
    timer = next(c for c in found if "useTimer" in c["question"]["text"])
    assert timer["answer"]["text"] == "The elapsed time and a function that restarts it."
    assert "const elapsed" in timer["details"]["text"]
    diagram = next(c for c in found if "property and state" in c["question"]["text"])
    assert 'props-state.png" alt="Props and state"' in diagram["details"]["html"]


def test_numbered_trailers_are_extensible(tmp_path, monkeypatch, run_cli) -> None:
    clone(tmp_path, monkeypatch, "numbered/repo", "https://example.org/qa/numbered")
    assert run_cli("import", "numbered", "src", "--to", "content/deck").status == 0
    text = Path("content/deck/src.md").read_text()
    assert "Back to Top" not in text and "_Contributed by the reviewers' guild_" in text
    result = run_cli("import", "numbered", "src", "--to", "content/deck", "--trailer", "(")
    assert result.status == 2
    assert result.err.startswith("cardpress: error: --trailer is not a regular expression:")


def test_files(tmp_path, monkeypatch, run_cli, build_deck) -> None:
    clone(tmp_path, monkeypatch, "files/repo", "https://example.org/qa/files")
    result = run_cli("import", "files", "src/questions", "--to", "content/deck")
    assert result.status == 0, result.err
    assert result.out == (
        "cardpress import files: 3 source files in src/questions "
        "(2 more read that gave no card)\n"
        "  questions: 5 found, 3 imported, 2 skipped\n"
        "  3 cards in 3 sections: 3 added, 0 updated, 0 unchanged\n"
        "  skipped 2 (1 with an empty answer):\n"
        "    drafts.md:1: no question heading\n"
        "    unanswered.md:1: empty answer\n"
        "  images: 1 copied, 0 not copied\n"
        "  source: https://example.org/qa/files\n"
        "  license: MIT (LICENSE)\n"
        "wrote 7 files in content/deck\n"
    )
    text = Path("content/deck/javascript.md").read_text()
    # the code before '#### Answer' belongs to the question
    assert (
        "### What does this code print? `const make = () => { let n = 0; return () => ++n }; "
        "const next = make(); next(); console.log(next())`\n"
        "<!-- id: closure-counter; tags: javascript functions -->\n"
    ) in text
    found = {c["id"]: c for c in cards(Path("content"), run_cli, build_deck)}
    assert sorted(found) == ["box-sizing", "closure-counter", "event-loop"]
    closure = found["closure-counter"]
    assert closure["answer"]["text"].startswith("The inner function keeps n alive")
    assert "It prints 2." in closure["details"]["text"]
    assert "Closures explained" in closure["details"]["text"]
    assert closure["tags"] == ["javascript", "functions"]
    assert found["event-loop"]["tags"] == ["node", "javascript"]


def test_csv(tmp_path, monkeypatch, run_cli, build_deck) -> None:
    clone(tmp_path, monkeypatch, "csv", "https://example.org/qa/csv")
    result = run_cli("import", "csv", "src", "--to", "content/deck", "--license", "CC BY-NC 4.0")
    assert result.status == 0, result.err
    assert result.out == (
        "cardpress import csv: 2 source files in src\n"
        "  questions: 7 found, 5 imported, 2 skipped\n"
        "  5 cards in 5 sections: 5 added, 0 updated, 0 unchanged\n"
        "  skipped 2 (1 with an empty answer):\n"
        "    cards.csv:4: empty answer\n"
        "    cards.csv:5: empty question\n"
        "  source: https://example.org/qa/csv\n"
        "  license: CC BY-NC 4.0: for personal study only\n"
        "wrote 5 files in content/deck\n"
    )
    found = {c["question"]["text"]: c for c in cards(Path("content"), run_cli, build_deck)}
    assert found["What port does SSH use?"]["tags"] == ["networking.ports", "net", "ssh"]
    assert found["What does DNS stand for?"]["details"]["html"] == (
        "<p>It maps names to addresses.<br>Most lookups use UDP port 53.</p>\n"
    )
    cloze = found["The [...] limits how many hops a packet makes."]
    assert cloze["kind"] == "cloze" and "{{c1::TTL}}" in cloze["cloze"]["html"]
    assert found["Why use HTTPS?"]["answer"]["text"].split() == ["privacy", "integrity"]
    assert found["idempotent"]["answer"]["text"] == "gives the same result when repeated"
    before = snapshot(Path("content"))
    again = run_cli("import", "csv", "src", "--to", "content/deck", "--license", "CC BY-NC 4.0")
    assert again.out.endswith("content/deck is up to date\n")
    assert snapshot(Path("content")) == before


def test_csv_map(tmp_path, monkeypatch, run_cli) -> None:
    monkeypatch.chdir(tmp_path)
    Path("words.csv").write_text("Word;Meaning;Level\nlaconic;using few words;b2\n")
    result = run_cli(
        "import",
        "csv",
        "words.csv",
        "--to",
        "content/words",
        "--map",
        "question=Word",
        "--map",
        "answer=Meaning,section=Level",
    )
    assert result.status == 0, result.err
    text = Path("content/words/words.md").read_text()
    assert text == (
        "## b2\n<!-- id: b2 -->\n\n### laconic\n<!-- id: b2.laconic -->\n\nusing few words\n"
    )
    result = run_cli("import", "csv", "words.csv", "--to", "content/words", "--map", "answer=Gloss")
    assert result.status == 2
    assert result.err == (
        "cardpress: error: words.csv: no column 'Gloss' for answer (columns: Word, Meaning, "
        "Level)\n"
    )
    result = run_cli("import", "csv", "words.csv", "--to", "content/words", "--map", "colour")
    assert result.err == (
        "cardpress: error: --map 'colour': write ROLE=COLUMN with ROLE one of question, "
        "answer, details, tags, section, id, kind\n"
    )


def test_a_card_moved_to_a_later_section_is_not_removed(tmp_path, monkeypatch, run_cli) -> None:
    monkeypatch.chdir(tmp_path)
    table = Path("t.csv")
    table.write_text("id,question,answer,section\nq1,One?,1,A\nq2,Two?,2,A\nq3,Three?,3,B\n")
    assert run_cli("import", "csv", "t.csv", "--to", "content/t").status == 0
    table.write_text("id,question,answer,section\nq1,One?,1,A\nq2,Two?,2,B\nq3,Three?,3,B\n")
    result = run_cli("import", "csv", "t.csv", "--to", "content/t")
    assert result.status == 0, result.err
    assert "  3 cards in 2 sections: 0 added, 0 updated, 3 unchanged\n" in result.out
    assert "removed" not in result.out
    text = Path("content/t/t.md").read_text()
    assert text.index("### One?") < text.index("## B") < text.index("### Two?")
