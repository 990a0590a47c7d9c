"""docs/import.md stays true: each format's "before" imported gives its "after"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.importers.formats.test_details import FIXTURE as DETAILS_FIXTURE

DOC = ROOT / "docs" / "import.md"


def examples() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    found = [
        m.group(2)
        for m in re.finditer(r"^(`{3,4})(?:markdown|text)\n(.*?)^\1\n", text, re.S | re.M)
    ]
    return found


@pytest.mark.parametrize(
    ("fmt", "before", "source", "after", "written"),
    [
        ("details", 1, "repo/topics/containers/README.md", 2, "containers.md"),
        ("numbered", 3, "list/README.md", 4, "list.md"),
        ("files", 5, "qs/questions/closure-counter.md", 6, "javascript.md"),
        ("csv", 9, "cards.csv", 10, "cards.md"),
    ],
)
def test_before_and_after(
    fmt, before, source, after, written, tmp_path, monkeypatch, run_cli
) -> None:
    blocks = examples()
    monkeypatch.chdir(tmp_path)
    path = Path(source)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(blocks[before])
    named = path if fmt in ("csv",) else path.parent
    if fmt == "details":  # one of several files, with its image
        (path.parent / "images").mkdir()
        (path.parent / "images" / "layers.png").write_bytes(
            (DETAILS_FIXTURE / "topics/containers/images/layers.png").read_bytes()
        )
        other = Path("repo/topics/other/README.md")
        other.parent.mkdir(parents=True)
        other.write_text("<details>\n<summary>Q?</summary><br><b>\n\nA.\n</b></details>\n")
        Path("repo/.git").mkdir()
        named = Path("repo/topics")
    result = run_cli("import", fmt, named, "--to", "content/deck")
    assert result.status == 0, result.err
    assert Path("content/deck", written).read_text() == blocks[after]
