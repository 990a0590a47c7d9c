"""Golden tests: each Markdown fixture under tests/data/golden/ parses to its committed model JSON.

Set CARDPRESS_UPDATE_GOLDEN=1 to rewrite the expected files after an intended change.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from cardpress.parse import load_content
from cardpress.renderers.json_model import deck_to_dict
from tests.conftest import format_example
from tests.support.paths import DATA

GOLDEN = DATA / "golden"
CASES = sorted(p for p in GOLDEN.iterdir() if p.is_dir())


def model_json(content: Path) -> str:
    decks = load_content(content)
    return json.dumps([deck_to_dict(d) for d in decks], indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Path, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(case / "content", content)
    for lock in content.rglob("*.lock"):
        lock.unlink()
    actual = model_json(content)
    expected_path = case / "expected.json"
    if os.environ.get("CARDPRESS_UPDATE_GOLDEN"):
        expected_path.write_text(actual, encoding="utf-8")
    assert actual == expected_path.read_text(encoding="utf-8")


def test_format_example_is_a_golden_case() -> None:
    """The example in docs/format.md is the golden 'format-example' fixture, kept in step."""
    fixture = GOLDEN / "format-example" / "content" / "networking.md"
    assert fixture.read_text(encoding="utf-8") == format_example()
