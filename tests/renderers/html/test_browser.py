"""The HTML one-pager in real headless Chromium, driven by Playwright.

Without a Chromium these tests skip and say why; with CI=true they fail instead, so a CI
machine that lost its browser cannot pass silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cardpress.model import Card, CardKind, Deck, Fragment, Section, SourceLocation
from cardpress.renderers import RenderContext
from cardpress.renderers.html.page import render
from tests.conftest import TEMPLATES
from tests.support.html_support import (
    WATCH_CSP,
    build_html,
    capture_console,
    take_screenshots,
    write_study_content,
)

DARK_BACKGROUND = "rgb(14, 17, 23)"
LIGHT_BACKGROUND = "rgb(244, 246, 249)"
ALL_CARDS = 8


@pytest.fixture(scope="module")
def study_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("html-browser")
    out = build_html(write_study_content(root / "content"), root / "dist")
    return out / "networking-basics.html"


@dataclass
class Visit:
    """One page load with everything it logged and requested."""

    page: Any
    url: str
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def reload_once_saved(self, key: str) -> None:
        """Reload once the browser holds what the page saved under ``key``. A page's writes
        reach the browser's copy of the storage a moment after ``setItem`` returns, and a
        reload made in between reads the copy without them (rare, and only on a loaded
        machine); a new tab reads the browser's copy, so it shows when they have landed."""
        saved = self.page.evaluate("key => localStorage.getItem(key)", key)
        witness = self.page.context.new_page()
        try:
            witness.goto(self.url)
            witness.wait_for_function(
                "([key, saved]) => localStorage.getItem(key) === saved", arg=[key, saved]
            )
        finally:
            witness.close()
        self.page.reload()

    def visible_cards(self) -> list[str]:
        ids: list[str] = self.page.eval_on_selector_all(
            "article.card", "cards => cards.filter(c => c.offsetParent !== null).map(c => c.id)"
        )
        return ids

    def answer_visibility(self, card_id: str) -> str:
        value: str = self.page.eval_on_selector(
            f"#{card_id} .card-answer",
            "el => el.checkVisibility({visibilityProperty: true}) ? 'visible' : 'hidden'",
        )
        return value

    def cloze_visibility(self, card_id: str) -> list[str]:
        value: list[str] = self.page.eval_on_selector_all(
            f"#{card_id} .cloze", "els => els.map(e => getComputedStyle(e).visibility)"
        )
        return value

    def csp_violations(self) -> list[str]:
        value: list[str] = self.page.evaluate("window.__cspViolations")
        return value


@pytest.fixture
def visit(browser: Any) -> Iterator[Callable[..., Visit]]:
    contexts: list[Any] = []

    def open_page(path: Path, fragment: str = "", **options: Any) -> Visit:
        context = browser.new_context(**options)
        contexts.append(context)
        context.add_init_script(WATCH_CSP)
        # Anything that is not the file itself is refused, and recorded below.
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file:") else route.abort()
            ),
        )
        page = context.new_page()
        result = Visit(page, path.as_uri() + fragment)
        capture_console(page, result.console, result.errors)
        page.on("request", lambda r: result.requests.append(r.url))
        page.goto(result.url)
        return result

    yield open_page
    for context in contexts:
        context.close()


# ---- Loading ------------------------------------------------------------------------------


def test_the_page_loads_without_errors_or_requests(
    visit: Callable[..., Visit], study_page: Path
) -> None:
    v = visit(study_page)
    v.page.wait_for_load_state("load")
    assert v.console == []
    assert v.errors == []
    assert v.csp_violations() == []
    assert [url.split("#")[0] for url in v.requests] == [study_page.as_uri()]
    assert v.page.title() == "Networking Basics"
    assert len(v.visible_cards()) == ALL_CARDS
    # The image decoded from its data: URI.
    assert v.page.eval_on_selector(".card img", "img => img.complete && img.naturalWidth") == 2


def test_content_script_cannot_run_even_if_it_slipped_through(
    visit: Callable[..., Visit], tmp_path: Path
) -> None:
    """The CSP is the second line: here the model itself carries script, as if the
    sanitiser had failed, and nothing runs."""
    here = SourceLocation("x.md", 1)
    hostile = (
        "<p>hostile</p><script>window.__pwned = 'script'</script>"
        "<details open ontoggle=\"window.__pwned = 'handler'\"><summary>s</summary></details>"
        '<iframe src="https://example.com/"></iframe>'
    )
    card = Card(
        id="hostile",
        explicit_id=True,
        kind=CardKind.BASIC,
        question=Fragment("Q", "Q"),
        answer=Fragment(hostile, "hostile"),
        details=Fragment("", ""),
        callouts=(),
        tags=(),
        location=here,
    )
    section = Section("s", Fragment("S", "S"), Fragment("", ""), (), (card,), here)
    deck = Deck("hostile", "Hostile", "", (), "a4", Fragment("", ""), (section,), (), (), here)
    out = tmp_path / "hostile.html"
    render(deck, RenderContext(TEMPLATES, 0, "t"), out)
    v = visit(out)
    # The refused script is reported asynchronously: wait for it, however slowly it comes.
    v.page.wait_for_function("window.__cspViolations.join(' ').includes('script-src')")
    v.page.wait_for_timeout(100)  # a tick for the toggle event, which fires asynchronously
    assert v.page.evaluate("window.__pwned") is None
    violations = " ".join(v.csp_violations())
    assert "script-src" in violations
    assert [url for url in v.requests if not url.startswith("file:")] == []


# ---- Search and filters -------------------------------------------------------------------


def test_search_narrows_the_list_and_says_how_many(
    visit: Callable[..., Visit], study_page: Path
) -> None:
    v = visit(study_page)
    v.page.fill("#search", "handshake")
    assert v.visible_cards() == ["card-tcp-three-way-handshake", "card-handshake-hints"]
    assert v.page.text_content("#status") == "Showing 2 of 8 cards"
    v.page.fill("#search", "syn-ack tcp")  # every word must match
    assert v.visible_cards() == ["card-tcp-three-way-handshake"]
    v.page.fill("#search", "listening")  # text of an answer, not of a question
    assert v.visible_cards() == ["card-how-do-you-list-listening-tcp"]
    assert v.page.is_hidden("#section-transport")
    v.page.fill("#search", "no such words anywhere")
    assert v.visible_cards() == []
    assert v.page.is_visible("#no-results")
    v.page.click("#clear-filters")
    assert len(v.visible_cards()) == ALL_CARDS
    assert v.page.is_hidden("#no-results")


def test_slash_focuses_the_search_and_escape_clears_it(
    visit: Callable[..., Visit], study_page: Path
) -> None:
    v = visit(study_page)
    v.page.keyboard.press("/")
    assert v.page.evaluate("document.activeElement.id") == "search"
    v.page.keyboard.type("port")
    assert "card-port" in v.visible_cards()
    v.page.keyboard.press("Escape")
    assert v.page.input_value("#search") == ""
    assert len(v.visible_cards()) == ALL_CARDS


def test_the_tag_filter_shows_only_tagged_cards(
    visit: Callable[..., Visit], study_page: Path
) -> None:
    v = visit(study_page)
    v.page.select_option("#tag-filter", "cli")
    assert v.visible_cards() == ["card-how-do-you-list-listening-tcp", "card-long-command"]
    v.page.select_option("#tag-filter", "")
    assert len(v.visible_cards()) == ALL_CARDS
    # A tag on a card is a link that applies the same filter.
    v.page.click("#card-markup-is-text a.tag")
    assert v.page.input_value("#tag-filter") == "safety"
    assert v.visible_cards() == ["card-markup-is-text"]


def test_the_section_filter_and_the_contents_counts(
    visit: Callable[..., Visit], study_page: Path
) -> None:
    v = visit(study_page)
    v.page.select_option("#section-filter", "tools")
    assert v.visible_cards() == ["card-how-do-you-list-listening-tcp"]
    assert v.page.is_hidden("#section-transport")
    counts = v.page.eval_on_selector_all(".toc .toc-n", "els => els.map(e => e.textContent)")
    assert counts == ["0", "1", "0"]
    v.page.select_option("#section-filter", "")
    counts = v.page.eval_on_selector_all(".toc .toc-n", "els => els.map(e => e.textContent)")
    assert counts == ["3", "1", "4"]


def test_the_contents_mark_the_section_being_read(
    visit: Callable[..., Visit], study_page: Path
) -> None:
    v = visit(study_page, viewport={"width": 1200, "height": 700})
    v.page.evaluate("document.getElementById('section-extras').scrollIntoView()")
    current = '.toc a[aria-current="location"]'
    v.page.wait_for_selector(f'{current}[data-section="extras"]')
    assert v.page.locator(current).count() == 1


def test_a_filter_link_in_the_address_applies_on_load(
    visit: Callable[..., Visit], study_page: Path
) -> None:
    v = visit(study_page, "#tag=handshake")
    assert v.page.input_value("#tag-filter") == "handshake"
    assert v.visible_cards() == ["card-tcp-three-way-handshake"]


# ---- Quiz mode ----------------------------------------------------------------------------


def test_quiz_mode_hides_answers_and_a_click_reveals_one(
    visit: Callable[..., Visit], study_page: Path
) -> None:
    v = visit(study_page)
    assert v.answer_visibility("card-ordered-delivery") == "visible"
    v.page.click("#quiz-toggle")
    assert v.page.get_attribute("#quiz-toggle", "aria-pressed") == "true"
    assert v.answer_visibility("card-ordered-delivery") == "hidden"
    assert v.answer_visibility("card-port") == "hidden"
    assert set(v.cloze_visibility("card-tcp-three-way-handshake")) == {"hidden"}
    assert "0 revealed" in (v.page.text_content("#status") or "")

    v.page.click("#card-ordered-delivery .answer-zone")
    assert v.answer_visibility("card-ordered-delivery") == "visible"
    assert v.answer_visibility("card-port") == "hidden"
    toggle = "#card-ordered-delivery .card-toggle"
    assert v.page.get_attribute(toggle, "aria-expanded") == "true"
    v.page.click("#card-tcp-three-way-handshake .card-prompt")
    assert set(v.cloze_visibility("card-tcp-three-way-handshake")) == {"visible"}
    assert "2 revealed" in (v.page.text_content("#status") or "")

    v.page.click(toggle)  # the card's own button hides it again
    assert v.answer_visibility("card-ordered-delivery") == "hidden"
    v.page.click("#expand-all")  # "Reveal all" in quiz mode
    assert v.answer_visibility("card-port") == "visible"
    v.page.click("#quiz-toggle")
    assert v.answer_visibility("card-ordered-delivery") == "visible"


def test_quiz_mode_by_keyboard(visit: Callable[..., Visit], study_page: Path) -> None:
    v = visit(study_page)
    v.page.keyboard.press("q")
    assert v.answer_visibility("card-ordered-delivery") == "hidden"
    # Quiz mode focuses the first card, so Space reveals it at once, as in Anki.
    assert v.page.evaluate("document.activeElement.id") == "card-ordered-delivery"
    outline = v.page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # the focused card shows it
    v.page.keyboard.press("Space")
    assert v.answer_visibility("card-ordered-delivery") == "visible"
    v.page.keyboard.press("j")
    v.page.keyboard.press("j")
    assert v.page.evaluate("document.activeElement.id") == "card-port"
    v.page.keyboard.press("Enter")
    assert v.answer_visibility("card-port") == "visible"
    v.page.keyboard.press("Enter")
    assert v.answer_visibility("card-port") == "hidden"
    v.page.keyboard.press("k")
    assert v.page.evaluate("document.activeElement.id") == "card-tcp-three-way-handshake"
    # Tab reaches the card's own toggle, which Space activates like any button.
    v.page.focus("#card-port .card-toggle")
    v.page.keyboard.press("Space")
    assert v.answer_visibility("card-port") == "visible"


@pytest.mark.parametrize("width", [1100, 360], ids=["desktop", "phone"])
def test_quiz_placeholders_are_small_and_revealing_keeps_the_card_in_place(
    visit: Callable[..., Visit], study_page: Path, width: int
) -> None:
    v = visit(study_page, viewport={"width": width, "height": 800})
    v.page.click("#quiz-toggle")
    zones = v.page.eval_on_selector_all(
        ".card .answer-zone", "zs => zs.map(z => z.getBoundingClientRect().height)"
    )
    rem = v.page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert len(zones) >= 6 and len(set(zones)) == 1  # one fixed height for every card
    assert zones[0] <= 3 * rem
    hatched = v.page.eval_on_selector(
        ".card .answer-zone", "z => getComputedStyle(z).backgroundImage"
    )
    assert hatched == "none"
    # The question, a cloze's text and blanks, and everything above stay put when an
    # answer is revealed; the cards below move down, all by the same amount.
    layout = (
        "() => [...document.querySelectorAll('.card-head, .card-prompt, .cloze')].map(e => {"
        " const r = e.getBoundingClientRect();"
        " return [e.closest('.card').id, r.x, r.y + scrollY, r.width, r.height]; })"
    )
    order = v.page.eval_on_selector_all("article.card", "cs => cs.map(c => c.id)")
    before = v.page.evaluate(layout)
    for revealed in ("card-ordered-delivery", "card-handshake-hints"):
        v.page.click(f"#{revealed} .card-question")
        assert v.page.get_attribute(f"#{revealed} .card-toggle", "aria-expanded") == "true"
        after = v.page.evaluate(layout)
        at = order.index(revealed)
        shifts = set()
        for old, new in zip(before, after, strict=True):
            if order.index(old[0]) <= at:
                assert new == old, (revealed, old, new)
            else:
                assert [new[1], new[3], new[4]] == [old[1], old[3], old[4]]
                shifts.add(new[2] - old[2])
        assert len(shifts) <= 1 and all(shift > 0 for shift in shifts)
        v.page.click(f"#{revealed} .card-toggle")
        assert v.page.evaluate(layout) == before  # hidden again: the list is as it was
    assert v.cloze_visibility("card-handshake-hints") == ["hidden", "hidden"]


def test_expand_and_collapse_all_in_reading_mode(
    visit: Callable[..., Visit], study_page: Path
) -> None:
    v = visit(study_page)
    v.page.click("#collapse-all")
    assert v.page.is_hidden("#a-card-ordered-delivery")
    assert v.page.is_visible("#q-card-ordered-delivery")
    v.page.click("#q-card-port")  # a collapsed card opens where it is clicked
    assert v.page.is_visible("#a-card-port")
    v.page.click("#expand-all")
    assert v.page.is_visible("#a-card-ordered-delivery")


# ---- Themes, small screens, no JavaScript, print ------------------------------------------


def body_background(v: Visit) -> str:
    value: str = v.page.evaluate("getComputedStyle(document.body).backgroundColor")
    return value


def test_the_dark_theme_follows_the_system_and_the_toggle(
    visit: Callable[..., Visit], study_page: Path
) -> None:
    dark = visit(study_page, color_scheme="dark")
    assert body_background(dark) == DARK_BACKGROUND
    code = dark.page.eval_on_selector(".highlight", "e => getComputedStyle(e).backgroundColor")
    assert code == "rgb(13, 17, 23)"  # the dark Pygments style
    dark.page.click("#theme-toggle")
    assert body_background(dark) == LIGHT_BACKGROUND
    light = visit(study_page, color_scheme="light")
    assert body_background(light) == LIGHT_BACKGROUND
    light.page.click("#theme-toggle")
    assert body_background(light) == DARK_BACKGROUND
    assert light.page.get_attribute("#theme-toggle", "aria-pressed") == "true"
    light.reload_once_saved("cardpress-theme")  # the choice is remembered
    assert body_background(light) == DARK_BACKGROUND


@pytest.mark.parametrize("quiz", [False, True], ids=["reading", "quiz"])
def test_a_phone_width_has_no_horizontal_scroll(
    visit: Callable[..., Visit], study_page: Path, quiz: bool
) -> None:
    v = visit(study_page, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    if quiz:
        v.page.click("#quiz-toggle")
    widths = v.page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[1] == 360
    assert widths[0] <= widths[1]


def test_without_javascript_every_answer_is_visible(
    visit: Callable[..., Visit], study_page: Path
) -> None:
    v = visit(study_page, java_script_enabled=False)
    answers = v.page.eval_on_selector_all(
        ".card-answer, .cloze",
        "els => els.map(e => getComputedStyle(e).visibility === 'visible' && e.offsetHeight > 0)",
    )
    assert len(answers) > ALL_CARDS and all(answers)
    assert v.page.is_hidden("#toolbar")
    assert v.page.is_hidden("#theme-toggle")
    assert v.page.is_hidden(".card-toggle")
    assert "SYN-ACK" in v.page.inner_text("#card-tcp-three-way-handshake")


def test_print_shows_every_answer_without_controls(
    visit: Callable[..., Visit], study_page: Path
) -> None:
    v = visit(study_page)
    v.page.click("#quiz-toggle")
    v.page.emulate_media(media="print")
    assert v.answer_visibility("card-ordered-delivery") == "visible"
    assert v.page.is_hidden("#toolbar")
    assert v.page.is_hidden(".toc")
    assert body_background(v) == "rgb(255, 255, 255)"


# ---- Keyboard and landmarks ---------------------------------------------------------------


def test_landmarks_headings_and_a_visible_focus(
    visit: Callable[..., Visit], study_page: Path
) -> None:
    v = visit(study_page)
    page = v.page
    assert page.locator("header.masthead h1").count() == 1
    assert page.locator("nav.toc").count() == 1
    assert page.locator("main#main").count() == 1
    assert page.locator("[role=search]").count() == 1
    headings = page.eval_on_selector_all("h2, h3", "hs => hs.map(h => h.tagName)")
    assert headings.count("H3") == ALL_CARDS
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.is_visible(".skip-link")
    reached = []
    for _ in range(14):  # every control is reachable by Tab, and shows where focus is
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id"))
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid", reached[-1]
    controls = ("theme-toggle", "search", "quiz-toggle", "tag-filter", "study-filter", "expand-all")
    for control in controls:
        assert control in reached


def test_a_permalink_opens_its_card_in_view(visit: Callable[..., Visit], study_page: Path) -> None:
    v = visit(study_page, "#card-long-command", viewport={"width": 1000, "height": 600})
    top = v.page.eval_on_selector("#card-long-command", "e => e.getBoundingClientRect().top")
    assert 0 <= top < 600
    href = v.page.get_attribute("#card-long-command .permalink", "href")
    assert href == "#card-long-command"


def test_screenshots(browser: Any, study_page: Path, tmp_path: Path) -> None:
    shots = take_screenshots(browser, study_page, tmp_path / "screenshots")
    assert [shot.name for shot in shots] == ["light.png", "dark.png", "phone.png"]
    for shot in shots:
        assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert shot.stat().st_size > 5_000
