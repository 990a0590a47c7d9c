#!/usr/bin/env python3
"""Benchmark cardpress against its peers and the limits of its libraries, in one run.

For synthetic decks of 100, 1,000 and 10,000 cards it measures whole-process wall time
(median of several runs, each baseline run paired with the build it is compared to: A B A
B) and peak memory (resident set of the process tree, sampled) of: the Anki deck alone
cold and after a one-card edit, the deck and HTML page, a full build, a no-op rebuild and
a one-card-edit rebuild; and, as baselines, ankdown (a Markdown-to-Anki peer) building the
same cards from its own Markdown format, genanki writing the same notes from
already-parsed data and WeasyPrint rendering the same cheat sheet as one document.

ankdown is installed from PyPI, pinned, into a venv of its own (never a project
dependency): ``bench/.ankdown-venv`` unless ``--ankdown-venv`` names another.

    .venv/bin/python bench/run.py                 # 100, 1,000 and 10,000 cards
    .venv/bin/python bench/run.py --sizes 1000 --repeat 5 --no-pdf
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
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
ANKDOWN_VERSION = "0.7.1"
GENANKI_VERSION = "0.13.1"

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
from cardpress.renderers.pdf.html import sheet_html, whole_sheet
deck = load_content(Path(sys.argv[1]))[0]
context = RenderContext(templates_dir=Path(sys.argv[3]).resolve(), build_time=0,
    version="bench")
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


def ankdown_markdown(text: str) -> str:
    """One cardpress section file in ankdown's format: front, ``%``, back; ``---`` between
    cards. The same questions and answers; the kind comments and headings have no place."""
    cards = []
    for block in text.split("\n### ")[1:]:
        question, _, body = block.partition("\n")
        body = re.sub(r"\A<!-- kind: \w+ -->\n", "", body).strip("\n")
        cards.append(f"{question}\n\n%\n\n{body}\n")
    return "\n---\n\n".join(cards)


def generate_ankdown(content: Path, folder: Path) -> Path:
    """The deck of ``content`` in ankdown's format, one file per section file."""
    deck = folder / "synthetic"
    deck.mkdir(parents=True)
    for source in sorted((content / "synthetic").glob("[0-9]*.md")):
        (deck / source.name).write_text(ankdown_markdown(source.read_text()))
    return folder


def ankdown_python(venv: Path) -> Path:
    """The Python of a venv holding ankdown at the pinned version, made if missing."""
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import ankdown.ankdown as a; print(a.VERSION)"]
    found = subprocess.run(probe, capture_output=True, text=True) if python.exists() else None
    if found is None or found.stdout.strip() != ANKDOWN_VERSION:
        print(f"installing ankdown {ANKDOWN_VERSION} into {venv}...", file=sys.stderr)
        subprocess.run([PYTHON, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"ankdown=={ANKDOWN_VERSION}"], check=True
        )
    return python


@dataclass
class Sample:
    seconds: float
    peak_mb: float
    stdout: str = ""
    cpu: float | None = None
    """User and system time of the process and the children it waited for: on a shared
    machine this moves far less with the load than the wall time does."""


def process_tree(pid: int) -> dict[int, list[str]]:
    """The ``/proc/N/stat`` fields (after the command name) of a process and each of its
    live descendants, by process id."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        stats[int(entry)] = fields
    found, stack = {}, [pid]
    while stack:
        current = stack.pop()
        if current in stats:
            found[current] = stats[current]
        stack.extend(children.get(current, []))
    return found


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    return sum(int(fields[21]) * page_kb for fields in process_tree(pid).values())


def run(args: list[str], env: dict[str, str] | None = None) -> Sample:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=err)
        peak = 0
        while process.poll() is None:
            peak = max(peak, tree_rss_kb(process.pid))
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"failed: {' '.join(args)}\n{err.read().decode()}")
        return Sample(seconds, peak / 1024, out.read().decode(), cpu)


def writer_seconds(sample: Sample) -> Sample:
    """The Anki renderer's own time, as the build reports it ("wrote x.apkg (n cards, t s)")."""
    match = re.search(r"\.apkg \(\d+ cards, ([\d.]+) s\)", sample.stdout)
    if match is None:
        raise SystemExit(f"no Anki stage time in the build's output:\n{sample.stdout}")
    return Sample(float(match.group(1)), sample.peak_mb)


def median(samples: list[Sample]) -> Sample:
    cpus = [s.cpu for s in samples if s.cpu is not None]
    return Sample(
        statistics.median(s.seconds for s in samples),
        max(s.peak_mb for s in samples),
        cpu=statistics.median(cpus) if cpus else None,
    )


def bench_size(cards: int, repeat: int, work: Path, ankdown: Path, pdf: bool) -> dict[str, Sample]:
    folder = work / str(cards)
    content = generate(folder, cards)
    peer = generate_ankdown(content, folder / "ankdown")
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
    ]
    times = repeat if cards <= 1000 else 1
    caches = folder / "cache"  # the build's caches live in the user's cache folder
    cache_env = {**os.environ, "XDG_CACHE_HOME": str(caches)}
    model_dir = folder / "model"
    run(
        [*build, "--only", "json", "--out", str(model_dir)], cache_env
    )  # assigns ids once: the lock
    model = model_dir / "synthetic.json"
    edited = content / "synthetic" / "0000.md"
    original = edited.read_text()

    def edit(i: int) -> None:
        edited.write_text(original.replace("number 1?\n\n", f"number 1?\n\nEdited {i}: "))

    def cold(extra: list[str]) -> Sample:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(caches, ignore_errors=True)  # a first build: no parse or PDF cache
        return run([*build, *extra], cache_env)

    samples: dict[str, list[Sample]] = {}
    ankdown_build = [str(ankdown), "-m", "ankdown.ankdown", "-r", str(peer)]

    def add(name: str, sample: Sample) -> None:
        samples.setdefault(name, []).append(sample)

    # Paired, A B A B: the deck-only build cold, ankdown, the same build after an edit,
    # genanki from parsed data.
    for i in range(max(times, 3) if cards <= 1000 else 2):
        deck_only = cold(["--only", "anki"])
        add("deck only (--only anki)", deck_only)
        add("Anki writer stage (the build's own time)", writer_seconds(deck_only))
        add(
            f"baseline: ankdown {ANKDOWN_VERSION}",
            run([*ankdown_build, "-p", str(folder / "ankdown.apkg")]),
        )
        edit(i)
        add("one-card edit, deck only", run([*build, "--only", "anki"], cache_env))
        edited.write_text(original)
        add(
            f"baseline: genanki {GENANKI_VERSION}",
            run([PYTHON, "-c", GENANKI_BASELINE, str(model), str(folder / "base.apkg")]),
        )
    results = {name: median(group) for name, group in samples.items()}

    results["deck and HTML"] = median([cold(["--only", "anki,html"]) for _ in range(times)])
    if not pdf:
        return results
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    weasyprint = [PYTHON, "-c", WEASYPRINT_BASELINE, str(content), str(folder / "base.pdf")]
    full, baseline = [], []
    for _ in range(times):
        full.append(cold([]))
        baseline.append(run([*weasyprint, str(templates)], env))
    results["full build"] = median(full)
    results["no-op rebuild"] = median([run(build, cache_env) for _ in range(max(times, 3))])
    edits = []
    for i in range(times):
        edit(100 + i)
        edits.append(run(build, cache_env))
    edited.write_text(original)
    results["one-card edit"] = median(edits)
    results["baseline: WeasyPrint, one document"] = median(baseline)
    results.update(bench_printouts(cards, times, work))
    return results


def bench_printouts(cards: int, repeat: int, work: Path) -> dict[str, Sample]:
    """The printed cards (A7, duplex-long, on A4) against the cheat sheet of the same deck,
    each cold (no caches), paired A B A B."""
    folder = work / f"{cards}-print"
    content = generate(folder, cards)
    out = folder / "dist"
    build = [PYTHON, str(ROOT / "build.py"), "--content", str(content), "--out", str(out)]
    build += ["--templates", str(ROOT / "templates"), "--paper", "a4"]
    caches = folder / "cache"  # the build's caches live in the user's cache folder
    env = {**os.environ, "XDG_CACHE_HOME": str(caches)}
    run([*build, "--only", "json"], env)  # assigns ids once: the lock

    def cold(extra: list[str]) -> Sample:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(caches, ignore_errors=True)
        return run([*build, *extra], env)

    sheet, printed = [], []
    for _ in range(repeat):
        sheet.append(cold(["--only", "pdf"]))
        printed.append(
            cold(["--only", "cards", "--card-size", "a7", "--card-sides", "duplex-long"])
        )
    return {
        "cheat sheet alone (--only pdf)": median(sheet),
        "printed cards, A7 duplex-long on A4 (--only cards)": median(printed),
    }


def report(all_results: dict[int, dict[str, Sample]]) -> str:
    lines = [
        "| cards | measurement | median wall time | median CPU time | peak memory |",
        "| ---: | --- | ---: | ---: | ---: |",
    ]
    for cards, results in all_results.items():
        for name, sample in results.items():
            cpu_time = "" if sample.cpu is None else f"{sample.cpu:.2f} s"
            lines.append(
                f"| {cards:,} | {name} | {sample.seconds:.2f} s | {cpu_time} "
                f"| {sample.peak_mb:.0f} MB |"
            )
    lines += [
        "",
        "| cards | target | measured (wall) | measured (CPU) | limit | met (wall) |",
        "| ---: | --- | ---: | ---: | ---: | --- |",
    ]
    targets: list[tuple[int, str, float, float | None, float, str]] = []

    def ratio(cards: int, name: str, a: Sample, b: Sample, limit: float) -> None:
        cpu = a.cpu / b.cpu if a.cpu is not None and b.cpu else None
        targets.append((cards, name, a.seconds / b.seconds, cpu, limit, "x"))

    for cards, r in all_results.items():
        if "deck only (--only anki)" not in r:  # --printouts-only
            continue
        ankdown = next(v for k, v in r.items() if k.startswith("baseline: ankdown"))
        genanki = next(v for k, v in r.items() if k.startswith("baseline: genanki"))
        deck_only = r["deck only (--only anki)"]
        if cards >= 1000:
            ratio(cards, "deck only, cold / ankdown", deck_only, ankdown, 1.5)
        if cards == 1000:
            ratio(
                cards,
                "one-card edit, deck only / ankdown",
                r["one-card edit, deck only"],
                ankdown,
                0.5,
            )
            ratio(cards, "deck and HTML / genanki", r["deck and HTML"], genanki, 2.0)
        if cards == 10000:
            writer = r["Anki writer stage (the build's own time)"]
            ratio(cards, "Anki writer stage / genanki", writer, genanki, 2.0)
            targets.append(
                (cards, "deck only, cold: peak memory", deck_only.peak_mb, None, 200, " MB")
            )
        if "full build" not in r:
            continue
        targets.append(
            (cards, "no-op rebuild", r["no-op rebuild"].seconds, r["no-op rebuild"].cpu, 0.15, " s")
        )
        full = r["full build"]
        if cards == 1000:
            ratio(
                cards,
                "full build / WeasyPrint one document",
                full,
                r["baseline: WeasyPrint, one document"],
                0.45,
            )
            ratio(cards, "one-card edit / full build", r["one-card edit"], full, 0.12)
        if cards == 10000:
            targets.append((cards, "full build peak memory", full.peak_mb, None, 1024, " MB"))
    for cards, r in all_results.items():
        if cards == 1000 and "cheat sheet alone (--only pdf)" in r:
            printed = r["printed cards, A7 duplex-long on A4 (--only cards)"]
            ratio(
                cards,
                "printed cards A7 duplex / cheat sheet",
                printed,
                r["cheat sheet alone (--only pdf)"],
                1.5,
            )
    for cards, name, value, cpu, limit, unit in targets:
        by_cpu = "" if cpu is None else f"{cpu:.2f}{unit}"
        lines.append(
            f"| {cards:,} | {name} | {value:.2f}{unit} | {by_cpu} | {limit}{unit} | "
            f"{'yes' if value <= limit else 'no'} |"
        )
    return "\n".join(lines)


def with_bytecode() -> None:
    """Every measured process loads cardpress from compiled bytecode, as an installed
    package does: without it (``PYTHONDONTWRITEBYTECODE`` set, a fresh checkout) each run
    would also compile every module, a cost that grows with the number of modules."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "cardpress")], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the generated decks in this folder")
    parser.add_argument("--no-pdf", action="store_true", help="skip the builds with the PDF")
    parser.add_argument(
        "--ankdown-venv",
        type=Path,
        default=ROOT / "bench" / ".ankdown-venv",
        help=f"a venv holding ankdown {ANKDOWN_VERSION} (made there if missing)",
    )
    parser.add_argument(
        "--printouts-only",
        action="store_true",
        help="measure only the printed cards against the cheat sheet",
    )
    args = parser.parse_args()
    with_bytecode()
    if args.printouts_only:
        work = args.keep or Path(tempfile.mkdtemp(prefix="cardpress-bench-"))
        print(f"load average before the run: {os.getloadavg()[0]:.2f}\n")
        printouts = {
            size: bench_printouts(size, args.repeat, work)
            for size in (int(s) for s in args.sizes.split(","))
        }
        print(report(printouts))
        return 0
    ankdown = ankdown_python(args.ankdown_venv)
    global LOAD_BEFORE
    LOAD_BEFORE = os.getloadavg()[0]
    work = args.keep or Path(tempfile.mkdtemp(prefix="cardpress-bench-"))
    all_results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"benchmarking {size:,} cards...", file=sys.stderr, flush=True)
        all_results[size] = bench_size(size, args.repeat, work, ankdown, not args.no_pdf)
        print(report({size: all_results[size]}), file=sys.stderr, flush=True)
    print(
        f"load average before the run: {LOAD_BEFORE:.2f}; cores: {os.cpu_count()}; "
        f"Python {sys.version.split()[0]}; ankdown {ANKDOWN_VERSION} (no --highlight) in "
        f"{args.ankdown_venv}; genanki {GENANKI_VERSION}\n"
    )
    print(report(all_results))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
