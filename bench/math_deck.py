"""Benchmark of a deck with 500 formulas (``math: true``): cold build and one-formula edit.

    .venv/bin/python bench/math_deck.py [--repeat N]

Generates 100 cards of five distinct formulas each (fractions, sums with limits,
matrices, aligned equations, Greek with subscripts; inline and display), then measures,
as whole processes with a fresh cache folder:

- **cold, page only**: ``--only html`` into an empty output folder, no caches;
- **cold, all outputs**: Anki, PDF, HTML and JSON, no caches;
- **one-formula edit**: one formula changed, then the same build again, page only and
  all outputs (the caches of the previous build are there: only that formula is drawn
  again).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cardpress.markup import formulas
from cardpress.markup import html as markup

ROOT = Path(__file__).resolve().parent.parent
CARDS = 100


def card(n: int) -> str:
    return f"""### Card {n}: which identity holds for $a_{{{n}}}$?

$\\alpha_{{{n}}} + \\beta^{{{n}}} = \\gamma_{{k+{n}}}$ inline.

---

$$\\sum_{{i=1}}^{{{n}}} i^2 = \\frac{{{n}({n}+1)(2 \\cdot {n}+1)}}{{6}}$$

\\[\\begin{{pmatrix}} {n} & 0 \\\\ 0 & {n} \\end{{pmatrix}} v\\]

\\[\\begin{{aligned}} f(x) &= x^{{{n}}} \\\\ f'(x) &= {n} x^{{{n - 1}}} \\end{{aligned}}\\]
"""


def deck() -> str:
    sections = []
    for s in range(CARDS // 20):
        cards = "\n".join(card(s * 20 + i + 1) for i in range(20))
        sections.append(f"## Section {s + 1}\n\n{cards}")
    front = "---\ntitle: Formulas\nid: formulas\nmath: true\n---\n\n"
    return front + "\n".join(sections)


def build(content: Path, out: Path, cache: Path, *only: str) -> tuple[float, float]:
    """Wall time and processor time (user and system, every process of the build)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "cardpress", "--content", str(content), "--out", str(out)]
    if only:
        args += ["--only", ",".join(only)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    text = deck()
    parsed = markup.parse(text, math=True).tokens
    found = list(formulas.formulas(markup.render_blocks(parsed, math=True).html))
    assert len(set(found)) == CARDS * 5, len(set(found))
    rows: dict[str, list[tuple[float, float]]] = {"cold, page only": []}
    rows["cold, all outputs"] = []
    rows["one-formula edit, page only"] = []
    rows["one-formula edit, all outputs"] = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            content = root / "content"
            content.mkdir()
            (content / "formulas.md").write_text(text, encoding="utf-8")
            rows["cold, page only"].append(build(content, root / "a", root / "c1", "html"))
            rows["cold, all outputs"].append(build(content, root / "b", root / "c2"))
            edited = text.replace("\\gamma_{k+7}", "\\delta_{k+7}")
            (content / "formulas.md").write_text(edited, encoding="utf-8")
            page_edit = build(content, root / "a", root / "c1", "html")
            rows["one-formula edit, page only"].append(page_edit)
            rows["one-formula edit, all outputs"].append(build(content, root / "b", root / "c2"))
            shutil.rmtree(root / "a")
    print(f"| measurement ({CARDS * 5} formulas, {CARDS} cards) | wall time | processor time |")
    print("| --- | ---: | ---: |")
    for name, times in rows.items():
        wall = statistics.median(t[0] for t in times)
        cpu = statistics.median(t[1] for t in times)
        print(f"| {name} | {wall:.2f} s | {cpu:.2f} s |")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
