"""A build killed at any moment leaves every output either old or new, never broken.

The AWS DevOps deck is built once (the old outputs), then edited and built again from
the same start (the new outputs). Each trial restores the old outputs and the edited
content, starts ``python build.py``, kills the whole process group with SIGKILL after a
delay (several of them while WeasyPrint lays out the PDF) and checks that each file in
dist/ and the lock file is byte for byte the old or the new version, that nothing but
temporary files (whose names start with '.') was added, and that the next build finishes
the job. Ctrl-C (SIGINT) exits with 130 wherever it comes; before the first output is
moved into place, it leaves the old outputs and the lock alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from cardpress.build.freshness import state_path
from cardpress.build.interrupts import HOLD_ENV, POINTS, hold
from tests.conftest import ROOT, TEMPLATES, snapshot
from tests.support.interrupt_support import with_ctrl_c

DECK = "aws-devops"
OUTPUTS = [f"{DECK}{suffix}" for suffix in (".apkg", ".pdf", ".html", ".json")]
LOCK = Path(DECK) / "cardpress.lock"
EDITED_FILE = Path(DECK) / "10-cicd.md"
PDF_TEMP_GLOB = f".{DECK}.pdf.*.tmp"
# Seconds after the start of the build, and after the PDF's temporary file appears; and
# how many times to kill it the moment the first output is renamed into place.
KILL_AFTER_START = [0.05, 0.9]
KILL_DURING_PDF = [0.3, 1.2, 2.0]
KILL_AT_COMMIT = 2
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PYTHONPATH": str(ROOT)}


def build_command(content: Path, dist: Path) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "build.py"),
        "--content",
        str(content),
        "--out",
        str(dist),
        "--templates",
        str(TEMPLATES),
        "-q",
    ]


def run_build(content: Path, dist: Path) -> None:
    result = subprocess.run(
        build_command(content, dist), env=ENV, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr


@dataclass
class Versions:
    """The edited content with the old lock, and the outputs and lock before and after."""

    content: Path  # edited Markdown, lock as the old build left it
    old_dist: dict[str, bytes]
    new_dist: dict[str, bytes]
    old_lock: bytes
    new_lock: bytes


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Versions:
    root = tmp_path_factory.mktemp("versions")
    content = root / "content"
    shutil.copytree(ROOT / "content" / DECK, content / DECK)
    run_build(content, root / "old")
    old_lock = (content / LOCK).read_bytes()
    edited = content / EDITED_FILE
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("CodePipeline", "AWS CodePipeline", 1), encoding="utf-8")
    shutil.copytree(content, root / "edited")
    new_dist = root / "new"
    shutil.copytree(root / "old", new_dist)
    run_build(content, new_dist)
    found = Versions(
        content=root / "edited",
        old_dist=snapshot(root / "old"),
        new_dist=snapshot(new_dist),
        old_lock=old_lock,
        new_lock=(content / LOCK).read_bytes(),
    )
    for name in OUTPUTS:
        assert found.old_dist[name] != found.new_dist[name], f"the edit must change {name}"
    return found


def start_trial(
    versions: Versions, where: Path, env: dict[str, str] | None = None
) -> tuple[Path, Path, subprocess.Popen[bytes]]:
    """Restore the old outputs and the edited content, and start a build."""
    content, dist = where / "content", where / "dist"
    shutil.copytree(versions.content, content)
    dist.mkdir()
    for name, data in versions.old_dist.items():
        (dist / name).parent.mkdir(parents=True, exist_ok=True)
        (dist / name).write_bytes(data)
    process = subprocess.Popen(
        build_command(content, dist),
        env={**ENV, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if env else subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the render worker dies with it
        preexec_fn=with_ctrl_c,  # even where the tests run with Ctrl-C ignored
    )
    return content, dist, process


def wait_for(predicate: Callable[[], bool], timeout: float = 120, pause: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(pause)
    return False


def replaced(dist: Path, inodes: dict[str, int]) -> bool:
    """Whether an output has been renamed into place since ``inodes`` were taken."""
    for name, inode in inodes.items():
        try:
            if (dist / name).stat().st_ino != inode:
                return True
        except FileNotFoundError:
            return True
    return False


def kill_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it had already finished
        os.killpg(process.pid, sig)


def killed_build(versions: Versions, where: Path, moment: str, delay: float) -> bool:
    """Start a build and SIGKILL it at the moment asked for; whether the PDF was under way."""
    _, dist, process = start_trial(versions, where)
    inodes = {name: (dist / name).stat().st_ino for name in OUTPUTS}

    def ended() -> bool:
        return process.poll() is not None

    try:
        if moment == "pdf":
            assert wait_for(lambda: any(dist.glob(PDF_TEMP_GLOB)) or ended())
        elif moment == "commit":
            assert wait_for(lambda: replaced(dist, inodes) or ended(), pause=0)
        time.sleep(delay)
        pdf_in_progress = any(dist.glob(PDF_TEMP_GLOB))
        kill_group(process, signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        kill_group(process, signal.SIGKILL)
    return pdf_in_progress


def check_old_or_new(versions: Versions, content: Path, dist: Path) -> str:
    """Assert every file is the old or the new version; say which (or 'mixed')."""
    seen = set()
    for path in sorted(dist.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(dist).as_posix()
        if name in versions.old_dist or name in versions.new_dist:
            data = path.read_bytes()
            is_old = data == versions.old_dist.get(name)
            is_new = data == versions.new_dist.get(name)
            assert is_old or is_new, f"{name} is neither the old nor the new version"
            seen.add("old" if is_old and not is_new else "new" if is_new and not is_old else "")
        else:
            assert path.name.startswith(".") and path.name.endswith(".tmp"), (
                f"{name} is not an output, nor a temporary file named as one"
            )
    for name in versions.old_dist:
        assert (dist / name).is_file(), f"{name} disappeared"
    lock = (content / LOCK).read_bytes()
    assert lock in (versions.old_lock, versions.new_lock)
    json.loads(lock)
    state = state_path(dist)
    if state.exists():
        json.loads(state.read_bytes())
    seen.discard("")
    return seen.pop() if len(seen) == 1 else "mixed" if seen else "same"


@pytest.mark.slow
def test_the_outputs_of_an_interrupted_build_are_old_or_new(
    versions: Versions, tmp_path: Path
) -> None:
    outcomes = []
    trials = [("start", d) for d in KILL_AFTER_START] + [("pdf", d) for d in KILL_DURING_PDF]
    trials += [("commit", 0.0)] * KILL_AT_COMMIT
    for number, (moment, delay) in enumerate(trials):
        where = tmp_path / f"trial-{number}"
        pdf_in_progress = killed_build(versions, where, moment, delay)
        content, dist = where / "content", where / "dist"
        outcome = check_old_or_new(versions, content, dist)
        outcomes.append((moment, delay, outcome, pdf_in_progress))
        run_build(content, dist)  # the next build finishes what the killed one began
        after = snapshot(dist)
        for name in OUTPUTS:
            assert after[name] == versions.new_dist[name], (moment, delay, name)
        assert (content / LOCK).read_bytes() == versions.new_lock
    print("kill outcomes (moment, delay, files, pdf in progress):", outcomes)
    interrupted = [o for o in outcomes if o[2] != "new"]
    during_pdf = [o for o in outcomes if o[3]]
    assert len(interrupted) >= 2, outcomes
    assert len(during_pdf) >= 2, outcomes
    assert any(o[2] != "old" for o in outcomes if o[0] == "commit"), outcomes


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_ctrl_c_exits_130_wherever_it_comes(point: str, versions: Versions, tmp_path: Path) -> None:
    """The build holds at a point it announces (``cardpress.build.interrupts.hold``), so the
    Ctrl-C comes exactly there: before any output is moved into place (the outputs and
    the lock stay as they were), after the outputs are moved, and after the lock and the
    build state are written. Never a success, and the next build finishes the job."""
    marker = tmp_path / "held"
    where = tmp_path / "trial"
    where.mkdir()
    content, dist, process = start_trial(versions, where, {HOLD_ENV: f"{point}:{marker}"})
    try:
        assert wait_for(lambda: marker.exists() or process.poll() is not None)
        assert process.poll() is None, "the build ended without holding"
        kill_group(process, signal.SIGINT)  # what Ctrl-C in a terminal sends
        status = process.wait(timeout=120)
        err = process.stderr.read().decode() if process.stderr else ""
    finally:
        kill_group(process, signal.SIGKILL)
    assert status == 130, err
    assert "Traceback" not in err, err
    lock = (content / LOCK).read_bytes()
    if point == "rendered":
        assert err.endswith("cardpress: interrupted; outputs left as they were\n"), err
        assert snapshot(dist) == versions.old_dist
        assert lock == versions.old_lock
    else:
        assert "cardpress: interrupted after writing " in err, err
        assert err.endswith("; run cardpress again to finish the build\n"), err
        assert snapshot(dist) == versions.new_dist
        assert lock == (versions.old_lock if point == "committed" else versions.new_lock)
    run_build(content, dist)
    assert snapshot(dist) == versions.new_dist
    assert (content / LOCK).read_bytes() == versions.new_lock


def test_without_the_hold_setting_a_build_holds_nowhere(tmp_path: Path) -> None:
    """The hook is inert in production: with no setting, or another point, no waiting."""
    hold("rendered")
    marker = tmp_path / "held"
    os.environ[HOLD_ENV] = f"committed:{marker}"
    try:
        hold("rendered")
    finally:
        del os.environ[HOLD_ENV]
    assert not marker.exists()
