"""Where one `--only anki` build spends its CPU: the stage table of bench/README.md.

    .venv/bin/python bench/stages.py [--sizes 1000,10000] [--repeat 3]

For each size it generates the benchmark's synthetic deck (``run.generate``), then runs,
each in a fresh process with its own cache folder: a cold build (no outputs, no caches)
and a one-card edit (the previous build's caches present). Each process first imports
every module the build would import along the way (the "imports" row), then builds with
timers (``time.process_time``, this process only) around each stage. No profiler:
cProfile inflates pure-Python code such as the lock's JSON several times over. The
parse worker on the other core is not counted: "reading the deck" is this process's
share. Medians of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import PYTHON, ROOT, generate, with_bytecode

STAGES = {  # row: (module, function or Class.method) timed
    "reading the deck (this process's share of the parse, the parse cache, the lock)": (
        "cardpress.parse.loader",
        "read_content",
    ),
    "Anki notes, worked out once for the renderer and the lock (fields, tags, GUIDs)": (
        "cardpress.build.jobs",
        "notes_to_write",
    ),
    "Anki renderer: package writer (SQLite collection, zip)": (
        "cardpress.anki.package",
        "write_package",
    ),
    "Anki renderer, whole (the writer stage)": ("cardpress.renderers.anki", "render"),
    "the lock's record of the package": ("cardpress.anki.record", "record_anki_package"),
    "reading the lock (the index and its parts)": ("cardpress.lock", "Lock.from_bytes"),
    "writing the lock (what changed of it, beside its place)": ("cardpress.lock", "Lock.stage"),
    "saving the parse cache": ("cardpress.parse.cache", "ParseCache.save"),
}
IMPORTS = [
    "cardpress.cli",
    "cardpress.parse.loader",
    "cardpress.parse.cache",
    "cardpress.parse.parallel",
    "cardpress.processes",
    "cardpress.build.jobs",
    "cardpress.renderers.anki",
    "cardpress.anki.changes",
    "cardpress.anki.report",
]

HARNESS = """
import importlib, json, sys, time
start = time.process_time()
for name in IMPORTS:
    importlib.import_module(name)
spent = {"imports (markdown-it-py, Jinja2, genanki, PyYAML, Pygments, cardpress)":
         time.process_time() - start}

def timed(row, module, attr):
    owner = importlib.import_module(module)
    *path, name = attr.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        began = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[row] = spent.get(row, 0.0) + time.process_time() - began
    setattr(owner, name, wrapper)
    for other in list(sys.modules.values()):  # names imported with "from ... import"
        if getattr(other, "__name__", "").startswith("cardpress") and not path:
            if getattr(other, name, None) is original:
                setattr(other, name, wrapper)

for row, (module, attr) in STAGES.items():
    timed(row, module, attr)
from cardpress import cli
status = cli.main(sys.argv[1:])
spent["whole build, imports included"] = time.process_time() - start
print(json.dumps(spent))
sys.exit(status)
"""


def measure(build: list[str], env: dict[str, str]) -> dict[str, float]:
    code = f"IMPORTS = {IMPORTS!r}\nSTAGES = {STAGES!r}\n{HARNESS}"
    done = subprocess.run(
        [PYTHON, "-c", code, *build], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(build)}\n{done.stderr}")
    spent: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return spent


def bench_size(cards: int, repeat: int, work: Path) -> dict[str, dict[str, float]]:
    folder = work / str(cards)
    content = generate(folder, cards)
    out, caches = folder / "dist", folder / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(caches), "PYTHONPATH": str(ROOT)}
    build = ["--content", str(content), "--out", str(out), "--only", "anki", "-q"]
    subprocess.run(
        [PYTHON, str(ROOT / "build.py"), *build[:4], "--only", "json", "--out", str(folder / "m")],
        env=env,
        check=True,
    )  # the lock, once
    edited = content / "synthetic" / "0000.md"
    original = edited.read_text()
    runs: dict[str, list[dict[str, float]]] = {"cold": [], "one-card edit": []}
    for i in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(caches, ignore_errors=True)
        runs["cold"].append(measure(build, env))
        edited.write_text(original.replace("number 1?\n\n", f"number 1?\n\nEdited {i}: "))
        runs["one-card edit"].append(measure(build, env))
        edited.write_text(original)
    return {
        kind: {row: statistics.median(run.get(row, 0.0) for run in group) for row in group[0]}
        for kind, group in runs.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with_bytecode()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="cardpress-stages-"))
    try:
        table = {size: bench_size(size, args.repeat, work) for size in sizes}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    columns = [(size, kind) for size in sizes for kind in ("cold", "one-card edit")]
    print(
        "| stage (CPU, main process) | "
        + " | ".join(f"{kind}, {size:,}" for size, kind in columns)
        + " |"
    )
    print("| --- |" + " ---: |" * len(columns))
    first = table[sizes[0]]["cold"]
    rows = [next(iter(first)), *STAGES, "whole build, imports included"]
    for row in rows:
        cells = [f"{table[size][kind].get(row, 0.0):.2f} s" for size, kind in columns]
        print(f"| {row} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
