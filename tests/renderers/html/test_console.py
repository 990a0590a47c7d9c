"""The format example and the shipped deck as HTML pages in real Chromium: not one console
message, page error or Content-Security-Policy violation while loading and studying."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.support.html_support import WATCH_CSP, build_html, capture_console

GOLDEN_EXAMPLE = ROOT / "tests" / "data" / "golden" / "format-example" / "content"
SHIPPED = ROOT / "content"


@pytest.mark.parametrize("content", [GOLDEN_EXAMPLE, SHIPPED], ids=["format-example", "shipped"])
def test_the_page_logs_nothing_and_violates_no_policy(
    browser: Any,
    content: Path,
    tmp_path: Path,
) -> None:
    copy = tmp_path / "content"
    shutil.copytree(content, copy, ignore=shutil.ignore_patterns("*.lock"))
    out = build_html(copy, tmp_path / "dist")
    (page_file,) = out.glob("*.html")
    context = browser.new_context()
    try:
        context.add_init_script(WATCH_CSP)
        page = context.new_page()
        console: list[str] = []
        capture_console(page, console)
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        # Study a little: quiz mode, reveal a card, search, back to reading.
        page.keyboard.press("q")
        page.locator("article.card").first.click()
        page.keyboard.press("/")
        page.keyboard.type("the")
        page.keyboard.press("Escape")
        page.keyboard.press("q")
        page.wait_for_timeout(100)
        assert console == []
        assert page.evaluate("window.__cspViolations") == []
        aligned = page.eval_on_selector_all(
            "th.align-center, td.align-center", "els => els.map(e => getComputedStyle(e).textAlign)"
        )
        if content == GOLDEN_EXAMPLE:  # its table centres the first column
            assert aligned and set(aligned) == {"center"}
    finally:
        context.close()
