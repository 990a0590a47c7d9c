"""A cold deck-only build imports what the deck needs and nothing of the printouts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEMPLATES

sys.path.insert(0, str(ROOT / "bench"))
import run as bench

PRINTOUTS = ("weasyprint", "pypdf", "pydyf", "fontTools", "PIL", "ziamath", "playwright", "anki")
PROBE = (
    "import sys\n"
    "from cardpress.cli import main\n"
    "status = main(sys.argv[1:])\n"
    "print('imported:', ','.join(sorted(name for name in sys.modules if '.' not in name)))\n"
    "sys.exit(status)\n"
)


@pytest.fixture
def deck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """12 section files of 8 cards: enough for the parse worker to start."""
    monkeypatch.setattr(bench, "CARDS_PER_SECTION", 8)
    return bench.generate(tmp_path / "deck", 96)


def test_a_cold_deck_only_build_imports_nothing_of_the_printouts(deck: Path, tmp_path: Path):
    out = tmp_path / "dist"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = ["--content", str(deck), "--out", str(out), "--templates", str(TEMPLATES)]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args, "--only", "anki"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "synthetic.apkg").stat().st_size > 0
    line = next(x for x in done.stdout.splitlines() if x.startswith("imported: "))
    imported = set(line.removeprefix("imported: ").split(","))
    assert {"genanki", "markdown_it", "pygments"} <= imported  # the deck's own
    assert imported.isdisjoint(PRINTOUTS)
