#!/usr/bin/env python3
"""Benchmark cardpress against the limits of its libraries, in one run.

For synthetic decks of 100, 1,000 and 10,000 cards it measures whole-process wall time
(median of several runs) and peak memory (resident set of the process tree, sampled) of:
a full build, the Anki deck and HTML page only, a no-op rebuild and a one-card-edit
rebuild; and, as baselines, genanki writing the same notes from already-parsed data and
WeasyPrint rendering the same cheat sheet as one document.

    .venv/bin/python bench/run.py                 # 100, 1,000 and 10,000 cards
    .venv/bin/python bench/run.py --sizes 100,1000 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CARDS_PER_SECTION = 40
LOAD_BEFORE = 0.0

WORDS = [
    "pipeline",
    "stage",
    "artifact",
    "role",
    "policy",
    "bucket",
    "cluster",
    "task",
    "service",
    "subnet",
    "gateway",
    "endpoint",
    "template",
    "stack",
    "change",
    "rollback",
    "deploy",
    "build",
    "cache",
    "secret",
    "token",
    "region",
    "replica",
    "queue",
    "topic",
    "alarm",
    "metric",
    "trace",
    "log",
    "shard",
    "index",
    "node",
    "pod",
    "container",
    "image",
]

GENANKI_BASELINE = """
import json, sys, genanki
data = json.load(open(sys.argv[1]))["deck"]
model = genanki.Model(1607392319, "Basic", fields=[{"name": "Q"}, {"name": "A"}],
    templates=[{"name": "Card 1", "qfmt": "{{Q}}", "afmt": "{{FrontSide}}<hr>{{A}}"}])
deck = genanki.Deck(2059400110, data["title"])
for section in data["sections"]:
    for card in section["cards"]:
        answer = card["answer"]["html"] + card["details"]["html"] + card["cloze"]["html"]
        deck.add_note(genanki.Note(model=model, fields=[card["question"]["html"], answer],
                                   guid=genanki.guid_for(card["id"])))
genanki.Package(deck).write_to_file(sys.argv[2], timestamp=0)
"""

WEASYPRINT_BASELINE = """
import sys, time
from pathlib import Path
import weasyprint
from cardpress.parse import load_content
from cardpress.renderers import RenderContext
from cardpress.renderers.pdf_html import sheet_html, whole_sheet
deck = load_content(Path(sys.argv[1]))[0]
context = RenderContext(content_dir=Path(sys.argv[1]).resolve(),
    templates_dir=Path(sys.argv[3]).resolve(), build_time=0, version="bench")
html = sheet_html(deck, context, whole_sheet(deck))
weasyprint.HTML(string=html, base_url=str(Path(sys.argv[3]) / "pdf")).write_pdf(sys.argv[2])
"""


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def card_markdown(rng: random.Random, number: int) -> str:
    kind = "cloze" if number % 10 == 3 else "reversed" if number % 15 == 7 else "basic"
    lines = [f"### {sentence(rng, 7)} number {number}?"]
    if kind != "basic":
        lines.append(f"<!-- kind: {kind} -->")
    lines.append("")
    if kind == "cloze":
        lines.append(
            f"The {{{{{rng.choice(WORDS)}}}}} sends {sentence(rng, 6).lower()} "
            f"to the {{{{{rng.choice(WORDS)}}}}}."
        )
    else:
        lines.append(f"{sentence(rng, 14)} with `{rng.choice(WORDS)}-{number}`.")
    lines.append("")
    shape = number % 4
    if shape == 0:
        lines += [f"- {sentence(rng, 6)}" for _ in range(3)]
    elif shape == 1:
        lines += [
            "```python",
            f"def {rng.choice(WORDS)}_{number}(event):",
            f"    return {{'{rng.choice(WORDS)}': event['{rng.choice(WORDS)}']}}",
            "```",
        ]
    elif shape == 2:
        lines += ["| option | effect |", "| --- | --- |"]
        lines += [f"| `{rng.choice(WORDS)}` | {sentence(rng, 5)} |" for _ in range(3)]
    else:
        lines += [
            "```bash",
            f"aws {rng.choice(WORDS)} describe-{rng.choice(WORDS)}s --{rng.choice(WORDS)} {number}",
            "```",
        ]
    if number % 9 == 0:
        lines += ["", "> [!TIP]", f"> {sentence(rng, 10)}."]
    lines.append("")
    return "\n".join(lines)


def generate(folder: Path, cards: int) -> Path:
    """A deck folder of ``cards`` cards, one file per section of 40 cards."""
    rng = random.Random(cards)
    deck = folder / "content" / "synthetic"
    deck.mkdir(parents=True)
    (deck / "index.md").write_text(
        f"---\ntitle: Synthetic {cards}\nid: synthetic\ndescription: Bench deck.\n"
        "tags: [bench]\n---\n\nA generated deck.\n"
    )
    for start in range(0, cards, CARDS_PER_SECTION):
        body = [f"## Section {start // CARDS_PER_SECTION + 1:04d}", "", sentence(rng, 12) + ".", ""]
        body += [card_markdown(rng, n) for n in range(start, min(cards, start + CARDS_PER_SECTION))]
        (deck / f"{start // CARDS_PER_SECTION:04d}.md").write_text("\n".join(body))
    return folder / "content"


@dataclass
class Sample:
    seconds: float
    peak_mb: float


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def run(args: list[str], env: dict[str, str] | None = None) -> Sample:
    started = time.perf_counter()
    process = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_kb(process.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{process.stderr.read().decode()}")
    return Sample(seconds, peak / 1024)


def median(samples: list[Sample]) -> Sample:
    return Sample(statistics.median(s.seconds for s in samples), max(s.peak_mb for s in samples))


def bench_size(cards: int, repeat: int, work: Path) -> dict[str, Sample]:
    folder = work / str(cards)
    content = generate(folder, cards)
    out = folder / "dist"
    templates = ROOT / "templates"
    build = [
        PYTHON,
        str(ROOT / "build.py"),
        "--content",
        str(content),
        "--out",
        str(out),
        "--templates",
        str(templates),
        "-q",
    ]
    times = repeat if cards <= 1000 else 1
    run([*build, "--only", "json"])  # assigns ids once: every later build reads the lock
    results: dict[str, Sample] = {}

    def cold(extra: list[str]) -> Sample:
        samples = []
        for _ in range(times):
            shutil.rmtree(out, ignore_errors=True)
            samples.append(run([*build, *extra]))
        return median(samples)

    results["deck and HTML"] = cold(["--only", "anki,html"])
    results["full build"] = cold([])
    results["no-op rebuild"] = median([run(build) for _ in range(max(times, 3))])
    edited = content / "synthetic" / "0000.md"
    original = edited.read_text()
    samples = []
    for i in range(times):
        edited.write_text(original.replace("number 1?\n\n", f"number 1?\n\nEdited {i}: "))
        samples.append(run(build))
    edited.write_text(original)
    results["one-card edit"] = median(samples)

    model = out / "synthetic.json"
    results["baseline: genanki"] = median(
        [
            run([PYTHON, "-c", GENANKI_BASELINE, str(model), str(folder / "base.apkg")])
            for _ in range(times)
        ]
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    results["baseline: WeasyPrint, one document"] = median(
        [
            run(
                [
                    PYTHON,
                    "-c",
                    WEASYPRINT_BASELINE,
                    str(content),
                    str(folder / "base.pdf"),
                    str(templates),
                ],
                env,
            )
            for _ in range(1 if cards > 100 else times)
        ]
    )
    return results


def report(all_results: dict[int, dict[str, Sample]]) -> str:
    lines = [
        "| cards | measurement | median wall time | peak memory |",
        "| ---: | --- | ---: | ---: |",
    ]
    for cards, results in all_results.items():
        for name, sample in results.items():
            lines.append(
                f"| {cards:,} | {name} | {sample.seconds:.2f} s | {sample.peak_mb:.0f} MB |"
            )
    lines += [
        "",
        "| cards | target | measured | limit | met |",
        "| ---: | --- | ---: | ---: | --- |",
    ]
    # The targets: ratios at 1,000 cards, the no-op everywhere, memory at 10,000.
    targets: list[tuple[int, str, float, float, str]] = []
    for cards, r in all_results.items():
        targets.append((cards, "no-op rebuild", r["no-op rebuild"].seconds, 0.3, " s"))
        if cards == 1000:
            genanki = r["baseline: genanki"].seconds
            weasyprint = r["baseline: WeasyPrint, one document"].seconds
            full = r["full build"].seconds
            targets += [
                (cards, "deck and HTML / genanki", r["deck and HTML"].seconds / genanki, 2.0, "x"),
                (cards, "full build / WeasyPrint one document", full / weasyprint, 0.6, "x"),
                (cards, "one-card edit / full build", r["one-card edit"].seconds / full, 0.15, "x"),
            ]
        if cards == 10000:
            targets.append((cards, "full build peak memory", r["full build"].peak_mb, 1024, " MB"))
    for cards, name, value, limit, unit in targets:
        lines.append(
            f"| {cards:,} | {name} | {value:.2f}{unit} | {limit}{unit} | "
            f"{'yes' if value <= limit else 'no'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the generated decks in this folder")
    args = parser.parse_args()
    global LOAD_BEFORE
    LOAD_BEFORE = os.getloadavg()[0]
    work = args.keep or Path(tempfile.mkdtemp(prefix="cardpress-bench-"))
    all_results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"benchmarking {size:,} cards...", file=sys.stderr, flush=True)
        all_results[size] = bench_size(size, args.repeat, work)
        print(report({size: all_results[size]}), file=sys.stderr, flush=True)
    print(f"load average before the run: {LOAD_BEFORE:.2f}; cores: {os.cpu_count()}\n")
    print(report(all_results))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
