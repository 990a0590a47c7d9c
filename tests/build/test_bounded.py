"""Bounded work and bounded reports: what hostile content can cost is limited."""

from __future__ import annotations

import contextlib
import os
import resource
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import genanki
import pytest

from cardpress.errors import MAX_SHOWN_PER_FILE
from cardpress.renderers.pdf.sheet import CPU_SECONDS_VARIABLE
from tests.conftest import ROOT, TEMPLATES

FRONT = "---\ntitle: T\nid: t\n---\n## S\n\n### Q\n\n"


def test_thousands_of_warnings_are_summarised(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    monkeypatch.chdir(content)  # paths are shown from here
    tags = 3_000
    (content / "t.md").write_text(FRONT + "A " + "<x>" * tags + "\n\n### R\n\nB <y>\n")
    first = run_cli("--content", content, "--out", tmp_path / "dist", "--only", "json")
    assert first.status == 0, first.err
    lines = first.err.splitlines()
    assert len(lines) == MAX_SHOWN_PER_FILE + 1
    assert lines[0] == "t.md:9:3: warning: raw HTML '<x>' is shown as text"
    assert lines[-1] == (
        f"t.md: warning: {tags + 1 - MAX_SHOWN_PER_FILE} more problem(s) in this file not "
        f"shown (0 error(s), {tags + 1 - MAX_SHOWN_PER_FILE} warning(s))"
    )
    again = run_cli("--content", content, "--out", tmp_path / "dist", "--only", "json")
    assert "nothing to do" in again.out
    assert again.err == first.err  # the no-op build repeats the same short report
    strict = run_cli("--content", content, "--out", tmp_path / "strict", "--strict")
    assert strict.status == 1
    assert strict.err.splitlines()[-2] == (
        f"t.md: error: {tags + 1 - MAX_SHOWN_PER_FILE} more problem(s) in this file not "
        f"shown ({tags + 1 - MAX_SHOWN_PER_FILE} error(s), 0 warning(s))"
    )
    assert (
        strict.err.splitlines()[-1]
        == f"cardpress: {tags + 1} error(s), 0 warning(s); nothing written"
    )


def build_capped(
    content: Path, out: Path, only: str, cpu_seconds: str
) -> subprocess.CompletedProcess[str]:
    """A build in a process with 3 GB of address space and, for the PDF, a layout budget."""
    command = [sys.executable, str(ROOT / "build.py"), "--content", str(content)]
    command += ["--out", str(out), "--only", only, "--templates", str(TEMPLATES), "-q"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), CPU_SECONDS_VARIABLE: cpu_seconds}
    return subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)),
        check=False,
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("*a**a*" * 400, id="a word of 800 emphasised letters"),
        pytest.param(
            "|" + "a|" * 3000 + "\n|" + "-|" * 3000 + "\n|" + "b|" * 3000, id="3000 columns"
        ),
    ],
)
def test_a_layout_past_its_processor_time_is_an_error(body: str, tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "t.md").write_text(FRONT + "A.\n\n" + body + "\n")
    out = tmp_path / "dist"
    result = build_capped(content, out, "anki,pdf,html", cpu_seconds="1")
    assert result.returncode == 1, result.stderr
    *warnings, error = result.stderr.splitlines(keepends=True)
    assert all(": warning: " in line for line in warnings), result.stderr  # e.g. too wide
    assert error == (
        "cardpress: error: t.pdf: laying out the cheat sheet took more than 1.1 s of processor "
        "time, the limit for 1 card(s); the card with the most markup is at t.md:7:1: split or "
        "simplify it\n"
    )
    assert not out.exists() or not any(out.iterdir())  # no output, no temporary file


def test_thousands_of_links_in_one_line_make_an_anki_package(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """genanki's check for invalid tags scans to the end of the line for every tag with
    attributes (quadratic in a long line: 150,000 links took minutes); the package is
    written without it."""

    def quadratic(*args: object) -> None:
        raise AssertionError("genanki's invalid-tag scan ran")

    monkeypatch.setattr(genanki.Note, "_find_invalid_html_tags_in_field", quadratic)
    content = tmp_path / "content"
    content.mkdir()
    links = " ".join(f"[l{i}](https://example.com/{i})" for i in range(5_000))
    (content / "t.md").write_text(FRONT + "A " + links + "\n")
    out = tmp_path / "dist"
    result = run_cli("--content", content, "--out", out, "--only", "anki")
    assert result.status == 0, result.err
    with zipfile.ZipFile(out / "t.apkg") as package:
        collection = tmp_path / "collection.anki2"
        collection.write_bytes(package.read("collection.anki2"))
    with contextlib.closing(sqlite3.connect(collection)) as db:
        (fields,) = db.execute("SELECT flds FROM notes").fetchone()
    assert fields.count('<a href="https://example.com/') == 5_000
