"""Rebuilds re-parse only the files that changed, and give what a fresh build gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cardpress.caching import build_folder
from tests.conftest import snapshot
from tests.support.paths import DATA

INDEX = "---\ntitle: Multi\nid: multi\n---\n\nIntro.\n\n## Zero\n\n### Q0?\n\nA0.\n"


def section(number: int, extra: str = "") -> str:
    return (
        f"## Section {number}\n\n### Question {number}?\n<!-- id: q{number} -->\n\n"
        f"Answer {number}. ![dot](img/dot.png)\n{extra}"
    )


@pytest.fixture
def content(tmp_path: Path) -> Path:
    deck = tmp_path / "content" / "multi"
    (deck / "img").mkdir(parents=True)
    (deck / "img" / "dot.png").write_bytes(
        (
            DATA / "golden" / "multi-file" / "content" / "study" / "images" / "red dot.png"
        ).read_bytes()
    )
    (deck / "index.md").write_text(INDEX)
    for number in range(1, 5):
        (deck / f"{number}0.md").write_text(section(number))
    return tmp_path / "content"


def entries(out: Path) -> set[str]:
    return {p.name for p in (build_folder(out) / "parse").glob("*.json")}


def model(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "multi.json").read_text())
    return data


def fresh_build(run_cli, content: Path, tmp_path: Path) -> dict[str, Any]:
    copy = tmp_path / "fresh-content"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(content, copy)
    assert run_cli("--content", copy, "--out", tmp_path / "fresh", "--only", "json").status == 0
    data = model(tmp_path / "fresh")
    shutil.rmtree(tmp_path / "fresh")
    return data


def test_an_edit_reparses_one_file_and_matches_a_fresh_build(run_cli, content, tmp_path):
    out = tmp_path / "dist"
    assert run_cli("--content", content, "--out", out, "--only", "json").status == 0
    first = entries(out)
    assert len(first) == 5  # one entry a file
    folder = build_folder(out) / "parse"
    written = {name: (folder / name).stat().st_mtime_ns for name in first}

    (content / "multi" / "30.md").write_text(section(3, "\nEdited details.\n"))
    assert run_cli("--content", content, "--out", out, "--only", "json").status == 0
    second = entries(out)
    assert len(second) == 5 and len(first - second) == 1  # only 30.md's entry replaced
    kept = first & second
    assert {name: (folder / name).stat().st_mtime_ns for name in kept} == {
        name: written[name] for name in kept
    }  # the other four were read, not parsed and written again
    assert "Edited details." in json.dumps(model(out))
    assert model(out) == fresh_build(run_cli, content, tmp_path)


def test_a_clash_with_a_cached_file_is_still_reported(run_cli, content, tmp_path):
    out = tmp_path / "dist"
    assert run_cli("--content", content, "--out", out, "--only", "json").status == 0
    before = snapshot(out)
    (content / "multi" / "40.md").write_text(section(4).replace("id: q4", "id: q2"))
    result = run_cli("--content", content, "--out", out, "--only", "json")
    assert result.status == 1
    assert "multi/40.md:4:" in result.err and "duplicate card id 'q2'" in result.err
    assert snapshot(out) == before  # a failed build writes no cache entry either


def test_a_changed_image_is_not_taken_from_the_cache(run_cli, content, tmp_path):
    out = tmp_path / "dist"
    assert run_cli("--content", content, "--out", out, "--only", "json").status == 0
    image = content / "multi" / "img" / "dot.png"
    image.write_bytes(image.read_bytes() + b"trailing bytes")
    assert run_cli("--content", content, "--out", out, "--only", "json").status == 0
    assert model(out) == fresh_build(run_cli, content, tmp_path)


def test_check_writes_no_cache(run_cli, content, tmp_path):
    result = run_cli("--content", content, "--out", tmp_path / "dist", "--check")
    assert result.status == 0
    assert not (tmp_path / "dist").exists()
