"""The README's pictures of one formula card in each output, and the formula fixture
beside MathJax (not a test module).

    npm install --prefix /tmp/mathjax mathjax@3     # MathJax 3, as Anki bundles it
    MATHJAX=/tmp/mathjax/node_modules/mathjax .venv/bin/python -m tests.support.math_screenshots

rewrites docs/screenshots/math-*.png. The math example of docs/format.md is built into
a temporary folder; then
- math-page.png: the card in the HTML page, in headless Chromium;
- math-pdf.png: the same card cut from the cheat sheet, rasterised by pdftoppm;
- math-anki.png: the card's answer as Anki's own backend renders it (question and answer
  HTML with the note type's CSS), shown in Chromium with MathJax typesetting it (Anki
  desktop is not available here; without ``MATHJAX`` the formulas show as their TeX);
- math-fixture.png: each formula of tests/support/math_fixture.py drawn by cardpress beside the
  same TeX typeset by MathJax, in the same font and size (only with ``MATHJAX``).
"""

from __future__ import annotations

import html
import io
import os
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING

import pdfplumber
from PIL import Image

from cardpress.cli import main as cli_main
from cardpress.markup.formula_draw import draw
from cardpress.markup.formula_svg import depth_css, svg_html
from cardpress.markup.formulas import Formula
from tests.markup.test_formulas import math_example
from tests.support.anki_support import AnkiUser
from tests.support.html_support import CHROMIUM_ARGS, SCREENSHOTS_DIR, find_chromium, shrink_png
from tests.support.math_fixture import FORMULAS

if TYPE_CHECKING:
    from playwright.sync_api import Page

CARD = "What is the derivative"
FONT = "18px 'Noto Sans', 'DejaVu Sans', sans-serif"


def mathjax_script() -> str:
    """A script element loading MathJax 3 from ``MATHJAX`` (an npm package folder) with
    Anki's delimiters, or nothing."""
    folder = os.environ.get("MATHJAX")
    if not folder:
        return ""
    script = Path(folder) / "es5" / "tex-chtml.js"
    if not script.is_file():
        sys.exit(f"MATHJAX={folder}: no es5/tex-chtml.js there")
    config = (
        "window.MathJax = {tex: {inlineMath: [['\\\\(', '\\\\)']], "
        "displayMath: [['\\\\[', '\\\\]']]}};"
    )
    return f"<script>{config}</script><script src='{script.as_uri()}'></script>"


def fixture_page(root: Path) -> Path:
    """Each fixture formula drawn by cardpress, and its TeX for MathJax, side by side."""
    rows = []
    for kind, tex, display in FORMULAS:
        formula = Formula(tex, display)
        ours = svg_html(formula, draw(formula))
        theirs = f"\\[{html.escape(tex)}\\]" if display else f"\\({html.escape(tex)}\\)"
        if not display:
            ours, theirs = f"x {ours} x.", f"x {theirs} x."
        rows.append(f"<tr><td class='kind'>{kind}</td><td>{ours}</td><td>{theirs}</td></tr>")
    page = root / "fixture.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
        f"{depth_css(scroll=True)} body {{ margin: 8px; font: {FONT}; }}"
        "table { border-collapse: collapse; } td { border-top: 1px solid #ddd; "
        "padding: 2px 10px; text-align: center; width: 420px; }"
        "td.kind { width: 90px; font-size: 12px; color: #666; text-align: left; }"
        "th { font: 13px sans-serif; text-align: center; }"
        "mjx-container[display='true'] { margin: 0.4em 0 !important; }"
        f"</style>{mathjax_script()}</head><body><table>"
        "<tr><th></th><th>cardpress (SVG drawn at build time)</th>"
        "<th>MathJax 3 (what Anki shows)</th></tr>"
        f"{''.join(rows)}</table></body></html>",
        encoding="utf-8",
    )
    return page


def build(root: Path) -> Path:
    content = root / "content"
    content.mkdir()
    (content / "calculus.md").write_text(math_example(), encoding="utf-8")
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        status = cli_main(["--content", str(content), "--out", str(root / "dist")])
    if status:
        sys.exit(err.getvalue())
    return root / "dist"


def pdf_picture(pdf_file: Path, out: Path, root: Path) -> None:
    """The first card of the cheat sheet, from its question to the next one, at 200 dpi."""
    with pdfplumber.open(pdf_file) as pdf:
        page = pdf.pages[0]
        words = page.extract_words()
        top = next(w for w in words if w["text"] == "What")
        below = [w for w in words if w["text"] == "The" and w["top"] > top["top"]]
        bottom = below[0]["top"] if below else top["top"] + 150
        width, height = page.width, page.height
    subprocess.run(
        ["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(pdf_file), str(root / "p")],
        check=True,
    )
    image = Image.open(next(root.glob("p*.png")))
    scale = image.width / width
    left = max(0.0, top["x0"] - 8) * scale
    right = left + (width / 2 - 40) * scale  # the first column only
    box = (left, (top["top"] - 8) * scale, right, (bottom - 4) * scale)
    image.crop(tuple(round(v) for v in box)).save(out)
    assert height > 0


def anki_page(apkg: Path, root: Path) -> Path:
    """The card's question and answer as Anki's backend renders them, as a page."""
    user = AnkiUser(root / "anki")
    try:
        user.import_package(apkg)
        card = next(c for c in user.cards() if CARD.lower() in c.question().lower())
        shown = user.render(card)
    finally:
        user.close()
    page = root / "anki.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
        f"{shown.css} body {{ margin: 0; padding: 12px; }}</style>{mathjax_script()}</head>"
        f"<body class='card'>{shown.answer}"
        "<p style='font: 12px sans-serif; color: #666'>"
        f"{html.escape(ANKI_NOTE if os.environ.get('MATHJAX') else ANKI_NO_MATHJAX)}"
        "</p></body></html>",
        encoding="utf-8",
    )
    return page


ANKI_NOTE = "Rendered by Anki’s backend, typeset by MathJax 3 in Chromium"
ANKI_NO_MATHJAX = "Rendered by Anki’s backend; MathJax not loaded"


def typeset(page: Page) -> None:
    """Wait until MathJax (when loaded) has typeset the page."""
    if os.environ.get("MATHJAX"):
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("MathJax.startup.promise")


def main() -> None:
    from playwright.sync_api import sync_playwright

    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        dist = build(root)
        pdf_picture(dist / "calculus-basics.pdf", SCREENSHOTS_DIR / "math-pdf.png", root)
        anki = anki_page(dist / "calculus-basics.apkg", root)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=find_chromium(), args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 640, "height": 600})
            page.goto((dist / "calculus-basics.html").as_uri())
            card = page.locator("article.card").first
            card.screenshot(path=str(SCREENSHOTS_DIR / "math-page.png"), animations="disabled")
            page.goto(anki.as_uri())
            typeset(page)
            page.locator("body").screenshot(path=str(SCREENSHOTS_DIR / "math-anki.png"))
            names = ["math-page.png", "math-pdf.png", "math-anki.png"]
            if os.environ.get("MATHJAX"):
                page.set_viewport_size({"width": 1000, "height": 800})
                page.goto(fixture_page(root).as_uri())
                typeset(page)
                page.locator("table").screenshot(path=str(SCREENSHOTS_DIR / "math-fixture.png"))
                names.append("math-fixture.png")
            browser.close()
    for name in names:
        shrink_png(SCREENSHOTS_DIR / name)
        print(SCREENSHOTS_DIR / name)


if __name__ == "__main__":
    main()
