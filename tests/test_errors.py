"""Problems of the content folder as a whole, and of a run; each problem of a file is a
case of the broken-input corpus (tests/data/broken, run by tests/parse/test_broken_corpus.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.files_support import write_files

FRONT = "---\ntitle: T\nid: t\n---\n"
CARD = "## S\n\n### Q?\n\nA.\n"


def write_content(root: Path, files: dict[str, str | bytes]) -> Path:
    return write_files(root / "content", files)


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


def test_all_problems_of_a_run_are_reported_together(tmp_path, run_cli, monkeypatch):
    content = write_content(
        tmp_path,
        {
            "a.md": FRONT + "## S\n\n### Q?\n<!-- kind: nope -->\n\nA.\n\n### R?\n",
            "b.md": "---\ntitle: B\nid: b\n---\n## S\n\n### Q\n<!-- kind: cloze -->\n\nText.\n",
        },
    )
    monkeypatch.chdir(content)
    result = run_cli("--content", ".", "--out", tmp_path / "dist")
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


def test_paths_are_relative_to_the_current_folder_or_absolute_outside_it(
    tmp_path, run_cli, monkeypatch
):
    """As compilers print them, so that an editor can jump to the line from anywhere."""
    notes = tmp_path / "notes"
    content = write_content(notes, {"deck/index.md": FRONT + "## S\n\n### Q?\n"})
    line = "deck/index.md:7:1: error: card has no answer: write it below the question"

    monkeypatch.chdir(notes)
    assert run_cli("--content", "content", "--check").err.splitlines()[0] == f"content/{line}"
    monkeypatch.chdir(content / "deck")
    assert run_cli("--content", "..", "--check").err.splitlines()[0] == (
        f"{content}/{line}"  # the content folder is outside the current one
    )
    monkeypatch.chdir(tmp_path)
    assert run_cli("--content", content, "--check").err.splitlines()[0] == (f"notes/content/{line}")
    missing = run_cli("--content", "notes/nothing", "--check")
    assert missing.err.splitlines()[0] == "notes/nothing: error: content folder does not exist"


def test_a_build_with_nothing_to_do_repeats_its_warnings_from_the_current_folder(
    tmp_path, run_cli, monkeypatch
):
    content = write_content(tmp_path, {"d.md": FRONT + "## S\n\n### Q?\n\n```nolang\nx\n```\n"})
    warning = "d.md:9:4: warning: unknown code language 'nolang': use a language Pygments knows"
    monkeypatch.chdir(tmp_path)
    first = run_cli("--content", "content", "--out", "dist", "--only", "json")
    assert first.err.startswith(f"content/{warning}")
    monkeypatch.chdir(content)
    again = run_cli("--content", ".", "--out", "../dist", "--only", "json")
    assert "nothing to do" in again.out
    assert again.err.startswith(warning) and len(again.err.splitlines()) == 1
