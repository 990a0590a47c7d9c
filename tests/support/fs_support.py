"""Running a build where permissions apply, even when the tests run as root."""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, TEMPLATES

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2


def _drop_permission_overrides() -> None:
    """In the child, before exec: root loses the right to ignore file permissions."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _limit_file_size(limit: int) -> None:
    """In the child: no file may grow past ``limit`` bytes, and a write past it fails
    (EFBIG) instead of killing the process, as a full disk makes writes fail."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def build_with_permissions(
    *args: str | Path, file_size_limit: int | None = None
) -> subprocess.CompletedProcess[str]:
    """``build.py ARGS`` in a process that file permissions bind (and, if asked, that
    cannot write a file larger than ``file_size_limit``)."""

    def prepare() -> None:
        _drop_permission_overrides()
        if file_size_limit is not None:
            _limit_file_size(file_size_limit)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--templates", str(TEMPLATES), *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=prepare,
        check=False,
    )
