"""The wheel installed without extras into a fresh virtual environment: every command and
every output, from a folder outside the repository (see ``tests/support/installed_tool.py``,
which ``python -m tests.support.installed_tool`` also runs alone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.installed_tool import install, run_checks


@pytest.mark.slow
def test_the_installed_tool_builds_every_output_and_runs_every_command(tmp_path: Path) -> None:
    tool = install(tmp_path)
    run_checks(tool)  # raises, saying what the installed tool did wrong
    dist = tmp_path / "notes" / "dist"
    assert {p.name for p in dist.glob("big*")} == {
        "big.apkg",
        "big.pdf",
        "big.html",
        "big.json",
        "big-cards.pdf",
        "big-quiz.pdf",
    }
