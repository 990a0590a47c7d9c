"""What the installed tool says points at things an installed user has, and stays true.

A pip or pipx user has the command and its ``--help``, not the repository's ``docs/``:
no help, message or starter file sends them there. The lists of outputs in ``--help`` and
in the deck ``cardpress init`` writes are the formats table's, whatever it holds.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest

from cardpress.commands import COMMANDS
from cardpress.markup.formulas import problems
from cardpress.renderers import FORMATS
from tests.conftest import ROOT

REPOSITORY_ONLY = re.compile(r"\bdocs/|\bREADME\b|\bbench/|\btests/")


def said_strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module that can reach the user: all but docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    attribute_docs = set()  # the string under a field: a docstring too
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for before, after in itertools.pairwise(body):
                if isinstance(before, ast.AnnAssign | ast.Assign) and isinstance(after, ast.Expr):
                    attribute_docs.add(id(after.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings | attribute_docs
    ]


def test_no_message_or_help_points_into_the_repository() -> None:
    found = []
    package = ROOT / "cardpress"
    for path in sorted(package.rglob("*.py")):
        for line, text in said_strings(path):
            if REPOSITORY_ONLY.search(text):
                found.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    for path in sorted((package / "starter").rglob("*")):
        if path.is_file() and REPOSITORY_ONLY.search(path.read_text(encoding="utf-8")):
            found.append(str(path.relative_to(ROOT)))
    assert not found, "an installed user has no such file:\n" + "\n".join(found)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_help_reads_without_the_repository(command: str | None, run_cli) -> None:
    result = run_cli(*([command] if command else []), "--help")
    assert result.status == 0, result.err
    assert "usage: cardpress" in result.out
    assert not REPOSITORY_ONLY.search(result.out), result.out


def listed(text: str) -> list[str]:
    """``a``, ``b`` and ``c`` (or a,b,c) -> the names, in order."""
    return re.findall(r"[a-z]+", text.replace(" and ", ","))


def test_the_help_lists_every_output_of_the_formats_table(run_cli) -> None:
    text = " ".join(run_cli("--help").out.split())
    only = re.search(
        r"--only FORMATS comma-separated outputs to build "
        r"\(default: ([a-z,]+), and (.*?) for decks that ask",
        text,
    )
    assert only, text
    by_default = [n for n, row in FORMATS.items() if row.by_default]
    asked = [n for n, row in FORMATS.items() if not row.by_default]
    assert only.group(1).split(",") == by_default
    assert listed(only.group(2)) == asked
    assert f"--only {','.join(asked)}" in text
    for name in asked:
        assert f"{name}: true" in text


def test_the_starter_deck_lists_every_output_of_the_formats_table(tmp_path: Path, run_cli) -> None:
    assert run_cli("init", tmp_path / "notes").status == 0
    deck = " ".join((tmp_path / "notes" / "content" / "notes.md").read_text().split())
    takes = re.search(r"`--only` takes a comma-separated list of outputs: (.*?)\.", deck)
    plain = re.search(r"A plain build makes (.*?), and (.*?) for a deck that asks", deck)
    assert takes and plain, deck
    assert listed(takes.group(1)) == list(FORMATS)
    assert listed(plain.group(1)) == [n for n, row in FORMATS.items() if row.by_default]
    assert listed(plain.group(2)) == [n for n, row in FORMATS.items() if not row.by_default]
    assert "{" + "formats}" not in deck
    for name in FORMATS:
        assert (
            run_cli("--content", tmp_path / "notes" / "content", "--check", "--only", name).status
            == 0
        )


def test_an_unknown_math_command_is_told_with_the_nearest_known_one() -> None:
    """Where a pointer to the documentation was, the message itself says what to write."""
    assert [m for _, m in problems(r"x = \sqr{2}")] == [
        "unknown math command '\\sqr': did you mean '\\sqrt'?"
    ]
    assert [m for _, m in problems(r"\zzzz")] == ["unknown math command '\\zzzz'"]
