"""Studying from the HTML page, in real headless Chromium: grades, remembered progress,
the Due today filter, moving progress as a file, type-in answers, blocked storage.

The page's clock is the test's: ``clock.set_fixed_time`` makes ``Date.now()`` return
what the test says, so a day passes without waiting for it.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cardpress.model import CardKind
from cardpress.parse import load_content
from cardpress.renderers.html.study import card_fingerprint, typed_answer
from tests.renderers.html.test_browser import Visit
from tests.support.html_support import (
    WATCH_CSP,
    build_html,
    capture_console,
    raw_block,
    write_study_content,
)

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
STORAGE_KEY = "cardpress-progress:networking-basics"
ORDER = [
    "ordered-delivery",
    "tcp-three-way-handshake",
    "port",
    "how-do-you-list-listening-tcp",
    "diagram",
    "markup-is-text",
    "long-command",
    "handshake-hints",
]
MINUTE_MS = 60_000
DAY_MS = 86_400_000

BLOCK_STORAGE = """
Object.defineProperty(window, "localStorage", {
  get() { throw new DOMException("The operation is insecure.", "SecurityError"); }
});
"""


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return write_study_content(tmp_path / "content")


@pytest.fixture
def page_file(content: Path, tmp_path: Path) -> Path:
    return build_html(content, tmp_path / "dist") / "networking-basics.html"


class Study(Visit):
    """A visit with the page's clock in the test's hands."""

    def at(self, moment: datetime) -> None:
        self.page.clock.set_fixed_time(moment)

    def reload(self) -> None:
        self.reload_once_saved(STORAGE_KEY)

    def stored(self) -> dict[str, Any] | None:
        text = self.page.evaluate(f"localStorage.getItem({json.dumps(STORAGE_KEY)})")
        return None if text is None else dict(json.loads(text))

    def reveal(self, card: str) -> None:
        self.page.click(f"#card-{card} .card-question")
        assert self.page.is_visible("#grade-bar")

    def grade(self, card: str, grade: int) -> None:
        self.reveal(card)
        self.page.click(f'#grade-bar [data-grade="{grade}"]')
        assert self.page.is_hidden("#grade-bar")

    def due_count(self) -> int:
        return int(self.page.text_content("#due-count") or "-1")

    def option(self, value: str) -> str:
        text: str = self.page.eval_on_selector(
            f'#study-filter option[value="{value}"]', "o => o.textContent"
        )
        return text

    def card_status(self, card: str) -> str:
        selector = f"#card-{card} .card-study"
        return self.page.inner_text(selector) if self.page.locator(selector).count() else ""


@pytest.fixture
def study(browser: Any) -> Iterator[Callable[..., Study]]:
    contexts: list[Any] = []

    def open_page(path: Path, *, when: datetime = T0, init: str = "", **options: Any) -> Study:
        options.setdefault("timezone_id", "UTC")
        context = browser.new_context(accept_downloads=True, **options)
        contexts.append(context)
        context.add_init_script(WATCH_CSP + init)
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file:") else route.abort()
            ),
        )
        page = context.new_page()
        page.clock.set_fixed_time(when)
        result = Study(page, path.as_uri())
        capture_console(page, result.console, result.errors)
        page.on("request", lambda r: result.requests.append(r.url))
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(result.url)
        return result

    yield open_page
    for context in contexts:
        context.close()


# ---- The scheduler against Anki's own numbers ---------------------------------------------


def test_the_scheduler_matches_anki_reference_intervals(
    study: Callable[..., Study], page_file: Path
) -> None:
    """Reference values: Anki's SM-2 with its default preset (learning steps 1m 10m,
    graduating interval 1 day, easy interval 4 days, starting ease 250 %, easy bonus
    130 %, hard interval 120 %, new interval 0 %, minimum interval 1 day; the Anki manual,
    https://docs.ankiweb.net/deck-options.html) and the rules of Anki's v3 scheduler in
    rslib/src/scheduler/states/review.rs and learning.rs (ankitects/anki), computed in
    32-bit floats as Anki computes them, with fuzz off. For example a 10-day card of ease
    2.5 answered on its day: Hard 12 (10 x 1.2), Good 25 (10 x 2.5), Easy 33 (10 x 2.5 x
    1.3 = 32.5, rounded half away from zero), as the FAQ describes the buttons
    (https://faqs.ankiweb.net/what-spaced-repetition-algorithm.html)."""
    v = study(page_file)
    now = ms(T0)
    result = v.page.evaluate(
        """([now, DAY, MINUTE]) => {
        const s = cardpressScheduler;
        const waits = (state, at) => s.preview(state, at ?? now);
        const review = (ivl, ease, dueIn) =>
          ({queue: "review", step: 0, ivl, ease, due: now + dueIn * DAY, lapses: 0, reps: 5,
            last: now - ivl * DAY});
        const fresh = s.newState();
        const step1 = s.answer(fresh, 3, now);
        const lapsed = s.answer(review(10, 2.5, 0), 1, now);
        return {
          fresh: waits(fresh).map(w => w / MINUTE),
          step1: waits(step1).map(w => w / MINUTE),
          graduated: s.answer(step1, 3, now),
          easyNew: s.answer(fresh, 4, now),
          oneDay: waits(review(1, 2.5, 0)).map(w => w / DAY),
          tenDays: waits(review(10, 2.5, 0)).map(w => w / DAY),
          lateFour: waits(review(10, 2.5, -4)).map(w => w / DAY),
          early: waits(review(10, 2.5, 5)).map(w => w / DAY),
          lapsed: lapsed,
          relearnWaits: waits(lapsed).map(w => w / MINUTE),
          afterLapse: [s.answer(lapsed, 3, now).ivl, s.answer(lapsed, 4, now).ivl],
          hardEase: s.answer(review(10, 2.5, 0), 2, now).ease,
          easyEase: s.answer(review(10, 2.5, 0), 4, now).ease,
          floorEase: s.answer(review(10, 1.3, 0), 1, now).ease,
          lowEase: waits(review(3, 1.3, 0)).map(w => w / DAY),
          capped: waits(review(30000, 2.5, 0)).map(w => w / DAY).slice(1)
        };
        }""",
        [now, DAY_MS, MINUTE_MS],
    )
    # A new card: Again 1m, Hard 5.5m (the mean of the two steps), Good 10m, Easy 4 days.
    assert result["fresh"] == [1, 5.5, 10, 4 * 1440]
    # On the second step: Hard repeats it; Good graduates to 1 day.
    assert result["step1"] == [1, 10, 1440, 4 * 1440]
    assert result["graduated"]["queue"] == "review" and result["graduated"]["ivl"] == 1
    assert result["graduated"]["ease"] == 2.5
    assert result["easyNew"]["ivl"] == 4
    # A 1-day card: Hard 1.2 -> at least 2; Good 2.5 -> 3 (at least Hard + 1); Easy 4.
    assert result["oneDay"][1:] == [2, 3, 4]
    assert result["tenDays"][1:] == [12, 25, 33]
    # Four days late: Good counts half the delay ((10 + 2) x 2.5 = 30), Easy all of it
    # ((10 + 4) x 2.5 x 1.3 = 45.5 -> 46).
    assert result["lateFour"][1:] == [12, 30, 46]
    # Five days early: as on its day, as Anki does outside filtered decks (the backend
    # comparison is tests/renderers/html/test_scheduler_anki.py).
    assert result["early"][1:] == [12, 25, 33]
    # Again on a review card: a lapse, ease -20 points, one 10-minute relearning step,
    # back at 1 day (new interval 0 %, minimum 1), 2 days on Easy.
    lapsed = result["lapsed"]
    assert (lapsed["queue"], lapsed["lapses"], lapsed["ease"], lapsed["ivl"]) == (
        "relearn",
        1,
        2.3,
        1,
    )
    assert result["relearnWaits"] == [10, 15, 1440, 2 * 1440]
    assert result["afterLapse"] == [1, 2]
    assert (result["hardEase"], result["easyEase"], result["floorEase"]) == (2.35, 2.65, 1.3)
    # Ease 1.3, 3 days: Hard 3.6 -> 4, Good 3.9 -> 4 but at least Hard + 1 = 5, Easy
    # 5.07 -> 5 but at least Good + 1 = 6.
    assert result["lowEase"][1:] == [4, 5, 6]
    assert result["capped"] == [36000, 36500, 36500]  # the maximum interval, 100 years


# ---- Remembered progress ------------------------------------------------------------------

# Ten answers: every card once, then the two cards answered Again.
FIRST_PASS = [3, 3, 1, 4, 3, 2, 4, 1]


def review_ten(v: Study) -> None:
    v.page.click("#quiz-toggle")
    for card, grade in zip(ORDER, FIRST_PASS, strict=True):
        v.grade(card, grade)
    assert v.page.is_visible("#session-summary")  # the last card ends the session
    summary = v.page.inner_text("#summary-list")
    assert "8 cards, 8 answers" in summary
    v.page.click("#summary-close")
    v.at(T0 + timedelta(minutes=15))
    v.grade("port", 3)
    v.grade("handshake-hints", 3)


def test_ten_reviews_survive_a_reload(study: Callable[..., Study], page_file: Path) -> None:
    v = study(page_file)
    assert v.due_count() == 0 and v.option("new") == "New (8)"
    review_ten(v)
    stored = v.stored()
    assert stored is not None and stored["deck"] == "networking-basics"
    states = stored["cards"]
    assert sorted(states) == sorted(ORDER)
    t0, t15 = ms(T0), ms(T0 + timedelta(minutes=15))
    assert states["ordered-delivery"] | {"fp": ""} == {
        "queue": "learn",
        "step": 1,
        "ivl": 0,
        "ease": 2.5,
        "due": t0 + 10 * MINUTE_MS,
        "lapses": 0,
        "reps": 1,
        "last": t0,
        "fp": "",
    }
    assert states["how-do-you-list-listening-tcp"]["queue"] == "review"
    assert states["how-do-you-list-listening-tcp"]["due"] == t0 + 4 * DAY_MS
    assert states["markup-is-text"]["due"] == t0 + 330_000  # Hard on the first step: 5.5m
    assert states["port"]["reps"] == 2 and states["port"]["step"] == 1
    assert states["port"]["due"] == t15 + 10 * MINUTE_MS
    # Due today: the six cards still learning; the two answered Easy wait 4 days.
    assert v.due_count() == 6 and v.option("due") == "Due today (6)"
    statuses = {card: v.card_status(card) for card in ORDER}
    assert statuses["long-command"] == "Next review in 4d"
    assert statuses["tcp-three-way-handshake"] == "Due"

    v.reload()
    assert v.stored() == stored
    assert v.due_count() == 6 and v.option("new") == "New (0)"
    assert {card: v.card_status(card) for card in ORDER} == statuses
    v.page.select_option("#study-filter", "due")
    assert len(v.visible_cards()) == 6
    assert "card-long-command" not in v.visible_cards()

    # Four days later everything is due, and the filter follows the clock.
    v.at(T0 + timedelta(days=4, hours=1))
    v.reload()
    assert v.due_count() == 8
    assert v.card_status("long-command") == "Due"
    assert v.errors == [] and v.console == [] and v.csp_violations() == []


def test_an_edited_card_keeps_its_state_and_is_marked_changed(
    study: Callable[..., Study], content: Path, page_file: Path
) -> None:
    v = study(page_file)
    v.page.click("#quiz-toggle")
    v.grade("ordered-delivery", 3)
    v.grade("port", 4)
    before = v.stored()
    assert before is not None
    assert v.option("changed") == "Changed (0)"

    source = content / "networking.md"
    text = source.read_text(encoding="utf-8")
    edited = text.replace("it numbers every byte", "it numbers every byte it sends")
    assert edited != text
    source.write_text(edited, encoding="utf-8")
    build_html(content, page_file.parent)
    v.reload()

    assert v.stored() == before  # nothing was lost or reset by the rebuild
    assert v.card_status("ordered-delivery").startswith("Changed since you last saw it")
    assert "Changed" not in v.card_status("port")
    assert v.option("changed") == "Changed (1)"
    v.page.select_option("#study-filter", "changed")
    assert v.visible_cards() == ["card-ordered-delivery"]
    # Reviewing it again takes the new content as seen.
    v.page.select_option("#study-filter", "")
    v.page.click("#quiz-toggle")
    v.grade("ordered-delivery", 3)
    assert "Changed" not in v.card_status("ordered-delivery")
    assert v.option("changed") == "Changed (0)"
    after = v.stored()
    assert after is not None
    assert after["cards"]["ordered-delivery"]["reps"] == 2
    assert after["cards"]["ordered-delivery"]["queue"] == "review"


# ---- Moving progress ----------------------------------------------------------------------


def test_export_reset_import_gives_the_identical_state(
    study: Callable[..., Study], page_file: Path, tmp_path: Path
) -> None:
    v = study(page_file)
    review_ten(v)
    before = v.stored()
    due_before = v.due_count()
    v.page.click("#progress-menu summary")
    with v.page.expect_download() as download_info:
        v.page.click("#export-progress")
    exported = tmp_path / "progress.json"
    download_info.value.save_as(exported)
    assert download_info.value.suggested_filename == "networking-basics-progress.json"
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert before is not None
    assert data["format"] == "cardpress-progress" and data["cards"] == before["cards"]

    v.page.click("#reset-progress")  # confirmed by the dialog handler
    assert v.stored() is None
    assert v.due_count() == 0 and v.option("new") == "New (8)"
    assert v.card_status("port") == ""

    v.page.set_input_files("#import-file", exported)
    v.page.wait_for_selector("#progress-message:has-text('Imported')")
    assert v.page.text_content("#progress-message") == "Imported the progress of 8 cards."
    assert v.stored() == before
    assert v.due_count() == due_before
    assert v.requests == [page_file.as_uri()]  # the export and import made no request


def test_a_malformed_or_foreign_file_is_refused_with_a_message(
    study: Callable[..., Study], page_file: Path, tmp_path: Path
) -> None:
    v = study(page_file)
    v.page.click("#quiz-toggle")
    v.grade("port", 3)
    before = v.stored()
    assert before is not None
    v.page.click("#progress-menu summary")
    good_state = before["cards"]["port"]

    def try_import(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        v.page.evaluate("document.getElementById('progress-message').textContent = ''")
        v.page.set_input_files("#import-file", path)
        v.page.wait_for_selector("#progress-message:not(:empty)")  # CSP forbids eval
        return v.page.text_content("#progress-message") or ""

    assert try_import("broken.json", '{"format": "cardpress-progress", ') == (
        "Not imported: the file is not JSON. Nothing was changed."
    )
    assert try_import("other.json", json.dumps({"cards": {}})) == (
        "Not imported: This is not a cardpress progress file. Nothing was changed."
    )
    foreign = {"format": "cardpress-progress", "version": 1, "deck": "aws-devops", "cards": {}}
    message = try_import("foreign.json", json.dumps(foreign))
    assert "for the deck \u201caws-devops\u201d, not for \u201cnetworking-basics\u201d" in message
    newer = {"format": "cardpress-progress", "version": 2, "deck": "networking-basics"}
    assert "version 2" in try_import("newer.json", json.dumps(newer))
    # Values of the wrong type, some of which cannot even be turned into text.
    head = {"format": "cardpress-progress", "version": 1, "deck": "networking-basics"}
    unprintable = {"toString": 1, "valueOf": 1}
    for field, value, refusal in [
        ("version", unprintable, "This progress file has no version number."),
        ("version", {}, "This progress file has no version number."),
        ("version", "1", "This progress file has no version number."),
        ("version", [1], "This progress file has no version number."),
        ("deck", unprintable, "This progress file names no deck."),
        ("deck", None, "This progress file names no deck."),
        ("cards", [good_state], "This progress file has no cards."),
        ("cards", "port", "This progress file has no cards."),
    ]:
        text = json.dumps({**head, "cards": {}, field: value})
        assert try_import(f"{field}.json", text) == f"Not imported: {refusal} Nothing was changed."
    assert try_import("list.json", "[1, 2]") == (
        "Not imported: This is not a cardpress progress file. Nothing was changed."
    )
    assert v.stored() == before  # none of these changed anything

    # A file with some good and some bad entries: the good ones are taken, the rest named.
    later = dict(good_state, reps=7, last=good_state["last"] + 1)
    mixed = {
        "format": "cardpress-progress",
        "version": 1,
        "deck": "networking-basics",
        "cards": {
            "port": later,
            "a-card-since-removed": good_state,
            "diagram": dict(good_state, ease="high"),
            "long-command": dict(good_state, queue="suspended"),
            "__proto__": good_state,
        },
    }
    message = try_import("mixed.json", json.dumps(mixed))
    assert message == (
        "Imported the progress of 1 card. Skipped 4: a-card-since-removed (not in this deck),"
        " diagram (bad ease), long-command (unknown queue), __proto__ (not a card id)."
    )
    after = v.stored()
    assert after is not None and after["cards"] == {"port": later}
    assert v.errors == [] and v.console == []


def test_blocked_storage_leaves_a_working_page_that_says_so(
    study: Callable[..., Study], page_file: Path
) -> None:
    v = study(page_file, init=BLOCK_STORAGE)
    assert v.page.is_visible("#storage-note")
    assert "Progress will not be kept" in (v.page.text_content("#storage-note") or "")
    v.page.click("#quiz-toggle")
    v.grade("ordered-delivery", 3)
    v.grade("port", 4)
    assert v.due_count() == 1  # kept for this visit
    assert v.card_status("port") == "Next review in 4d"
    v.page.click("#theme-toggle")  # the theme switch does not need storage either
    assert v.errors == [] and v.console == [] and v.csp_violations() == []


def test_two_tabs_of_one_deck_keep_each_other_current(
    study: Callable[..., Study], page_file: Path
) -> None:
    first = study(page_file)
    second = Study(first.page.context.new_page(), first.url)
    second.page.clock.set_fixed_time(T0)
    second.page.goto(second.url)
    first.page.click("#quiz-toggle")
    first.grade("port", 3)
    second.page.wait_for_selector("#card-port .card-study")
    assert second.due_count() == 1 and second.option("new") == "New (7)"
    second.page.click("#quiz-toggle")
    second.grade("diagram", 4)  # builds on the first tab's answer instead of erasing it
    first.page.wait_for_selector("#card-diagram .card-study")
    stored = first.stored()
    assert stored is not None and sorted(stored["cards"]) == ["diagram", "port"]


def test_a_tab_that_heard_no_storage_event_catches_up_when_shown_again(
    study: Callable[..., Study], page_file: Path
) -> None:
    """A tab frozen in the background misses storage events: coming back into view, it
    reads the answers given meanwhile in another tab."""
    deaf = "addEventListener('storage', e => e.stopImmediatePropagation(), true);"
    first = study(page_file, init=f"if (window.name === 'deaf') {{ {deaf} }}")
    second = Study(first.page.context.new_page(), first.url)
    second.page.clock.set_fixed_time(T0)
    second.page.goto("about:blank")
    second.page.evaluate("window.name = 'deaf'")
    second.page.goto(second.url)
    first.page.click("#quiz-toggle")
    first.grade("port", 3)
    assert second.card_status("port") == ""
    second.page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    second.page.wait_for_selector("#card-port .card-study")
    assert second.due_count() == 1


def test_the_page_studies_the_same_from_a_static_host(
    browser: Any,
    page_file: Path,
) -> None:
    """Served over HTTP by a plain static server instead of opened from disk."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=page_file.parent)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(timezone_id="UTC")
    try:
        url = f"http://127.0.0.1:{server.server_port}/{page_file.name}"
        page = context.new_page()
        page.clock.set_fixed_time(T0)
        v = Study(page, url)
        page.on("console", lambda m: v.console.append(f"{m.type}: {m.text}"))
        page.on("request", lambda r: v.requests.append(r.url))
        page.goto(url)
        page.click("#quiz-toggle")
        v.grade("port", 4)
        v.reload()
        assert v.card_status("port") == "Next review in 4d"
        assert v.due_count() == 0 and v.option("new") == "New (7)"
        assert v.console == []
        assert {r.split("#")[0] for r in v.requests} == {url}
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def test_damaged_stored_progress_does_not_break_the_page(
    study: Callable[..., Study], page_file: Path
) -> None:
    v = study(page_file)
    v.page.evaluate(f"localStorage.setItem({json.dumps(STORAGE_KEY)}, '{{not json')")
    v.reload()
    assert v.due_count() == 0 and v.option("new") == "New (8)"
    v.page.click("#quiz-toggle")
    v.grade("port", 3)
    assert v.stored() is not None
    assert v.errors == [] and v.console == []


# ---- Type-in answers ----------------------------------------------------------------------


def comparison(v: Study, card: str) -> list[list[tuple[str, str]]]:
    lines: list[list[tuple[str, str]]] = v.page.eval_on_selector_all(
        f"#card-{card} .type-line",
        "lines => lines.map(l => [...l.children].map(s => [s.className, s.textContent]))",
    )
    return [[(cls, text) for cls, text in line] for line in lines]


def test_a_typed_answer_is_compared_like_anki_does(
    study: Callable[..., Study], page_file: Path
) -> None:
    v = study(page_file)
    assert v.page.is_hidden("#card-diagram .type-input")  # only in quiz mode
    v.page.click("#quiz-toggle")
    v.page.fill("#card-diagram .type-input", "Two pixels, red then blue")
    v.page.press("#card-diagram .type-input", "Enter")
    assert v.answer_visibility("card-diagram") == "visible"
    assert v.page.is_visible("#grade-bar")
    assert comparison(v, "diagram") == [
        [("type-good", "Two pixels"), ("type-bad", ","), ("type-good", " red then blue")],
        [
            ("type-good", "Two pixels"),
            ("type-missed", ":"),
            ("type-good", " red"),
            ("type-missed", ","),
            ("type-good", " then blue"),
            ("type-missed", "."),
        ],
    ]
    v.page.keyboard.press("2")
    assert v.page.input_value("#card-diagram .type-input") == ""  # ready for next time

    # A cloze card compares with its deletions, in order.
    v.page.fill("#card-tcp-three-way-handshake .type-input", "SYN, SYN-ACK, ACK")
    v.page.click("#card-tcp-three-way-handshake .type-check")
    assert v.page.text_content("#card-tcp-three-way-handshake .type-verdict") == "Correct"
    assert comparison(v, "tcp-three-way-handshake") == [[("type-good", "SYN, SYN-ACK, ACK")]]
    assert v.errors == [] and v.csp_violations() == []


def test_the_page_carries_fingerprints_and_expected_answers(content: Path, page_file: Path) -> None:
    page = page_file.read_text(encoding="utf-8")
    index = json.loads(raw_block(page, '<script type="application/json" id="search-index">'))
    (deck,) = load_content(content)
    cards = {card.id: card for card in deck.cards()}
    for row in index["cards"]:  # [id, section, tags, text, fingerprint, expected answer?]
        card = cards[row[0]]
        assert row[4] == card_fingerprint(card)
        assert (len(row) == 6) == card.type_in
    expect = {row[0]: row[5] for row in index["cards"] if len(row) == 6}
    assert expect["diagram"] == "Two pixels: red, then blue."
    assert expect["tcp-three-way-handshake"] == "SYN, SYN-ACK, ACK"
    handshake = cards["tcp-three-way-handshake"]
    assert handshake.kind is CardKind.CLOZE and typed_answer(handshake) == "SYN, SYN-ACK, ACK"
    assert len({row[4] for row in index["cards"]}) == len(index["cards"])


# ---- Keyboard only, and a phone -----------------------------------------------------------


def test_a_whole_session_by_keyboard(study: Callable[..., Study], page_file: Path) -> None:
    v = study(page_file)
    keys = v.page.keyboard
    keys.press("q")  # focuses the first card
    for card in ORDER:  # grading moves the focus on to the next card
        assert v.page.evaluate("document.activeElement.id") == f"card-{card}"
        keys.press("Enter")
        if card in ("tcp-three-way-handshake", "diagram"):  # type-in: Enter goes to the field
            assert v.page.evaluate("document.activeElement.id") == f"t-card-{card}"
            keys.type("SYN")
            keys.press("Enter")
            assert v.page.evaluate("document.activeElement.id") == f"card-{card}"
        assert v.page.is_visible("#grade-bar")
        keys.press("3")
        assert v.page.is_hidden("#grade-bar")
    assert v.page.evaluate("document.activeElement.id") == "session-summary"
    assert "8 cards, 8 answers" in v.page.inner_text("#summary-list")
    keys.press("Tab")
    assert v.page.evaluate("document.activeElement.id") == "summary-close"
    keys.press("Enter")
    assert v.page.is_hidden("#session-summary")
    assert v.due_count() == 8
    assert v.errors == []


def test_studying_on_a_phone(study: Callable[..., Study], page_file: Path) -> None:
    v = study(
        page_file,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    inside = v.page.evaluate(
        """() => { const bar = document.getElementById("toolbar").getBoundingClientRect();
        const controls = "#toolbar button, #toolbar select, .toolbar-foot button,"
          + " .toolbar-foot summary";
        return [...document.querySelectorAll(controls)]
          .filter(e => e.offsetParent !== null)
          .every(e => { const r = e.getBoundingClientRect();
                        return r.left >= bar.left && r.right <= bar.right; }); }"""
    )
    assert inside  # every control, the Progress menu too, stays inside the bar's width
    v.page.tap("#quiz-toggle")
    v.page.tap("#card-port .answer-zone")
    bar = v.page.eval_on_selector(
        "#grade-bar",
        "e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.bottom]; }",
    )
    assert bar[0] >= 0 and bar[1] <= 360 and bar[2] <= 740
    for button in v.page.query_selector_all("#grade-bar .grade"):
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 70  # a thumb's size
    v.page.fill("#search", "handshake")  # the answer being graded is filtered away
    assert v.page.is_hidden("#grade-bar")
    v.page.fill("#search", "")
    v.page.tap("#card-port .answer-zone")
    v.page.tap('#grade-bar [data-grade="3"]')
    assert v.card_status("port") == "Due today, in 10m"
    v.page.tap("#progress-menu summary")
    panel = v.page.eval_on_selector(
        ".progress-panel", "e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; }"
    )
    assert panel[0] >= 0 and panel[1] <= 360
    widths = v.page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1] == 360
