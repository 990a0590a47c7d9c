"""A build killed with SIGTERM or SIGKILL leaves no PDF worker behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEMPLATES

DECK = "aws-devops"


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid``."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    found: set[int] = set()
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def alive(pid: int) -> bool:
    """Running, as opposed to ended (gone, or a zombie nobody has reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_the_pdf_worker_ends_with_its_build(sig: signal.Signals, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / DECK, content / DECK)
    command = [sys.executable, str(ROOT / "build.py"), "--content", str(content)]
    command += ["--out", str(tmp_path / "dist"), "--templates", str(TEMPLATES), "-q"]
    build = subprocess.Popen(
        command,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    workers: set[int] = set()
    try:
        assert wait_until(lambda: bool(descendants(build.pid)) or build.poll() is not None, 60)
        workers = descendants(build.pid)
        assert workers, "the build started no worker"
        build.send_signal(sig)  # the build alone, not its process group
        build.wait(timeout=60)
        assert wait_until(lambda: not any(alive(pid) for pid in workers), 30), (
            f"workers still running after the build ended: {sorted(workers)}"
        )
    finally:
        for pid in workers | {build.pid}:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        build.wait(timeout=60)
