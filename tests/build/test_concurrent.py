"""Builds into one output folder at the same time: each waits for the one before it."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cardpress.caching import build_folder
from tests.conftest import ROOT, TEMPLATES, snapshot

DECK = "aws-devops"
ONLY = "anki,html,json"


def start(content: Path, out: Path) -> subprocess.Popen[str]:
    command = [sys.executable, str(ROOT / "build.py"), "--content", str(content)]
    command += ["--out", str(out), "--templates", str(TEMPLATES), "--only", ONLY]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1700000000"}
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_a_second_build_waits_for_the_first(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / DECK, content / DECK)
    out = tmp_path / "dist"
    folder = build_folder(out)
    folder.mkdir(parents=True)
    with open(folder / "build.lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a build under way
        build = start(content, out)
        assert build.stdout is not None
        first = build.stdout.readline()
        assert first == f"waiting for another build into {out} to finish\n"
        assert not out.exists()  # it waits before it writes anything
    _, stderr = build.communicate(timeout=300)
    assert build.returncode == 0, stderr
    assert (out / f"{DECK}.html").is_file()


def test_builds_started_together_all_finish(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / DECK, content / DECK)
    alone = tmp_path / "alone"
    shutil.copytree(content, tmp_path / "alone-content")
    single = start(tmp_path / "alone-content", alone)
    assert single.wait(timeout=300) == 0
    out = tmp_path / "dist"
    builds = [start(content, out) for _ in range(4)]
    for build in builds:
        _, stderr = build.communicate(timeout=300)
        assert build.returncode == 0, stderr
        assert "Traceback" not in stderr
    assert snapshot(out) == snapshot(alone)
