"""The page of a big deck in real Chromium: the browser lays out only the cards near the
window, yet the search finds every card, narrowing and widening exactly as a full search
would; without JavaScript and in print, every card and answer is there."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cardpress.renderers.html.page import search_key
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
def page(browser: Any, big_page: Path) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    context.add_init_script(WATCH_CSP)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda e: errors.append(str(e)))
    opened.goto(big_page.as_uri())
    yield opened
    assert errors == []
    assert opened.evaluate("window.__cspViolations") == []
    context.close()


def comes_into_layout(page: Any, number: int) -> None:
    """Wait until the browser lays the card out (it decides at a next frame); polled from
    here, since a page without JavaScript runs no waiting script of its own."""
    deadline = time.monotonic() + 60
    while not laid_out(page, number):
        assert time.monotonic() < deadline, f"card {number} is never laid out"
        page.wait_for_timeout(50)


def laid_out(page: Any, number: int) -> bool:
    """Whether the browser has laid out the card's question (not skipped as off screen)."""
    script = (
        "(n) => document.getElementById(`q-card-question-${n}`)"
        ".checkVisibility({ contentVisibilityAuto: true })"
    )
    return bool(page.evaluate(script, number))


def shown_numbers(page: Any) -> list[int]:
    ids = page.evaluate(
        "() => Array.from(document.querySelectorAll('article.card'))"
        ".filter((el) => !el.closest('[hidden]')).map((el) => el.id)"
    )
    return [int(re.sub(r"\D", "", card_id)) for card_id in ids]


def index_texts(big_page: Path) -> dict[int, str]:
    """Each card's text as the page's search index holds it (written by the build)."""
    html = big_page.read_text(encoding="utf-8")
    raw = html.split('<script type="application/json" id="search-index">')[1].split("</script>")[0]
    cards = json.loads(raw)["cards"]
    return {int(re.sub(r"\D", "", card["id"])): card["text"] for card in cards}


@pytest.fixture(scope="module")
def texts(big_page: Path) -> dict[int, str]:
    return index_texts(big_page)


def full_search(texts: dict[int, str], query: str) -> list[int]:
    """The cards a search of every card for ``query`` shows: each term in the card's text."""
    terms = search_key(query).split()
    return [n for n, text in sorted(texts.items()) if all(t in text for t in terms)]


def status(page: Any) -> str:
    return str(page.text_content("#status"))


def test_a_search_finds_a_card_the_browser_has_not_laid_out(page: Any) -> None:
    assert laid_out(page, 0)
    assert not laid_out(page, CARDS - 2)  # far below the window: skipped

    page.fill("#search", f"marker{CARDS - 2:04d}x")
    assert status(page) == f"Showing 1 of {CARDS} cards"
    assert shown_numbers(page) == [CARDS - 2]
    card = page.locator(f"#card-question-{CARDS - 2}")
    card.scroll_into_view_if_needed()
    comes_into_layout(page, CARDS - 2)
    assert card.is_visible()


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
    def expected(query: str) -> list[int]:
        return full_search(texts, query)

    typed = ""
    for key in "gateway 1":
        typed += key
        page.type("#search", key)
        assert shown_numbers(page) == expected(typed), typed
    for _ in range(len("way 1")):
        page.press("#search", "Backspace")
        typed = typed[:-1]
        assert shown_numbers(page) == expected(typed), typed
    assert status(page) == f"Showing {len(expected(typed))} of {CARDS} cards"
    page.fill("#search", "")
    assert len(shown_numbers(page)) == CARDS
    assert status(page) == f"{CARDS} cards"


def test_a_filter_change_after_a_search_looks_at_every_card_again(
    page: Any, texts: dict[int, str]
) -> None:
    def expected(query: str) -> list[int]:
        return full_search(texts, query)

    page.fill("#search", "packet")
    assert shown_numbers(page) == expected("packet")
    page.select_option("#section-filter", index=2)  # the second part alone
    part = list(range(PER_FILE, 2 * PER_FILE))
    assert shown_numbers(page) == [n for n in expected("packet") if n in part]
    page.fill("#search", "packet 6")  # narrower text, in that part
    assert shown_numbers(page) == [n for n in expected("packet 6") if n in part]
    page.select_option("#section-filter", value="")
    assert shown_numbers(page) == expected("packet 6")


def test_without_javascript_and_in_print_every_answer_is_there(
    browser: Any,
    big_page: Path,
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(big_page.as_uri())
        assert page.evaluate("() => document.documentElement.className") == "no-js"
        assert page.get_attribute("main", "class") == "lazy-cards"
        last = page.locator(f"#card-question-{CARDS - 1}")
        assert last.locator(".answer").text_content().strip() == answer(CARDS - 1)
        assert len(shown_numbers(page)) == CARDS
        last.scroll_into_view_if_needed()
        comes_into_layout(page, CARDS - 1)
        assert last.locator(".answer").is_visible()
    finally:
        context.close()

    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(big_page.as_uri())
        assert not laid_out(page, CARDS - 1)
        page.emulate_media(media="print")
        comes_into_layout(page, CARDS - 1)  # printing lays out every card, far ones too
    finally:
        context.close()
