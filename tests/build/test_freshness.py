"""Reproducible outputs, no-op and incremental rebuilds, and --watch."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEMPLATES

ALL = "anki,pdf,html,json"
OUTPUTS = (
    "networking-basics.apkg",
    "networking-basics.pdf",
    "networking-basics.html",
    "networking-basics.json",
)


def outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


def test_same_input_gives_the_same_bytes(run_cli, example_content, tmp_path, monkeypatch):
    """Two copies of the content built with SOURCE_DATE_EPOCH give identical files."""
    copy = tmp_path / "copy"
    shutil.copytree(example_content, copy)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = run_cli("--content", example_content, "--out", tmp_path / "a", "--only", ALL)
    second = run_cli("--content", copy, "--out", tmp_path / "b", "--only", ALL)
    assert first.status == second.status == 0, first.err + second.err
    assert outputs(tmp_path / "a") == outputs(tmp_path / "b")
    assert (example_content / "networking.lock").read_bytes() == (
        copy / "networking.lock"
    ).read_bytes()


def test_rebuilding_from_the_same_lock_state_gives_the_same_bytes(
    run_cli, example_content, tmp_path
):
    """Without SOURCE_DATE_EPOCH the deck's date comes from the lock file, not the clock."""
    assert run_cli("--content", example_content, "--out", tmp_path / "a", "--only", ALL).status == 0
    lock = (example_content / "networking.lock").read_bytes()
    assert run_cli("--content", example_content, "--out", tmp_path / "b", "--only", ALL).status == 0
    assert outputs(tmp_path / "a") == outputs(tmp_path / "b")
    assert (example_content / "networking.lock").read_bytes() == lock


def test_no_op_rebuild_says_so_and_imports_nothing_heavy(example_content, tmp_path):
    out = tmp_path / "dist"
    args = ["--content", str(example_content), "--out", str(out), "--templates", str(TEMPLATES)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SOURCE_DATE_EPOCH", None)
    first = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    before = outputs(out)
    probe = (
        "import sys; sys.argv = ['cardpress', *sys.argv[1:]]\n"
        "from cardpress.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "names = ('weasyprint', 'genanki', 'markdown_it', 'jinja2')\n"
        "heavy = sorted(m for m in names if m in sys.modules)\n"
        "print('imported:', ','.join(heavy) or 'none')\n"
        "sys.exit(status)\n"
    )
    second = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env, check=False
    )
    assert second.returncode == 0, second.stderr
    assert "nothing to do: 4 output(s) of 1 deck(s) are up to date" in second.stdout
    assert "imported: none" in second.stdout
    assert outputs(out) == before


def test_only_outputs_whose_inputs_changed_are_rebuilt(run_cli, example_content, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    out = tmp_path / "dist"
    build = ("--content", example_content, "--out", out, "--templates", templates, "--only", ALL)
    assert run_cli(*build).status == 0
    before = outputs(out)

    html_template = next(p for p in sorted((templates / "html").rglob("*")) if p.is_file())
    html_template.write_text(html_template.read_text() + "\n")
    result = run_cli(*build)
    assert result.status == 0
    assert [line.split()[1] for line in result.out.splitlines() if line.startswith("wrote")] == [
        str(out / "networking-basics.html")
    ]
    assert "3 output(s) already up to date" in result.out
    after = outputs(out)
    assert {k for k in OUTPUTS if after[k] != before[k]} <= {"networking-basics.html"}

    (out / "networking-basics.json").write_text("damaged")
    result = run_cli(*build)
    assert [line.split()[1] for line in result.out.splitlines() if line.startswith("wrote")] == [
        str(out / "networking-basics.json")
    ]
    assert outputs(out)["networking-basics.json"] == before["networking-basics.json"]


def test_content_edit_rebuilds_every_output_of_that_deck(run_cli, example_content, tmp_path):
    other = example_content / "other.md"
    other.write_text("---\ntitle: Other\nid: other\n---\n## S\n\n### Q?\n\nA.\n")
    out = tmp_path / "dist"
    assert run_cli("--content", example_content, "--out", out, "--only", "json,html").status == 0
    deck = example_content / "networking.md"
    deck.write_text(deck.read_text().replace("16-bit number", "16-bit unsigned number"))
    result = run_cli("--content", example_content, "--out", out, "--only", "json,html")
    written = sorted(
        line.split()[1] for line in result.out.splitlines() if line.startswith("wrote")
    )
    assert written == [str(out / "networking-basics.html"), str(out / "networking-basics.json")]
    assert "16-bit unsigned number" in (out / "networking-basics.json").read_text()


def _reader(stream, lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def _wait_for(lines: queue.Queue[str], needle: str, seen: list[str]) -> None:
    """Read lines until one contains ``needle``; a generous guard against a hang only."""
    while True:
        try:
            line = lines.get(timeout=60)
        except queue.Empty:
            pytest.fail(f"no line with {needle!r} after: {''.join(seen)}")
        seen.append(line)
        if needle in line:
            return


def test_watch_rebuilds_on_save_and_survives_errors(example_content, tmp_path):
    out = tmp_path / "dist"
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "--watch",
            "--content",
            str(example_content),
            "--out",
            str(out),
            "--templates",
            str(TEMPLATES),
            "--only",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
    seen: list[str] = []
    deck = example_content / "networking.md"
    text = deck.read_text()
    try:
        _wait_for(lines, "watching for changes", seen)
        deck.write_text(text.replace("16-bit number", "sixteen-bit number"))
        _wait_for(lines, "changed: ", seen)
        _wait_for(lines, "wrote ", seen)
        _wait_for(lines, "watching for changes", seen)
        assert "sixteen-bit" in (out / "networking-basics.json").read_text()

        deck.write_text(text.replace("<!-- kind: reversed -->", "<!-- kind: sideways -->"))
        _wait_for(lines, "error: unknown card kind 'sideways'", seen)
        _wait_for(lines, "watching for changes", seen)
        assert "sixteen-bit" in (out / "networking-basics.json").read_text()

        deck.write_text(text)
        _wait_for(lines, "wrote ", seen)
        assert "sixteen-bit" not in (out / "networking-basics.json").read_text(), "".join(seen)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_finished_build_sweeps_temporary_files_a_killed_one_left(
    run_cli, example_content, tmp_path
):
    out = tmp_path / "dist"
    out.mkdir()
    left = out / ".networking-basics.json.abc123.tmp"
    left.write_text("half a file")
    os.utime(left, (1_000_000_000, 1_000_000_000))
    running = out / ".networking-basics.json.def456.tmp"  # as if a build were writing it now
    running.write_text("another build's file")
    os.utime(running, (4_000_000_000, 4_000_000_000))
    assert run_cli("--content", example_content, "--out", out, "--only", "json").status == 0
    assert not left.exists()
    assert running.exists()


def _same_size_edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (as long) and set the file's times back as they were."""
    assert len(old) == len(new)
    before = path.stat()
    path.write_text(path.read_text().replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


def test_an_edit_that_keeps_the_size_and_times_is_still_seen(run_cli, example_content, tmp_path):
    """A no-op build trusts a file it does not read only while its change time is the one
    recorded, and no program can set that back."""
    out = tmp_path / "dist"
    build = ("--content", example_content, "--out", out, "--only", "json")
    assert run_cli(*build).status == 0
    _same_size_edit(example_content / "networking.md", "16-bit number", "16-bit NUMBER")
    result = run_cli(*build)
    assert result.status == 0, result.err
    assert "nothing to do" not in result.out
    assert "16-bit NUMBER" in (out / "networking-basics.json").read_text()

    model = (out / "networking-basics.json").read_text()
    _same_size_edit(out / "networking-basics.json", "16-bit NUMBER", "16-bit number")
    result = run_cli(*build)
    assert "nothing to do" not in result.out
    assert (out / "networking-basics.json").read_text() == model


def test_touched_files_leave_a_no_op_and_a_no_op_reads_no_content(
    run_cli, example_content, tmp_path, monkeypatch
):
    """Files whose times changed but not their bytes (a checkout, a sync tool) are hashed
    and found unchanged; files untouched since the build are not read at all."""
    from cardpress.content.scan import ContentScan

    out = tmp_path / "dist"
    build = ("--content", example_content, "--out", out, "--only", "json,html")
    assert run_cli(*build).status == 0
    read: list[Path] = []
    load = ContentScan._load

    def counted(self: ContentScan, path: Path, limit: int, what: str):
        read.append(path)
        return load(self, path, limit, what)

    monkeypatch.setattr(ContentScan, "_load", counted)
    assert "nothing to do: 2 output(s)" in run_cli(*build).out
    assert read == []

    for path in [example_content / "networking.md", out / "networking-basics.json"]:
        os.utime(path)
    assert "nothing to do: 2 output(s)" in run_cli(*build).out
    assert [p.name for p in read] == ["networking.md"]
