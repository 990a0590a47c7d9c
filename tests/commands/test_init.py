"""``cardpress init``: a starter deck that builds cleanly, and never a replaced file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cardpress.commands.init import deck_id
from tests.conftest import snapshot


def test_init_starts_a_deck_that_builds_every_output_without_a_warning(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    started = run_cli("init", "Spanish Verbs")
    assert started.status == 0, started.err
    assert started.out.splitlines() == [
        "Started a deck in Spanish Verbs:",
        "  Spanish Verbs/content/spanish-verbs.md",
        "  Spanish Verbs/content/images/build-steps.svg",
        "  Spanish Verbs/.gitignore (ignores dist/)",
        "Next:",
        "  cd 'Spanish Verbs'",
        "  cardpress --check     # check the content",
        "  cardpress             # build dist/spanish-verbs.apkg, .pdf, .html and .json",
        "  cardpress serve       # rebuild on every save; the page at 127.0.0.1 reloads",
    ]
    folder = tmp_path / "Spanish Verbs"
    assert (folder / ".gitignore").read_text() == "dist/\n"

    monkeypatch.chdir(folder)
    built = run_cli("--strict")
    assert built.status == 0, built.err
    assert built.err == ""
    for suffix in (".apkg", ".pdf", ".html", ".json"):
        assert (folder / "dist" / f"spanish-verbs{suffix}").stat().st_size > 0
    model = json.loads((folder / "dist" / "spanish-verbs.json").read_text())["deck"]
    assert model["title"] == "Spanish Verbs"
    assert len(model["sections"]) == 2
    cards = [card for section in model["sections"] for card in section["cards"]]
    assert {card["kind"] for card in cards} == {"basic", "reversed", "cloze"}
    assert any(card["callouts"] for card in cards)
    assert any("<pre" in card["details"]["html"] for card in cards)
    assert model["media"] and model["media"][0]["path"] == "images/build-steps.svg"


def test_init_in_the_current_folder_keeps_its_gitignore_and_needs_no_cd(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".gitignore").write_text("*.pyc")
    monkeypatch.chdir(tmp_path)
    started = run_cli("init")
    assert started.status == 0, started.err
    assert "  cd " not in started.out
    assert "  .gitignore (added dist/)" in started.out
    assert (tmp_path / ".gitignore").read_text() == "*.pyc\ndist/\n"
    assert (tmp_path / "content" / f"{deck_id(tmp_path)}.md").is_file()


def test_init_refuses_to_write_where_content_exists(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "mine.md").write_text("my notes\n")
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    refused = run_cli("init")
    assert refused.status == 1
    assert refused.err == (
        "cardpress: error: content already exists; init writes only into a folder "
        "without content/ (run it in an empty folder, or give another DIR)\n"
    )
    assert snapshot(tmp_path) == before
    assert not (tmp_path / ".gitignore").exists()


def test_deck_ids_come_from_the_folder_name(tmp_path: Path) -> None:
    assert deck_id(tmp_path / "My Notes") == "my-notes"
    assert deck_id(tmp_path / "Ünïcode!!") == "n-code"
    assert deck_id(tmp_path / "…") == "notes"


def test_init_has_its_own_help(run_cli) -> None:
    helped = run_cli("init", "--help")
    assert helped.status == 0
    assert "usage: cardpress init [-h] [DIR]" in helped.out
