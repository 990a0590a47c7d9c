"""Ctrl-C at any moment of a cardpress process ends with one line and status 130, never
a traceback and never a success: as soon as the command starts (nothing loaded yet), once
its exit status is decided, and while the interpreter shuts down. Each Ctrl-C comes at a
point the process announces and holds (``cardpress.build.interrupts.hold``), so none
depends on timing. The build's own points are in tests/build/test_interrupts.py, the
sync's in tests/anki/test_sync_faults.py."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, snapshot
from tests.support.interrupt_support import interrupted_at

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
HOW = {
    "python -m cardpress": [sys.executable, "-m", "cardpress"],
    "build.py": [sys.executable, str(ROOT / "build.py")],
}


def build_command(how: str, content: Path, out: Path) -> list[str | Path]:
    return [*HOW[how], "--content", content, "--out", out, "--only", "json"]


@pytest.mark.parametrize("how", HOW)
def test_ctrl_c_as_the_command_starts_writes_nothing(how, example_content, tmp_path):
    done = interrupted_at(
        build_command(how, example_content, tmp_path / "dist"), "started", tmp_path / "held", ENV
    )
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "cardpress: interrupted\n")
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize("point", ["finished", "shut-down"])
@pytest.mark.parametrize("how", HOW)
def test_ctrl_c_after_the_work_is_not_a_success(how, point, example_content, tmp_path):
    """The outputs are written and said so, but the user interrupted: status 130."""
    out = tmp_path / "dist"
    done = interrupted_at(build_command(how, example_content, out), point, tmp_path / "held", ENV)
    assert done.returncode == 130, done.stderr
    assert done.stderr.endswith("cardpress: interrupted\n"), done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert "wrote" in done.stdout and "networking-basics.json" in done.stdout
    assert list(snapshot(out)) == ["networking-basics.json"]


@pytest.mark.parametrize("argument", ["--help", "--no-such-option"])
def test_ctrl_c_after_help_or_a_usage_error_is_one_line(argument, tmp_path):
    """argparse's own exit (SystemExit) ends through the same shut-down."""
    done = interrupted_at(
        [*HOW["python -m cardpress"], argument], "shut-down", tmp_path / "held", ENV
    )
    assert done.returncode == 130, done.stderr
    assert "usage: cardpress" in done.stdout + done.stderr
    assert done.stderr.endswith("cardpress: interrupted\n") and "Traceback" not in done.stderr


def test_a_command_whose_parent_ignores_ctrl_c_ignores_it_too(example_content, tmp_path):
    """A background job started with Ctrl-C ignored goes on to the end."""
    done = interrupted_at(
        build_command("python -m cardpress", example_content, tmp_path / "dist"),
        "started",
        tmp_path / "held",
        ENV,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        release=True,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "dist" / "networking-basics.json").is_file()
