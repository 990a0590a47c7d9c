"""Benchmark of ``cardpress import details`` on a synthetic interview repository.

Generates 3,500 ``<details>`` questions in 40 ``topics/*/README.md`` files, shaped like
the big interview repositories (about 20% empty answers, questions repeated across
sections, summaries over several lines with lists, inline HTML, the ``<br><b>``
wrapper, ``$VAR`` in shell answers, images), then measures as whole processes:

- **import**: ``cardpress import details`` into an empty deck folder;
- **import again**: the same import with nothing changed (writes nothing);
- **build**: all four outputs of the imported deck, which must succeed.

Run: ``.venv/bin/python bench/import_details.py [--repeat 3] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = 3500
FILES = 40
WORDS = [
    "cache",
    "queue",
    "lock",
    "thread",
    "socket",
    "kernel",
    "shell",
    "pipe",
    "route",
    "policy",
    "token",
    "cluster",
    "pod",
    "node",
    "volume",
    "image",
    "layer",
    "registry",
    "build",
    "deploy",
    "rollback",
    "probe",
    "metric",
    "alert",
    "trace",
    "log",
    "shard",
]


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x10\x20\x30"))
        + chunk(b"IEND", b"")
    )


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def block(rng: random.Random, number: int, repeated: str) -> str:
    shape = number % 10
    if shape == 0:
        summary = repeated  # the same question in another section
    elif shape == 1:
        summary = (
            f"Which of these is a {words(rng, 2)}?\n\n  * {words(rng, 2)}\n  * {words(rng, 3)}\n"
        )
    elif shape == 2:
        summary = f"What does <code>{rng.choice(WORDS)} --{rng.choice(WORDS)}</code> do ({number})?"
    else:
        summary = f"What is a {words(rng, 3)} <b>{rng.choice(WORDS)}</b> ({number})?"
    if rng.random() < 0.2:
        answer = ""
    elif shape == 3:
        answer = f'Run `echo $HOME` or echo $PATH_{number}; see <a href="https://example.org/{number}">notes</a>.'
    elif shape == 4:
        answer = f"{words(rng, 12)}.\n\n```\n{rng.choice(WORDS)} --all\n$VAR_{number}\n```\n"
    elif shape == 5:
        answer = f"{words(rng, 8)}.\n\n![diagram](images/diagram.png)\n"
    else:
        answer = "\n".join(f"* {words(rng, rng.randint(4, 12))}" for _ in range(rng.randint(1, 4)))
    return f"<details>\n<summary>{summary}</summary><br><b>\n\n{answer}\n</b></details>\n"


def generate(folder: Path) -> Path:
    rng = random.Random(15)
    topics = folder / "repo" / "topics"
    per_file = [QUESTIONS // FILES + (1 if i < QUESTIONS % FILES else 0) for i in range(FILES)]
    number = 0
    for index, count in enumerate(per_file):
        topic = topics / f"topic-{index:02d}"
        (topic / "images").mkdir(parents=True)
        (topic / "images" / "diagram.png").write_bytes(png())
        lines = [f"# Topic {index}\n", "## Questions\n"]
        for part in range(4):
            lines.append(f"### Part {part}\n")
            for _ in range(count // 4 + (1 if part < count % 4 else 0)):
                lines.append(block(rng, number, "What does a container share with its host?"))
                number += 1
        (topic / "README.md").write_text("\n".join(lines), encoding="utf-8")
    assert number == QUESTIONS
    return topics


def timed(args: list[str], cwd: Path) -> tuple[float, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cardpress", *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"cardpress {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the generated repository and deck here")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="cardpress-bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    topics = generate(work)
    load = os.getloadavg()[0]
    imports, agains = [], []
    report = ""
    for _ in range(args.repeat):
        shutil.rmtree(work / "content", ignore_errors=True)
        seconds, report = timed(["import", "details", str(topics), "--to", "content/bench"], work)
        imports.append(seconds)
        agains.append(timed(["import", "details", str(topics), "--to", "content/bench"], work)[0])
    build, _ = timed(["--content", "content", "--out", "dist", "-q"], work)
    outputs = sorted(p.name for p in (work / "dist").iterdir())
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(
        f"{QUESTIONS} questions in {FILES} files; load average {load:.1f}; {os.cpu_count()} cores"
    )
    print(report.rstrip().split("\n")[1])
    print(f"import (median of {args.repeat}): {statistics.median(imports):.2f} s")
    print(f"import again, nothing changed: {statistics.median(agains):.2f} s")
    print(f"build of all four outputs: {build:.1f} s -> {', '.join(outputs)}")
    print(f"peak memory of one process: {peak} MB")
    if not args.keep:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
