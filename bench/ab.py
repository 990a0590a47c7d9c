"""Two versions of cardpress, built alternately on bench's generated deck of one size.

    git archive <commit> | tar -x -C /tmp/before
    .venv/bin/python bench/ab.py /tmp/before --cards 1000 --repeat 2 [--only pdf]

Each build runs on a fresh copy of the deck (no lock file yet), into an empty output folder
with an empty cache; printed: the wall time
and the CPU time (user and system of the build and the processes it waited for).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import run as bench  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path, help="the other version's source tree")
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", default="", help="formats to build (default: a full build)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cardpress-ab-"))
    content = bench.generate(work, args.cards)
    trees = {"before": args.before, "after": ROOT}
    for _ in range(args.repeat):
        for name, tree in trees.items():
            out, cache = work / f"out-{name}", work / f"cache-{name}"
            own = work / f"content-{name}"  # a fresh copy: each version writes its own lock
            for folder in (out, cache, own):
                shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(content, own)
            command = [sys.executable, str(tree / "build.py"), "--content", str(own)]
            command += ["--out", str(out), "--templates", str(tree / "templates")]
            command += ["--only", args.only] if args.only else []
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
            subprocess.run(command, env=env, check=True, capture_output=True)
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            load = os.getloadavg()[0]
            print(f"{name}: wall {wall:.2f} s, CPU {cpu:.2f} s, load {load:.1f}", flush=True)


if __name__ == "__main__":
    main()
