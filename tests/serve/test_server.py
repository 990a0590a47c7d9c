"""``cardpress serve`` in real Chromium: the page reloads itself after an edit, shows a
failed build's errors, and the built file never holds the live-reload script."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cardpress.serve.page import PROBLEMS_ID, STATUS_PATH
from tests.conftest import ROOT
from tests.support.files_support import write_files
from tests.support.html_support import WATCH_CSP, capture_console

DECK = "---\ntitle: Live\nid: live\n---\n\n## Section\n\n### Which answer is shown?\n\n{}\n"
WAIT_MS = 60_000  # an upper bound for a rebuild on a busy machine, not a measurement


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``cardpress serve`` on a free port; yields its URL and the content folder."""
    content = write_files(tmp_path / "content", {"live.md": DECK.format("The first answer.")})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SOURCE_DATE_EPOCH", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "cardpress", "serve", "--port", "0", "--only", "html", "-q"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # printed once the first build is done
        assert first.startswith("serving dist at http://127.0.0.1:"), first
        yield first.split(" at ")[1].split()[0], content
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_serve_reloads_after_an_edit_and_shows_build_errors(
    browser: Any,
    served: tuple[str, Path],
    tmp_path: Path,
) -> None:
    url, content = served
    context = browser.new_context()
    try:
        context.add_init_script(WATCH_CSP)
        page = context.new_page()
        console: list[str] = []
        capture_console(page, console)
        page.goto(url + "live.html")
        page.wait_for_selector("text=The first answer.", timeout=WAIT_MS)

        (content / "live.md").write_text(DECK.format("The second answer."))
        page.wait_for_selector("text=The second answer.", timeout=WAIT_MS)  # a reload

        (content / "live.md").write_text(DECK.format("Broken.").replace("id: live\n", ""))
        problems = page.wait_for_selector(f"#{PROBLEMS_ID}", timeout=WAIT_MS)
        assert "content/live.md:1:1: error: front matter needs an 'id'" in problems.inner_text()
        assert page.is_visible("text=The second answer.")  # the last good build stays

        (content / "live.md").write_text(DECK.format("The third answer."))
        page.wait_for_selector("text=The third answer.", timeout=WAIT_MS)
        assert not page.query_selector(f"#{PROBLEMS_ID}")
        assert console == []
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()

    built = (tmp_path / "dist" / "live.html").read_text()
    assert "The third answer." in built
    assert STATUS_PATH not in built and PROBLEMS_ID not in built


def test_serve_answers_only_the_loopback_host(served: tuple[str, Path]) -> None:
    url, _ = served
    request = urllib.request.Request(url, headers={"Host": "attacker.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 403
    for path in ("../content/live.md", ".cardpress", "%2e%2e/content/live.md"):
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(url + path, timeout=30)
        assert missing.value.code == 404
