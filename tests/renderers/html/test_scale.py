"""The page of a big deck in real Chromium: its cards come as chunks the script renders as
they come into view, yet the search finds every card, narrowing and widening exactly as a
full search would; a link, a key or a grade reaches a card never rendered; printing
renders every card; without JavaScript every card and answer is there."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from cardpress.renderers.html.index import CHUNK_CARDS, search_key
from tests.renderers.html.test_screen import violations
from tests.support.html_support import WATCH_CSP, build_html

CARDS = 1500
PER_FILE = 50
WORDS = ("route", "packet", "subnet", "gateway", "socket", "frame", "header", "window")


def answer(number: int) -> str:
    """Text a search tells apart: a word from ``WORDS`` by number, and the card's own."""
    return f"The {WORDS[number % len(WORDS)]} of card {number} is marker{number:04d}x."


def write_deck(content: Path) -> None:
    folder = content / "big"
    folder.mkdir(parents=True)
    (folder / "index.md").write_text("---\ntitle: Big\nid: big\n---\n\nMany cards.\n")
    for start in range(0, CARDS, PER_FILE):
        body = [f"## Part {start // PER_FILE + 1:03d}", ""]
        for number in range(start, start + PER_FILE):
            body += [f"### Question {number}?", "", answer(number), ""]
        (folder / f"{start // PER_FILE:03d}.md").write_text("\n".join(body))


@pytest.fixture(scope="module")
def big_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("html-scale")
    write_deck(root / "content")
    return build_html(root / "content", root / "dist") / "big.html"


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    opened = browser.new_context(viewport={"width": 1200, "height": 800})
    opened.add_init_script(WATCH_CSP)
    yield opened
    opened.close()


def open_big(context: Any, big_page: Path, fragment: str = "") -> Any:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(big_page.as_uri() + fragment)
    settle(page)
    page.errors = errors
    return page


@pytest.fixture
def page(context: Any, big_page: Path) -> Iterator[Any]:
    opened = open_big(context, big_page)
    yield opened
    assert opened.errors == []
    assert opened.evaluate("window.__cspViolations") == []


def settle(page: Any) -> None:
    """Two frames: the script renders the chunks near the window at a frame."""
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def card_id(number: int) -> str:
    return f"card-question-{number}"


def rendered(page: Any, number: int) -> bool:
    return bool(page.evaluate("(id) => document.getElementById(id) !== null", card_id(number)))


def shown_now(page: Any) -> list[int]:
    """The cards rendered and not hidden, in the page's order."""
    ids = page.evaluate(
        "() => Array.from(document.querySelectorAll('article.card'))"
        ".filter((el) => !el.closest('[hidden]')).map((el) => el.id)"
    )
    return [int(re.sub(r"\D", "", card)) for card in ids]


def in_view(page: Any, number: int) -> bool:
    script = """(id) => { const box = document.getElementById(id).getBoundingClientRect();
      return box.bottom > 0 && box.top < innerHeight; }"""
    return bool(page.evaluate(script, card_id(number)))


def index_texts(big_page: Path) -> dict[int, str]:
    """Each card's text as the page's search index holds it (written by the build)."""
    html = big_page.read_text(encoding="utf-8")
    raw = html.split('<script type="application/json" id="search-index">')[1].split("</script>")[0]
    rows = json.loads(raw)["cards"]
    return {int(re.sub(r"\D", "", row[0])): row[3] for row in rows}


@pytest.fixture(scope="module")
def texts(big_page: Path) -> dict[int, str]:
    return index_texts(big_page)


def full_search(texts: dict[int, str], query: str) -> list[int]:
    """The cards a search of every card for ``query`` shows: each term in the card's text."""
    terms = search_key(query).split()
    return [n for n, text in sorted(texts.items()) if all(t in text for t in terms)]


def status(page: Any) -> str:
    return str(page.text_content("#status"))


def check_results(page: Any, expected: list[int], query: str) -> None:
    """What the reader sees of a search: the count, the first results in view, and only
    results among the cards rendered."""
    assert status(page) == (
        f"{CARDS} cards" if len(expected) == CARDS else f"Showing {len(expected)} of {CARDS} cards"
    ), query
    shown = shown_now(page)
    assert set(shown) <= set(expected), query
    if expected:
        assert shown[0] == expected[0], query
        assert in_view(page, expected[0]), query


def test_the_page_holds_its_cards_in_chunks_of_markup(big_page: Path) -> None:
    html = big_page.read_text(encoding="utf-8")
    assert html.count('<div class="card-chunk"><noscript>') == CARDS // PER_FILE * 2  # 40 + 10
    assert CHUNK_CARDS == 40
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    assert policy is not None
    assert "trusted-types cardpress-cards;" in policy.group(1) + ";"


def test_opening_renders_only_the_cards_near_the_window(page: Any) -> None:
    assert rendered(page, 0) and in_view(page, 0)
    count = page.evaluate("document.querySelectorAll('article.card').length")
    assert 0 < count <= 3 * CHUNK_CARDS
    assert not rendered(page, CARDS - 1)
    assert status(page) == f"{CARDS} cards"


def test_a_search_finds_a_card_that_was_never_rendered(page: Any) -> None:
    assert not rendered(page, CARDS - 2)
    page.fill("#search", f"marker{CARDS - 2:04d}x")
    assert status(page) == f"Showing 1 of {CARDS} cards"
    settle(page)
    assert shown_now(page) == [CARDS - 2]
    assert page.is_visible(f"#{card_id(CARDS - 2)} .answer")
    assert in_view(page, CARDS - 2)


def test_scrolling_renders_the_cards_that_come_into_view(page: Any) -> None:
    page.mouse.wheel(0, 20_000)
    page.wait_for_function("scrollY > 15000")
    settle(page)
    seen = page.evaluate(
        """() => Array.from(document.querySelectorAll('article.card')).filter((el) => {
          const box = el.getBoundingClientRect(); return box.bottom > 0 && box.top < innerHeight;
        }).length"""
    )
    assert seen > 0
    assert page.evaluate("document.querySelectorAll('.card-chunk:not(.is-rendered)').length") > 0


def test_the_index_holds_each_cards_text_as_the_search_compares_it(
    texts: dict[int, str],
) -> None:
    assert len(texts) == CARDS
    assert texts[7] == f"question 7? {answer(7).lower()} part-001"  # the section's tag last
    accented = search_key("Ça Déjà-vu ÉTÉ ﬁle")
    assert accented == "ca deja-vu ete file"  # what the page's normalize makes of it


def test_typing_and_deleting_narrows_and_widens_like_a_full_search(
    page: Any, texts: dict[int, str]
) -> None:
    typed = ""
    for key in "gateway 1":
        typed += key
        page.type("#search", key)
        check_results(page, full_search(texts, typed), typed)
    for _ in range(len("way 1")):
        page.press("#search", "Backspace")
        typed = typed[:-1]
        check_results(page, full_search(texts, typed), typed)
    page.fill("#search", "")
    check_results(page, list(range(CARDS)), "")
    # Printing renders every chunk: the whole list, as a full search gives it.
    page.fill("#search", "packet 1")
    page.emulate_media(media="print")
    settle(page)  # the page hears of the print media at its next frame
    assert shown_now(page) == full_search(texts, "packet 1")
    page.emulate_media(media="screen")
    page.fill("#search", "")
    assert shown_now(page) == list(range(CARDS))


def test_a_filter_change_after_a_search_looks_at_every_card_again(
    page: Any, texts: dict[int, str]
) -> None:
    part = list(range(PER_FILE, 2 * PER_FILE))
    page.fill("#search", "packet")
    check_results(page, full_search(texts, "packet"), "packet")
    page.select_option("#section-filter", index=2)  # the second part alone
    check_results(page, [n for n in full_search(texts, "packet") if n in part], "part")
    page.fill("#search", "packet 6")  # narrower text, in that part
    check_results(page, [n for n in full_search(texts, "packet 6") if n in part], "packet 6")
    page.select_option("#section-filter", value="")
    check_results(page, full_search(texts, "packet 6"), "all parts")


def test_a_link_to_a_card_far_down_opens_it_in_view(context: Any, big_page: Path) -> None:
    far = CARDS - 60
    page = open_big(context, big_page, f"#{card_id(far)}")
    settle(page)
    assert in_view(page, far)
    assert page.get_attribute(f"#{card_id(far)}", "class") == "card card-basic is-open is-target"
    assert not rendered(page, CARDS // 2)  # the cards between were not rendered
    # j and k walk on across chunks, rendering as they go.
    for step in range(1, CHUNK_CARDS + 5):
        page.keyboard.press("j")
        focused = page.evaluate("document.activeElement.id")
        assert focused == card_id(far + step)
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == card_id(far + CHUNK_CARDS + 3)
    assert page.errors == []


def test_a_link_to_a_card_the_filters_hide_clears_them(context: Any, big_page: Path) -> None:
    page = open_big(context, big_page)
    page.fill("#search", "marker0001x")
    page.evaluate("(id) => { location.hash = id; }", card_id(1200))
    page.wait_for_function("(id) => document.getElementById(id) !== null", arg=card_id(1200))
    settle(page)
    assert page.input_value("#search") == ""
    assert in_view(page, 1200)
    assert status(page) == f"{CARDS} cards"


def test_quiz_and_grades_reach_cards_rendered_later(context: Any, big_page: Path) -> None:
    page = open_big(context, big_page)
    page.keyboard.press("q")  # quiz mode: every answer hidden, those not rendered too
    far = CARDS - 3
    page.fill("#search", f"marker{far:04d}x")
    settle(page)
    toggle = f"#{card_id(far)} .card-toggle"
    assert page.get_attribute(toggle, "aria-expanded") == "false"
    page.click(f"#{card_id(far)} .card-question")
    assert page.is_visible("#grade-bar")
    page.click('#grade-bar [data-grade="3"]')
    assert page.get_attribute(toggle, "aria-expanded") == "false"
    assert page.text_content(f"#{card_id(far)} .card-study") == "Due today, in 10m"
    # Another visit: the grade is kept, and shown when the card is rendered.
    again = open_big(context, big_page)
    assert not rendered(again, far)
    again.select_option("#study-filter", "new")
    assert status(again) == f"Showing {CARDS - 1} of {CARDS} cards"
    again.select_option("#study-filter", "")
    again.fill("#search", f"marker{far:04d}x")
    settle(again)
    assert again.text_content(f"#{card_id(far)} .card-study") == "Due today, in 10m"
    assert page.errors == [] and again.errors == []


def test_printing_renders_every_card(page: Any, texts: dict[int, str]) -> None:
    page.fill("#search", "subnet")  # print what the filters show: the subnet cards
    expected = full_search(texts, "subnet")
    assert not rendered(page, expected[-1])
    pdf = PdfReader(io.BytesIO(page.pdf()))
    text = "".join(sheet.extract_text() for sheet in pdf.pages)
    printed = [int(n) for n in re.findall(r"marker(\d{4})x", text)]
    assert printed == expected


def test_axe_finds_no_violation_on_the_big_page(context: Any, big_page: Path) -> None:
    page = open_big(context, big_page)
    page.mouse.wheel(0, 6_000)
    page.wait_for_function("scrollY > 5000")
    settle(page)
    assert violations(page) == []


def test_without_javascript_and_in_print_every_answer_is_there(
    browser: Any,
    big_page: Path,
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(big_page.as_uri())
        assert page.evaluate("() => document.documentElement.className") == "no-js"
        last = page.locator(f"#{card_id(CARDS - 1)}")
        assert last.locator(".answer").text_content().strip() == answer(CARDS - 1)
        assert shown_now(page) == list(range(CARDS))
        last.scroll_into_view_if_needed()
        deadline = time.monotonic() + 60
        while not last.locator(".answer").is_visible():
            assert time.monotonic() < deadline, "the last answer never shows"
            page.wait_for_timeout(50)
        gap = page.evaluate(
            """() => { const a = document.getElementById('card-question-0').getBoundingClientRect();
              const b = document.getElementById('card-question-1').getBoundingClientRect();
              return b.top - a.bottom; }"""
        )
        assert gap > 5  # laid out as a list of cards, not run together
    finally:
        context.close()
