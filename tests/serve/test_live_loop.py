"""``cardpress serve`` after an edit: the page first (its reload announced as soon as it is
written), the deck next, the printouts in the background, each announced when ready; a
newer edit stops printouts that it made stale, and they leave the previous ones intact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cardpress.build.interrupts import PRINTOUTS_HOLD_ENV
from cardpress.serve.page import NOTICE_ID, STATUS_PATH
from cardpress.serve.server import BuildStatus
from tests.conftest import ROOT
from tests.support.files_support import write_files
from tests.support.html_support import WATCH_CSP
from tests.support.pdf_support import reading_text

DECK = "---\ntitle: Live\nid: live\n---\n\n## Section\n\n### Which answer is shown?\n\n{}\n"
GUARD = 180.0  # seconds: an upper bound against a hang on a busy machine, not a measurement


@dataclass
class Served:
    url: str
    content: Path
    dist: Path
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def status(self, after: int | None = None) -> dict[str, Any]:
        query = "" if after is None else f"?after={after}"
        with urllib.request.urlopen(f"{self.url}{STATUS_PATH.lstrip('/')}{query}", timeout=60) as r:
            answer: dict[str, Any] = json.loads(r.read())
        return answer

    def until(self, test: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first status that passes ``test``, heard as the server changes it."""
        status = self.status()
        deadline = time.monotonic() + GUARD
        while not test(status):
            assert time.monotonic() < deadline, (status, "".join(self.lines))
            status = self.status(after=status["version"])
        return status

    def edit(self, answer: str) -> None:
        (self.content / "live.md").write_text(DECK.format(answer))


def serve(tmp_path: Path, only: str, env: dict[str, str]) -> Iterator[Served]:
    content = write_files(tmp_path / "content", {"live.md": DECK.format("The first answer.")})
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **env}
    environ.pop("SOURCE_DATE_EPOCH", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "cardpress", "serve", "--port", "0", "--only", only],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:  # the page of the first build is written
        lines.append(line)
        if line.startswith("serving dist at "):
            break
    served = Served(line.split(" at ")[1].split()[0], content, tmp_path / "dist", process, lines)

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            served.lines.append(line)

    threading.Thread(target=drain, daemon=True).start()
    try:
        yield served
    finally:
        process.terminate()
        process.wait(timeout=60)


def wait_for(path: Path, served: Served) -> None:
    deadline = time.monotonic() + GUARD
    while not path.exists():
        assert time.monotonic() < deadline, "".join(served.lines)
        time.sleep(0.02)


def temporary_files(dist: Path) -> list[Path]:
    return sorted(dist.glob(".*.tmp"))


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[Served, Path]]:
    """``serve`` whose background printouts wait, rendered, while a marker file exists."""
    marker = tmp_path / "printouts-held"
    hold = {PRINTOUTS_HOLD_ENV: f"rendered:{marker}"}
    for served in serve(tmp_path, "html,anki,pdf", hold):
        yield served, marker


# A long journey (three edits, each with its printouts): a slow test; the page-first
# order and the printout announced when ready are checked quickly below.
@pytest.mark.slow
def test_an_edit_rebuilds_the_page_then_the_deck_then_the_printouts_and_a_newer_edit_stops_them(
    held: tuple[Served, Path],
) -> None:
    served, marker = held
    pdf, html = served.dist / "live.pdf", served.dist / "live.html"
    wait_for(marker, served)  # the first build's printouts, rendered and held
    marker.unlink()
    served.until(lambda s: "live.pdf" in s["printouts"]["ready"] and not s["printouts"]["busy"])
    assert "Thefirstanswer." in reading_text(pdf)

    before = served.status()
    served.edit("The second answer.")
    page = served.until(lambda s: s["build"] > before["build"])
    # The page is announced while the printouts still wait for the marker:
    assert page["ok"] and page["printouts"]["busy"]
    assert "live.pdf" not in page["printouts"]["ready"]
    assert "The second answer." in html.read_text()
    wait_for(marker, served)  # the second answer's printout, rendered and held
    assert "live.apkg" in served.status()["printouts"]["ready"]  # the deck came before it
    stale = temporary_files(served.dist)
    assert stale, "the held printout is rendered to a temporary file"

    served.edit("The third answer.")
    third = served.until(lambda s: s["build"] > page["build"])
    assert third["ok"] and "The third answer." in html.read_text()
    assert any("stopped the printouts in progress" in line for line in served.lines)
    assert not any(path.exists() for path in stale)  # the stopped build removed its own
    assert "Thefirstanswer." in reading_text(pdf)  # the previous printout, intact

    wait_for(marker, served)  # the third answer's printout
    marker.unlink()
    served.until(
        lambda s: (
            s["build"] == third["build"]
            and "live.pdf" in s["printouts"]["ready"]
            and not s["printouts"]["busy"]
        )
    )
    text = reading_text(pdf)
    assert "Thethirdanswer." in text and "Thesecondanswer." not in text
    assert temporary_files(served.dist) == []

    log = "".join(served.lines)
    last_page = log.rindex("wrote dist/live.html")
    assert last_page < log.rindex("wrote dist/live.apkg") < log.rindex("ready: dist/live.pdf")
    assert log.count("ready: dist/live.pdf") == 2  # the first build's and the third answer's


@pytest.fixture
def printing(tmp_path: Path) -> Iterator[Served]:
    yield from serve(tmp_path, "html,pdf", {})


def test_the_page_reloads_first_and_announces_the_printout_when_it_is_ready(
    browser: Any,
    printing: Served,
) -> None:
    served = printing
    served.until(lambda s: not s["printouts"]["busy"])
    context = browser.new_context()
    try:
        context.add_init_script(WATCH_CSP)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: console.append(f"page error: {e}"))
        page.goto(served.url + "live.html")
        page.wait_for_selector("text=The first answer.")
        assert not page.query_selector(f"#{NOTICE_ID}")  # made before the page was loaded

        served.edit("The second answer.")
        page.wait_for_selector("text=The second answer.", timeout=GUARD * 1000)  # reloaded
        notice = page.wait_for_selector(f"#{NOTICE_ID}", timeout=GUARD * 1000)
        assert notice.get_attribute("role") == "status"
        page.wait_for_function(
            f"document.getElementById('{NOTICE_ID}').textContent.includes('live.pdf')",
            timeout=GUARD * 1000,
        )
        assert "cardpress: ready: live.pdf" in notice.inner_text()
        assert console == []
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()
    assert "Thesecondanswer." in reading_text(served.dist / "live.pdf")


def test_the_status_is_answered_at_the_next_change_and_keeps_each_rounds_outputs() -> None:
    status = BuildStatus()
    first = json.loads(status.as_json())
    answers: list[dict[str, Any]] = []

    def ask() -> None:
        answers.append(json.loads(status.as_json(after=first["version"], wait=GUARD)))

    asking = threading.Thread(target=ask)
    asking.start()
    status.publish(True, [], busy=True)  # the page of an edit, more to come
    asking.join(GUARD)
    assert answers[0]["build"] == 1 and answers[0]["printouts"]["busy"]
    assert answers[0]["version"] > first["version"]

    status.announce(True, ["live.apkg"], [])
    status.announce(False, [], ["live.pdf: error: no room"])
    status.done()
    after = json.loads(status.as_json())
    assert after["printouts"] == {
        "build": 1,
        "round": 1,
        "busy": False,
        "ready": ["live.apkg"],
        "problems": ["live.pdf: error: no room"],
    }

    status.unchanged(busy=True)  # a round that left the page as it was (a PDF template)
    later = json.loads(status.as_json())
    assert later["build"] == 1 and later["printouts"]["round"] == 2
    assert later["printouts"]["ready"] == [] and later["printouts"]["problems"] == []
    assert later["printouts"]["busy"]
