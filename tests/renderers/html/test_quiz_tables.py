"""Quiz mode in real Chromium: a card whose answer is a long table keeps a short blank,
and revealing it shows the whole table below its question, which stays where it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.files_support import write_files
from tests.support.html_support import build_html

ROWS = "".join(f"| `-{n}` | option number {n} |\n" for n in range(40))
DECK = (
    "---\ntitle: Tables\nid: tables\n---\n\n## Options\n\n"
    "### Which options does the tool take?\n\n| flag | meaning |\n| --- | --- |\n"
    + ROWS
    + "\n### And after the table?\n\nA short answer.\n"
)
LAYOUT = (
    "() => [...document.querySelectorAll('article.card')].map(e => {"
    " const r = e.getBoundingClientRect(); return [r.x, r.y + scrollY, r.width, r.height]; })"
)


def test_a_table_answer_keeps_a_short_blank_and_opens_below_its_question(
    browser: Any,
    tmp_path: Path,
) -> None:
    out = build_html(write_files(tmp_path / "content", {"tables.md": DECK}), tmp_path / "dist")
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        page = context.new_page()
        page.goto((out / "tables.html").as_uri())
        full = page.eval_on_selector(".card .answer-zone table", "t => t.offsetHeight")
        page.click("#quiz-toggle")
        zone = ".card:first-of-type .answer-zone"
        blank = page.eval_on_selector(zone, "z => z.getBoundingClientRect().height")
        rem = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert full > 20 * rem  # the table is tall ...
        assert blank <= 3 * rem  # ... its blank is not
        before = page.evaluate(LAYOUT)
        page.click("#expand-all")
        after = page.evaluate(LAYOUT)
        assert after[0][:3] == before[0][:3]  # the card and its question stay put
        assert page.eval_on_selector(zone, "z => z.scrollHeight <= z.clientHeight")
        shown = page.eval_on_selector(".card .answer-zone table", "t => t.offsetHeight")
        assert shown == full  # the whole table, as in reading mode
    finally:
        context.close()
