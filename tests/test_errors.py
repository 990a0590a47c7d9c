"""Every content problem is reported as path:line:col with exit status 1 and no output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import snapshot

FRONT = "---\ntitle: T\nid: t\n---\n"
CARD = "## S\n\n### Q?\n\nA.\n"

# (files, expected "path:line[:col]: error: message" fragments)
CASES: dict[str, tuple[dict[str, str | bytes], str, str]] = {
    "missing front matter": ({"d.md": CARD}, "d.md:1:1", "missing front matter"),
    "front matter not closed": ({"d.md": "---\ntitle: T\n" + CARD}, "d.md:1:1", "not closed"),
    "invalid front matter yaml": (
        {"d.md": "---\ntitle: [T\nid: t\n---\n" + CARD},
        "d.md:3:",
        "invalid front matter",
    ),
    "front matter not a mapping": (
        {"d.md": "---\n- a\n---\n" + CARD},
        "d.md:2:1",
        "must be a mapping",
    ),
    "missing title": ({"d.md": "---\nid: t\n---\n" + CARD}, "d.md:1:1", "needs a 'title'"),
    "invalid deck id": (
        {"d.md": "---\ntitle: T\nid: Not Valid\n---\n" + CARD},
        "d.md:3:1",
        "needs an 'id'",
    ),
    "invalid paper": (
        {"d.md": FRONT[:-4] + "paper: a5\n---\n" + CARD},
        "d.md:4:1",
        "'paper' must be 'a4' or 'letter'",
    ),
    "card with no answer": (
        {"d.md": FRONT + "## S\n\n### Q?\n\n### R?\n\nB.\n"},
        "d.md:7:1",
        "card has no answer",
    ),
    "duplicate id": (
        {"d.md": FRONT + "## S\n\n### Q?\n<!-- id: a -->\n\nA.\n\n### R?\n<!-- id: a -->\n\nB.\n"},
        "d.md:13:",
        "duplicate card id 'a': first used at d.md:8",
    ),
    "unknown card kind": (
        {"d.md": FRONT + "## S\n\n### Q?\n<!-- kind: flashcard -->\n\nA.\n"},
        "d.md:8:",
        "unknown card kind 'flashcard'",
    ),
    "cloze without deletion": (
        {"d.md": FRONT + "## S\n\n### Q\n<!-- kind: cloze -->\n\nNo deletion here.\n"},
        "d.md:7:1",
        "cloze card has no deletion",
    ),
    "unterminated code fence": (
        {"d.md": FRONT + "## S\n\n### Q?\n\n```bash\necho hi\n"},
        "d.md:9:1",
        "code fence '```' is never closed",
    ),
    "missing image": (
        {"d.md": FRONT + "## S\n\n### Q?\n\nSee ![x](img/none.png).\n"},
        "d.md:9:",
        "image 'img/none.png' does not exist",
    ),
    "image outside the content folder": (
        {"d.md": FRONT + "## S\n\n### Q?\n\nSee ![x](../outside.png).\n"},
        "d.md:9:",
        "image '../outside.png' is outside the content folder",
    ),
    "remote image": (
        {"d.md": FRONT + "## S\n\n### Q?\n\n![x](https://example.com/x.png)\n"},
        "d.md:9:",
        "is not a local file",
    ),
    "not utf-8": (
        {"d.md": (FRONT + "## S\n\n### Q?\n\nCaf").encode() + b"\xe9 au lait.\n"},
        "d.md:9:4",
        "file is not UTF-8",
    ),
    "card outside a section": (
        {"d.md": FRONT + "### Q?\n\nA.\n"},
        "d.md:5:1",
        "card is not inside a section",
    ),
    "duplicate deck id": (
        {"a.md": FRONT + CARD, "b.md": FRONT + CARD},
        "b.md:1",
        "deck id 't' is already used by the deck at a.md:1",
    ),
    "front matter in a later file": (
        {"deck/index.md": FRONT + CARD, "deck/more.md": FRONT + "## S2\n\n### Q?\n\nA.\n"},
        "deck/more.md:1:1",
        "front matter is only allowed in the deck's first file",
    ),
    "deck folder without index": (
        {"deck/one.md": CARD},
        "deck/index.md",
        "deck folder has no index.md",
    ),
    "duplicate section": (
        {"d.md": FRONT + "## S\n\n### Q?\n\nA.\n\n## S\n\n### R?\n\nB.\n"},
        "d.md:11:1",
        "section id 's' is already used at d.md:5",
    ),
    "binary file": ({"d.md": b"\x00\x01\x02"}, "d.md:1", "NUL byte"),
}


def write_content(root: Path, files: dict[str, str | bytes]) -> Path:
    content = root / "content"
    for name, data in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return content


@pytest.fixture
def previous_dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "t.json").write_text("previous build\n")
    (dist / "other.apkg").write_bytes(b"old deck")
    return dist


@pytest.mark.parametrize("case", sorted(CASES))
def test_content_error_is_reported_with_its_line(case, tmp_path, run_cli, previous_dist):
    files, where, message = CASES[case]
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    content = write_content(tmp_path, files)
    before = snapshot(previous_dist)

    result = run_cli("--content", content, "--out", previous_dist, "--only", "json")

    assert result.status == 1
    lines = [line for line in result.err.splitlines() if ": error: " in line]
    assert any(line.startswith(where) and message in line for line in lines), result.err
    assert "Traceback" not in result.err
    assert snapshot(previous_dist) == before
    assert not list(content.rglob("*.lock"))


def test_empty_content_folder(tmp_path, run_cli):
    content = tmp_path / "content"
    content.mkdir()
    result = run_cli("--content", content, "--out", tmp_path / "dist")
    assert result.status == 1
    assert f"{content}: error: content folder has no decks" in result.err
    assert not (tmp_path / "dist").exists()


def test_missing_content_folder(tmp_path, run_cli):
    result = run_cli("--content", tmp_path / "nope", "--out", tmp_path / "dist")
    assert result.status == 1
    assert f"{tmp_path / 'nope'}: error: content folder does not exist" in result.err
    assert not (tmp_path / "dist").exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_symlink_out_of_the_content_folder(tmp_path, run_cli):
    secret = tmp_path / "secret.md"
    secret.write_text(FRONT + CARD)
    content = tmp_path / "content"
    content.mkdir()
    (content / "d.md").symlink_to(secret)
    result = run_cli("--content", content, "--out", tmp_path / "dist")
    assert result.status == 1
    assert "d.md: error: file is a link that leads outside the content folder" in result.err


def test_all_problems_of_a_run_are_reported_together(tmp_path, run_cli):
    content = write_content(
        tmp_path,
        {
            "a.md": FRONT + "## S\n\n### Q?\n<!-- kind: nope -->\n\nA.\n\n### R?\n",
            "b.md": "---\ntitle: B\nid: b\n---\n## S\n\n### Q\n<!-- kind: cloze -->\n\nText.\n",
        },
    )
    result = run_cli("--content", content, "--out", tmp_path / "dist")
    assert result.status == 1
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert [e.split(": error: ")[0] for e in errors] == ["a.md:8:6", "a.md:12:1", "b.md:7:1"]
    assert "3 error(s)" in result.err


def test_warnings_are_errors_with_strict(tmp_path, run_cli):
    text = FRONT + "## S\n\n### Q?\n\n```nosuchlanguage\nx\n```\n"
    content = write_content(tmp_path, {"d.md": text})
    relaxed = run_cli("--content", content, "--out", tmp_path / "dist", "--only", "json")
    assert relaxed.status == 0
    assert "d.md:9:4: warning: unknown code language 'nosuchlanguage'" in relaxed.err

    strict = run_cli("--content", content, "--out", tmp_path / "dist2", "--strict")
    assert strict.status == 1
    assert "d.md:9:4: error: unknown code language 'nosuchlanguage'" in strict.err
    assert not (tmp_path / "dist2").exists()
