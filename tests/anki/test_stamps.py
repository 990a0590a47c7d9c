"""The lock's Anki stamps and the package's bytes do not depend on which other formats
were built in the same run, nor on whether the output folder survived."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import pytest

from cardpress.renderers import FORMATS

# Where the Anki renderer runs (here, or beside another format in the worker process)
# depends on which formats with a worker are built with it, and on whether anything else
# is: so every combination of Anki, the formats with a worker and two without one, then
# every format at once.
WITH_WORKER = [fmt for fmt, row in FORMATS.items() if row.worker and fmt != "anki"]
WITHOUT_WORKER = [fmt for fmt, row in FORMATS.items() if not row.worker][:2]
COMBINATIONS = [
    ",".join(combo)
    for n in range(1, len(WITH_WORKER) + len(WITHOUT_WORKER) + 2)
    for combo in itertools.combinations(["anki", *WITH_WORKER, *WITHOUT_WORKER], n)
] + [",".join(FORMATS)]
LOCK = "networking.lock"
PACKAGE = "networking-basics.apkg"


@pytest.fixture
def edited(run_cli, example_content: Path, tmp_path, monkeypatch) -> Path:
    """A deck built once long ago, then edited: some notes changed, others did not."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    from cardpress.cli import main

    args = ["--content", str(example_content), "--out", str(tmp_path / "v1"), "--only", "anki"]
    assert main([*args, "-q"]) == 0
    markdown = example_content / "networking.md"
    text = markdown.read_text(encoding="utf-8")
    edited_text = text.replace(
        "### How do you list listening TCP sockets on Linux?",
        "### Which command lists the listening TCP sockets on Linux?",
    )
    assert edited_text != text
    markdown.write_text(edited_text, encoding="utf-8")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    return example_content


@pytest.mark.slow
def test_every_only_combination_records_the_same_stamps_and_bytes(
    run_cli, edited, tmp_path, monkeypatch
):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # the second core renders PDF or Anki
    locks: dict[str, bytes] = {}
    packages: dict[str, bytes] = {}
    for only in COMBINATIONS:
        content = tmp_path / f"content-{only}"
        shutil.copytree(edited, content)
        out = tmp_path / f"dist-{only}"
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
        result = run_cli("--content", content, "--out", out, "--only", only)
        assert result.status == 0, result.err
        locks[only] = (content / LOCK).read_bytes()
        built = (out / PACKAGE).read_bytes() if "anki" in only else None

        # rm -rf dist, then rebuild much later with the same content: nothing moves.
        shutil.rmtree(out)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1900000000")
        result = run_cli("--content", content, "--out", out, "--only", only)
        assert result.status == 0, result.err
        assert (content / LOCK).read_bytes() == locks[only], only
        if built is not None:
            assert (out / PACKAGE).read_bytes() == built, only
            packages[only] = built

    with_anki = [only for only in COMBINATIONS if "anki" in only]
    assert len(with_anki) == 2 ** (len(WITH_WORKER) + len(WITHOUT_WORKER)) + 1
    assert {locks[only] for only in with_anki} == {locks["anki"]}
    assert {packages[only] for only in with_anki} == {packages["anki"]}
    assert b'"modified": 1800000000' in locks["anki"]  # the edited note got the new stamp
