"""How the cards line up: every card as Anki's backend renders it, in headless Chromium at
a desktop's and a phone's width, by day and in night mode: one left edge for the
question, the answer, the details and the source, and nothing wider than the card.
The back names the section, and the source file only in a deck that asks for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cardpress.cli import main as cli_main
from tests.anki.test_display import MODES, pages, rendered_cards, show  # noqa: F401
from tests.conftest import TEMPLATES, format_example
from tests.support.anki_support import AnkiUser
from tests.support.files_support import write_files

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PARTS = ".question, .answer, .title, .cloze-text, .details, .callouts, .source, hr#answer"

# What MathJax makes of a display formula in Anki's reviewer: a block container with the
# typeset formula inside, here one wider than any phone.
WIDE_FORMULA = (
    '<mjx-container class="MathJax" jax="CHTML" display="true">'
    '<mjx-math display="true" style="display: inline-block; width: 1400px; height: 40px">'
    "</mjx-math></mjx-container>"
)

LEFT_EDGES_JS = f"""
() => [...document.querySelectorAll({PARTS!r})]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.className || e.tagName, e.getBoundingClientRect().left])
"""


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", SIZES)
def test_one_left_edge_and_no_sideways_scroll(
    browser: Any,
    pages: Path,  # noqa: F811
    rendered_cards: Any,  # noqa: F811
    size: str,
    mode: str,
) -> None:
    viewport = SIZES[size]
    page = browser.new_page(viewport=viewport)
    checked = 0
    for card_id, ordinal, rendered in rendered_cards:
        for side in ("question", "answer"):
            show(page, pages, rendered, side, ordinal, MODES[mode])
            edges = page.evaluate(LEFT_EDGES_JS)
            lefts = [left for _, left in edges]
            assert lefts, (card_id, side)
            assert max(lefts) - min(lefts) <= 1, (card_id, side, edges)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (card_id, ordinal, side, width)
            checked += len(lefts) > 2
    assert checked >= 8  # backs with several parts were among them
    # A display formula wider than the card scrolls inside it.
    port = next(r for i, _, r in rendered_cards if i == "port")
    show(page, pages, port, "answer", 0, MODES[mode])
    page.evaluate(f"document.querySelector('.answer').innerHTML += {WIDE_FORMULA!r}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    scrolls = page.eval_on_selector("mjx-container", "e => e.scrollWidth > e.clientWidth")
    assert scrolls
    page.close()


def test_the_back_names_the_section_and_the_file_only_when_asked(
    rendered_cards: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    port = next(r for i, _, r in rendered_cards if i == "port")
    assert '<span class="source-section">Transport</span>' in port.answer
    assert "networking.md" not in port.answer and "source-file" not in port.answer

    asked = format_example().replace(
        "id: networking-basics", "id: networking-basics\nsource_path: true"
    )
    assert asked != format_example()
    content = write_files(tmp_path / "content", {"networking.md": asked})
    out = tmp_path / "out"
    args = ["--content", str(content), "--templates", str(TEMPLATES), "--out", str(out)]
    assert cli_main([*args, "--only", "anki", "-q"]) == 0
    anki = AnkiUser(tmp_path / "anki")
    try:
        anki.import_package(out / "networking-basics.apkg")
        card = next(c for c in anki.cards() if c.note()["Id"] == "port" and c.ord == 0)
        back = anki.render(card).answer
    finally:
        anki.close()
    assert '<span class="source-file">networking.md</span> · ' in back
    assert '<span class="source-section">Transport</span>' in back
