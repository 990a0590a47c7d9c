"""The page on a screen, in real headless Chromium: the first card on the first screen, a
bar that stays at hand, quiz mode ready for the keyboard, and no accessibility violation
that axe-core finds, in every mode and theme, on a laptop and on a phone.

The deck is content/aws-devops: a long introduction, a section introduction with a
table, and wide code blocks, as people write them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.support.html_support import build_html

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}
SIZES: dict[str, dict[str, Any]] = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(scope="module")
def aws_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("html-screen")
    shutil.copytree(ROOT / "content" / "aws-devops", root / "content" / "aws-devops")
    return build_html(root / "content", root / "dist") / "aws-devops.html"


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def opened(path: Path, size: str, **options: Any) -> Any:
        context = browser.new_context(**SIZES[size], **options)
        contexts.append(context)
        page = context.new_page()
        page.goto(path.as_uri())
        return page

    yield opened
    for context in contexts:
        context.close()


def top_of(page: Any, selector: str) -> float:
    value: float = page.eval_on_selector(selector, "e => e.getBoundingClientRect().top")
    return value


def settle(page: Any) -> None:
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


# ---- The first screen ---------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_the_first_card_is_on_the_first_screen(
    open_page: Callable[..., Any], aws_page: Path, size: str
) -> None:
    page = open_page(aws_page, size)
    height = SIZES[size]["viewport"]["height"]
    first = top_of(page, "article.card")
    question = page.eval_on_selector(
        "article.card .card-question", "e => e.getBoundingClientRect().bottom"
    )
    assert first > 0 and question < height, (first, question)
    # The introduction is still there, one click away.
    intro = page.eval_on_selector("#deck-intro", "e => e.getBoundingClientRect().height")
    line = page.eval_on_selector("#deck-intro", "e => parseFloat(getComputedStyle(e).lineHeight)")
    if size == "phone":
        assert intro <= line * 1.1  # collapsed to a line
    page.click(".deck-intro .intro-more")
    assert page.get_attribute(".deck-intro .intro-more", "aria-expanded") == "true"
    full = page.eval_on_selector("#deck-intro", "e => e.getBoundingClientRect().height")
    assert full > intro + line  # the whole text now
    assert page.eval_on_selector("#deck-intro", "e => e.scrollHeight <= e.clientHeight + 1")


@pytest.mark.parametrize("size", SIZES)
def test_the_bar_stays_at_the_top_with_no_gap(
    open_page: Callable[..., Any], aws_page: Path, size: str
) -> None:
    page = open_page(aws_page, size)
    page.evaluate("window.scrollTo(0, 6000)")
    settle(page)
    box = page.eval_on_selector(
        "#toolbar", "e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; }"
    )
    assert box[0] == 0 and box[1] > 40
    if size == "phone":
        assert box[1] < 110  # slim: two rows of controls at most
    for control in ("#search", "#tag-filter", "#section-filter", "#study-filter", "#quiz-toggle"):
        assert page.is_visible(control)
        assert 0 <= top_of(page, control) < box[1]
    # Along the window's top edge, across the bar's width, it is the bar that shows: no
    # card shows through above it.
    width = SIZES[size]["viewport"]["width"]
    left, right = page.eval_on_selector(
        "#toolbar", "e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; }"
    )
    if size == "phone":
        assert left == 0 and right == width  # from edge to edge
    for y in (0, 2, 5, 8):
        for x in range(int(left) + 1, int(right) - 1, 40):
            inside = page.evaluate(
                "([x, y]) => Boolean(document.elementFromPoint(x, y).closest('#toolbar'))", [x, y]
            )
            assert inside, (x, y)


def test_the_contents_open_from_the_bar_on_a_phone(
    open_page: Callable[..., Any], aws_page: Path
) -> None:
    page = open_page(aws_page, "phone")
    page.evaluate("window.scrollTo(0, 6000)")
    assert page.is_hidden("#toc")
    page.tap("#toc-button")
    assert page.get_attribute("#toc-button", "aria-expanded") == "true"
    assert page.is_visible("#toc a[href='#section-iam']")
    panel = page.eval_on_selector(
        "#toc", "e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; }"
    )
    assert panel[0] >= top_of(page, "#toolbar") and panel[1] <= 844
    page.tap("#toc a[href='#section-iam']")
    assert page.is_hidden("#toc")
    assert page.get_attribute("#toc-button", "aria-expanded") == "false"
    heading = top_of(page, "#section-iam")
    bar = page.eval_on_selector("#toolbar", "e => e.getBoundingClientRect().bottom")
    assert bar <= heading < 844 / 2  # the section, just under the bar
    page.click("#toc-button")
    page.keyboard.press("Escape")
    assert page.is_hidden("#toc")
    assert page.evaluate("document.activeElement.id") == "toc-button"
    page.click("#toc-button")  # focus goes to an entry; Tab out of the panel closes it
    assert page.evaluate("document.activeElement.closest('#toc') !== null")
    for _ in range(page.locator("#toc a").count() + 1):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#toc, #toc-button') === null")
    assert page.is_hidden("#toc")


@pytest.mark.parametrize("size", SIZES)
def test_q_then_space_reveals_the_first_card(
    open_page: Callable[..., Any], aws_page: Path, size: str
) -> None:
    page = open_page(aws_page, size)
    first = page.eval_on_selector("article.card", "e => e.id")
    page.keyboard.press("q")
    assert page.evaluate("document.activeElement.id") == first
    assert page.eval_on_selector(f"#{first} .card-toggle", "e => e.ariaExpanded") == "false"
    scrolled = page.evaluate("scrollY")
    page.keyboard.press("Space")
    assert page.eval_on_selector(f"#{first} .card-toggle", "e => e.ariaExpanded") == "true"
    assert page.is_visible(f"#{first} .card-answer") and page.is_visible("#grade-bar")
    assert page.evaluate("scrollY") == scrolled  # Space revealed, it did not scroll the page


# ---- Accessibility: axe-core in every mode ------------------------------------------------


def axe_source() -> str:
    """axe-core as the axe-playwright-python test dependency ships it."""
    pytest.importorskip("axe_playwright_python")
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")


def violations(page: Any) -> list[str]:
    settle(page)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    # Every rule axe has, the experimental ones too (label-content-name-mismatch is one),
    # but for the AAA level (contrast of 7:1), which the page does not claim.
    result: list[str] = page.evaluate(
        """async () => {
          const rules = {};
          for (const rule of axe.getRules()) {
            rules[rule.ruleId] = {enabled: !rule.tags.includes("wcag2aaa")};
          }
          const found = await axe.run(document, {rules, resultTypes: ["violations"]});
          return found.violations.map(v =>
            v.id + " (" + v.impact + "): " + v.nodes.length + " x " + v.nodes[0].target);
        }"""
    )
    return result


def enter_mode(page: Any, mode: str) -> None:
    if mode == "reading":
        return
    page.click("#quiz-toggle")
    if mode == "quiz":
        return
    page.click("article.card .card-question")  # reveal: the grade bar shows
    assert page.is_visible("#grade-bar")
    if mode == "summary":
        page.click('#grade-bar [data-grade="3"]')
        page.click("#quiz-toggle")  # leaving quiz mode ends the session
        assert page.is_visible("#session-summary")


MODES = ["reading", "quiz", "answer-shown", "summary"]
# make quick runs every mode on a laptop in the light theme, and every size and theme in
# the mode that shows the most (an answer and its grade bar); the rest are slow journeys.
AXE_CASES = [
    (size, theme, mode)
    if (size, theme) == ("desktop", "light") or mode == "answer-shown"
    else pytest.param(size, theme, mode, marks=pytest.mark.slow)
    for size in SIZES
    for theme in ("light", "dark")
    for mode in MODES
]


@pytest.mark.parametrize(("size", "theme", "mode"), AXE_CASES)
def test_axe_finds_no_violation(
    open_page: Callable[..., Any], aws_page: Path, size: str, theme: str, mode: str
) -> None:
    page = open_page(aws_page, size, color_scheme=theme, bypass_csp=True)
    enter_mode(page, mode)
    assert violations(page) == []
