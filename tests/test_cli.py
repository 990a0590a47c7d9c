"""The command line: exit statuses, --check, --only, summaries and the JSON model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cardpress import __version__
from tests.conftest import ROOT, snapshot
from tests.support.lock_files import lock_data, write_old_lock


def test_version_and_help(run_cli):
    version = run_cli("--version")
    assert version.status == 0
    assert version.out.strip() == f"cardpress {__version__}"
    helped = run_cli("--help")
    assert helped.status == 0
    for option in ("--content", "--templates", "--out", "--only", "--check", "--strict"):
        assert option in helped.out


def test_usage_errors_exit_2(run_cli, example_content, tmp_path):
    assert run_cli("--only", "anki,docx").status == 2
    assert run_cli("--no-such-option").status == 2
    missing = run_cli("--content", example_content, "--templates", tmp_path / "none")
    assert missing.status == 2
    assert "templates folder does not exist" in missing.err


def test_bad_source_date_epoch_is_a_usage_error(run_cli, example_content, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = run_cli("--content", example_content, "--out", tmp_path / "dist")
    assert result.status == 2
    assert "SOURCE_DATE_EPOCH" in result.err


def test_check_writes_nothing(run_cli, example_content, tmp_path):
    before = snapshot(example_content)
    result = run_cli("--content", example_content, "--out", tmp_path / "dist", "--check")
    assert result.status == 0
    assert "checked 1 deck(s), 4 cards: no errors" in result.out
    assert not (tmp_path / "dist").exists()
    assert snapshot(example_content) == before


def test_json_output_holds_the_whole_model(run_cli, example_content, tmp_path):
    out = tmp_path / "dist"
    result = run_cli("--content", example_content, "--out", out, "--only", "json")
    assert result.status == 0
    assert f"wrote {out / 'networking-basics.json'} (4 cards, " in result.out
    data = json.loads((out / "networking-basics.json").read_text())
    assert data["schema"] == 1
    assert data["card_count"] == 4
    deck = data["deck"]
    assert (deck["key"], deck["paper"]) == ("networking-basics", "letter")
    kinds = [c["kind"] for s in deck["sections"] for c in s["cards"]]
    assert kinds == ["basic", "cloze", "reversed", "basic"]
    first = deck["sections"][0]["cards"][0]
    assert first["id"] == "ordered-delivery" and first["anchor"] == "card-ordered-delivery"
    assert first["callouts"][0]["kind"] == "tip"
    assert first["location"] == {"path": "networking.md", "line": 18, "col": 1}
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == [
        "networking-basics.json"
    ]


def test_quiet_prints_nothing_on_success(run_cli, example_content, tmp_path):
    result = run_cli("--content", example_content, "--out", tmp_path / "d", "--only", "json", "-q")
    assert result.status == 0
    assert result.out == ""


def test_auto_ids_are_recorded_and_kept(run_cli, example_content, tmp_path):
    run_cli("--content", example_content, "--out", tmp_path / "a", "--only", "json")
    lock = example_content / "networking.lock"
    assert lock.is_file()
    first = lock.read_bytes()
    text = example_content / "networking.md"
    edited = text.read_text().replace(
        "A 16-bit number that tells which process", "A 16-bit number naming the process"
    )
    text.write_text(edited)
    run_cli("--content", example_content, "--out", tmp_path / "b", "--only", "json")
    ids = [
        [c["id"] for s in json.loads(p.read_text())["deck"]["sections"] for c in s["cards"]]
        for p in (
            tmp_path / "a" / "networking-basics.json",
            tmp_path / "b" / "networking-basics.json",
        )
    ]
    assert ids[0] == ids[1]
    assert lock.read_bytes() != first  # the answer hash moved with the edit


def test_build_py_runs_as_a_script(example_content, tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "--content",
            str(example_content),
            "--out",
            str(tmp_path / "dist"),
            "--only",
            "json",
            "--templates",
            str(ROOT / "templates"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dist" / "networking-basics.json").is_file()


def test_content_error_exit_1_without_traceback(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "bad.md").write_text("## no front matter\n")
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "--content",
            str(content),
            "--out",
            str(tmp_path / "dist"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 1
    # The content folder is outside the current folder: its path is absolute.
    assert result.stderr.startswith(f"{content}/bad.md:1:1: error: missing front matter")
    assert "Traceback" not in result.stderr
    assert not Path(tmp_path / "dist").exists()


def test_removed_cards_are_reported_with_an_anki_search(run_cli, example_content, tmp_path):
    assert (
        run_cli("--content", example_content, "--out", tmp_path / "a", "--only", "json").status == 0
    )
    deck = example_content / "networking.md"
    text = deck.read_text()
    start = text.index("### Port")
    deck.write_text(text[:start] + text[text.index("## Tools") :])
    result = run_cli("--content", example_content, "--out", tmp_path / "b", "--only", "json")
    assert result.status == 0
    assert "networking-basics: 1 card(s) removed since the last build: port." in result.out
    assert '"tag:cardpress::networking-basics" ("Id:port")' in result.out
    again = run_cli("--content", example_content, "--out", tmp_path / "c", "--only", "json")
    assert "removed since" not in again.out


def test_a_kind_change_is_reported_with_the_search_for_the_old_note(
    run_cli, example_content, tmp_path
):
    assert (
        run_cli("--content", example_content, "--out", tmp_path / "a", "--only", "json").status == 0
    )
    deck = example_content / "networking.md"
    deck.write_text(deck.read_text().replace("<!-- kind: reversed -->", "<!-- kind: basic -->"))
    result = run_cli("--content", example_content, "--out", tmp_path / "b", "--only", "json")
    assert result.status == 0
    assert "networking-basics: card port changed from reversed to basic" in result.out
    assert '"note:cardpress basic and reversed"' in result.out


def test_a_lock_written_before_kinds_were_recorded_reports_no_kind_change(
    run_cli, example_content, tmp_path
):
    assert (
        run_cli("--content", example_content, "--out", tmp_path / "a", "--only", "json").status == 0
    )
    lock = example_content / "networking.lock"
    data = lock_data(lock)
    data["cardpress_lock"] = 1
    for entry in data["cards"].values():
        del entry["kind"]
    write_old_lock(lock, data)
    result = run_cli("--content", example_content, "--out", tmp_path / "b", "--only", "json")
    assert result.status == 0
    assert "changed from" not in result.out
    assert all(entry["kind"] for entry in lock_data(lock)["cards"].values())


def test_build_subcommand_is_the_plain_build(run_cli, example_content, tmp_path):
    plain = run_cli("--content", example_content, "--out", tmp_path / "a", "--only", "json")
    named = run_cli(
        "build", "--content", example_content, "--out", tmp_path / "b", "--only", "json"
    )
    assert (plain.status, named.status) == (0, 0)
    name = "networking-basics.json"
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    helped = run_cli("build", "--help")
    assert helped.status == 0 and "usage: cardpress build" in helped.out
    assert "build:" in run_cli("--help").out
