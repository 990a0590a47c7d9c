"""Each construct of the format on its own: a card's Markdown, then the card as JSON or
the diagnostics, in per-construct fixture files (tests/data/constructs/*.md) read with
markdown-it-py's fixture reader, as markdown-it-py's own tests are. The golden tests
(tests/test_golden.py) cover whole decks.

A case is a title line, then ``.``, the Markdown under one ``## Section``, ``.``, the
expected outcome and ``.``. The outcome is the diagnostics, lines counted from the
case's first line, then (when the deck builds) its cards as JSON. Set
CARDPRESS_UPDATE_CONSTRUCTS=1 to rewrite the outcomes after an intended change, and
review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from markdown_it.utils import read_fixture_file

from cardpress.errors import ContentError, Diagnostic
from cardpress.model import Card
from cardpress.parse import read_content
from tests.support.paths import DATA

CONSTRUCTS = DATA / "constructs"
HEAD = "---\ntitle: Constructs\nid: constructs\n---\n\n## Section\n\n"
OFFSET = HEAD.count("\n")  # lines before the case's first line


def card_json(card: Card) -> dict[str, Any]:
    data: dict[str, Any] = {"id": card.id, "kind": card.kind.value, "tags": list(card.tags)}
    data["question"] = card.question.html
    for name in ("answer", "details", "cloze"):
        if getattr(card, name).html:
            data[name] = getattr(card, name).html
    if card.callouts:
        data["callouts"] = [[c.kind.value, c.body.html] for c in card.callouts]
    return data


def lines_of(diagnostics: list[Diagnostic]) -> str:
    out = []
    for d in diagnostics:
        where = f"{d.location.line - OFFSET}" + (f":{d.location.col}" if d.location.col else "")
        out.append(f"{where}: {d.severity}: {d.text}\n")
    return "".join(out)


def outcome(markdown: str, folder: Path) -> str:
    folder.mkdir()
    (folder / "card.md").write_text(HEAD + markdown, encoding="utf-8")
    try:
        state = read_content(folder, now=0)
    except ContentError as error:
        return lines_of(error.diagnostics)
    cards = [card_json(card) for card in state.decks[0].cards()]
    return lines_of(state.warnings) + json.dumps(cards, indent=1, ensure_ascii=False) + "\n"


def rewrite(path: Path, outcomes: list[str]) -> None:
    """The fixture file with each case's outcome replaced, everything else kept."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    out: list[str] = []
    dots, case = 0, 0
    for line in lines:
        if line.rstrip() == ".":
            dots += 1
            if dots % 3 == 2:  # the end of the input: the outcome follows
                out += [line, outcomes[case]]
                case += 1
                continue
        elif dots % 3 == 2:
            continue  # the old outcome
        out.append(line)
    path.write_text("".join(out), encoding="utf-8")


@pytest.mark.parametrize("path", sorted(CONSTRUCTS.glob("*.md")), ids=lambda p: p.stem)
def test_each_construct_reads_as_its_fixture_says(path: Path, tmp_path: Path) -> None:
    cases = read_fixture_file(path)
    assert cases, f"{path} has no cases"
    found = [outcome(given, tmp_path / str(line)) for line, _, given, _ in cases]
    if os.environ.get("CARDPRESS_UPDATE_CONSTRUCTS"):
        rewrite(path, found)
        cases = read_fixture_file(path)
    wrong = [
        f"{path.name}:{line + 1}: {title}\n--- expected\n{expected}--- found\n{got}"
        for (line, title, _, expected), got in zip(cases, found, strict=True)
        if got != expected
    ]
    assert not wrong, "\n".join(wrong)
