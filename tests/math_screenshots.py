"""The README's pictures of one formula card in each output (not a test module).

    .venv/bin/python -m tests.math_screenshots     # rewrites docs/screenshots/math-*.png

The math example of docs/format.md is built into a temporary folder; then
- math-page.png: the card in the HTML page, in headless Chromium;
- math-pdf.png: the same card cut from the cheat sheet, rasterised by pdftoppm;
- math-anki.png: the card's answer as Anki's own backend renders it (question and answer
  HTML with the note type's CSS), shown in Chromium. Anki desktop is not available here
  and MathJax is not loaded, so the formulas show as the TeX Anki's MathJax typesets.
"""

from __future__ import annotations

import html
import io
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pdfplumber
from PIL import Image

from cardpress.cli import main as cli_main
from tests.anki_support import AnkiUser
from tests.html_support import CHROMIUM_ARGS, SCREENSHOTS_DIR, find_chromium, shrink_png
from tests.test_math import math_example

CARD = "What is the derivative"


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
        f"{shown.css} body {{ margin: 0; padding: 12px; }}</style></head>"
        f"<body class='card'>{shown.answer}"
        "<p style='font: 12px sans-serif; color: #666'>"
        f"{html.escape('Rendered by Anki’s backend; MathJax not loaded')}</p></body></html>",
        encoding="utf-8",
    )
    return page


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
            page.locator("body").screenshot(path=str(SCREENSHOTS_DIR / "math-anki.png"))
            browser.close()
    for name in ("math-page.png", "math-pdf.png", "math-anki.png"):
        shrink_png(SCREENSHOTS_DIR / name)
        print(SCREENSHOTS_DIR / name)


if __name__ == "__main__":
    main()
