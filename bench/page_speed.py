#!/usr/bin/env python3
"""The single-file page at scale, in headless Chromium (Playwright, as the tests drive it).

For synthetic decks (``run.py``'s generator) it builds the page (``--only html``) with each
code tree given (``--code DIR``, repeatable; default this worktree) and measures, page
after page interleaved (A B A B):

- **size** of the file;
- **load**: from navigation to the first frame drawn after the ``load`` event (the
  page's own script has run by then), wall time, and the CPU time of the browser's
  processes over it (user and system, from ``/proc``);
- **keystroke**: typing a word one key at a time into the search field; for each key,
  from the ``input`` event to the next frame drawn, timed in the page; the median and
  the slowest key;
- **rare search**: a card's own word (``number N``) typed at once: the same timing.

    .venv/bin/python bench/page_speed.py --sizes 1000,10000 --rounds 3
    .venv/bin/python bench/page_speed.py --code /tmp/old-tree --code . --sizes 10000
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from run import generate, process_tree

from tests.support.html_support import CHROMIUM_ARGS, find_chromium

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")

TIME_KEYS = """async (word) => {
  const search = document.getElementById("search");
  search.focus();
  const times = [];
  for (const key of word) {
    search.value += key;
    const started = performance.now();
    search.dispatchEvent(new Event("input", { bubbles: true }));
    await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
    times.push(performance.now() - started);
  }
  return times;
}"""

AFTER_LOAD = """() => new Promise((done) => requestAnimationFrame(() => setTimeout(() => {
  done(performance.now());
}, 0)))"""


def tree_cpu(pid: int) -> dict[int, float]:
    """User and system seconds of a process and each of its live descendants, from /proc."""
    return {
        current: (int(fields[11]) + int(fields[12])) / TICKS
        for current, fields in process_tree(pid).items()
    }


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the processes alive at the end spent since ``before`` (new ones whole)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def build_page(code: Path, folder: Path, cards: int) -> Path:
    if not (folder / "content").exists():
        generate(folder, cards)
    env = {**os.environ, "PYTHONPATH": str(code), "SOURCE_DATE_EPOCH": "0"}
    subprocess.run(
        [sys.executable, "-m", "cardpress", "--only", "html", "--out", "dist", "-q"],
        cwd=folder,
        env=env,
        check=True,
    )
    return folder / "dist" / "synthetic.html"


def visit(browser: Any, path: Path, word: str, rare: str) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    cpu0 = tree_cpu(os.getpid())
    started = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load", timeout=300_000)
    drawn = page.evaluate(AFTER_LOAD)
    wall = time.perf_counter() - started
    cpu = cpu_between(cpu0, tree_cpu(os.getpid()))
    in_page = drawn  # ms since navigation started
    keys = page.evaluate(TIME_KEYS, word)
    page.evaluate("""() => { const s = document.getElementById("search");
      s.value = ""; s.dispatchEvent(new Event("input", { bubbles: true })); }""")
    page.evaluate(AFTER_LOAD)
    single = page.evaluate(
        """async (term) => { const s = document.getElementById("search");
      s.value = term; const t = performance.now();
      s.dispatchEvent(new Event("input", { bubbles: true }));
      await new Promise((d) => requestAnimationFrame(() => setTimeout(d, 0)));
      return [performance.now() - t, document.getElementById("status").textContent]; }""",
        rare,
    )
    context.close()
    if errors:
        raise SystemExit(f"{path}: page errors: {errors}")
    return {
        "load_wall": wall,
        "load_page": in_page / 1000,
        "cpu": cpu,
        "keys": keys,
        "rare": single[0],
        "rare_status": single[1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--code", action="append", type=Path)
    parser.add_argument("--word", default="gateway")
    parser.add_argument("--page", action="append", type=Path, help="measure built pages only")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    codes = [c.resolve() for c in (args.code or [ROOT])]
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[tuple[str, int], list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="cardpress-page-") as work:
        pages = {
            (code.name, cards): build_page(code, Path(work) / f"{i}-{cards}", cards)
            for cards in sizes
            for i, code in enumerate(codes)
            if not args.page
        }
        for path in args.page or []:  # a synthetic deck's page, its size in its title
            cards = int(path.read_text()[:4000].split("<title>Synthetic ")[1].split("<")[0])
            pages[(str(path), cards)] = path.resolve()
        executable = find_chromium()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            for round_ in range(args.rounds):
                for (label, cards), path in pages.items():
                    rare = f"number {cards // 2 + 7}?"
                    sample = visit(browser, path, args.word, rare)
                    results.setdefault((label, cards), []).append(sample)
                    keys = sample["keys"]
                    print(
                        f"round {round_ + 1} {label} {cards}: load {sample['load_page']:.2f} s "
                        f"(wall {sample['load_wall']:.2f} s, CPU {sample['cpu']:.2f} s), keys "
                        f"median {statistics.median(keys):.0f} ms max {max(keys):.0f} ms, "
                        f"rare {sample['rare']:.0f} ms ({sample['rare_status']}), "
                        f"load avg {os.getloadavg()[0]:.2f}",
                        flush=True,
                    )
            browser.close()
        sizes_mb = {key: path.stat().st_size / 1e6 for key, path in pages.items()}
    print(
        "\n| code | cards | size | load (median, min–max) | load CPU | keystroke median "
        "| slowest key | rare word |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for (label, cards), samples in results.items():
        loads = [s["load_page"] for s in samples]
        keys = [k for s in samples for k in s["keys"]]
        print(
            f"| {label} | {cards:,} | {sizes_mb[(label, cards)]:.1f} MB "
            f"| {statistics.median(loads):.2f} s ({min(loads):.2f}–{max(loads):.2f}) "
            f"| {statistics.median(s['cpu'] for s in samples):.2f} s "
            f"| {statistics.median(keys):.0f} ms | {max(keys):.0f} ms "
            f"| {statistics.median(s['rare'] for s in samples):.0f} ms |"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
