"""Shared fixtures: the format's example deck, and the CLI run in-process."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
from hypothesis import HealthCheck, settings

from cardpress.cli import main

# No test may depend on timing: Hypothesis's deadline per example and its "too slow" health
# check would fail a loaded machine by chance.
settings.register_profile("untimed", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("untimed")

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
FORMAT_DOC = ROOT / "docs" / "format.md"


def format_example() -> str:
    """The complete example deck of docs/format.md, exactly as documented."""
    text = FORMAT_DOC.read_text(encoding="utf-8")
    match = re.search(
        r"<!-- example:start -->\n````markdown\n(.*?)````\n<!-- example:end -->", text, re.S
    )
    assert match, "docs/format.md lost its complete example"
    return match.group(1)


@dataclass
class Result:
    status: int
    out: str
    err: str


class RunCli(Protocol):
    """The ``run_cli`` fixture: the CLI run in-process on these arguments."""

    def __call__(self, *args: str | Path) -> Result: ...


class BuildDeck(Protocol):
    """The ``build_deck`` fixture: a build that must succeed; returns the output folder."""

    def __call__(self, content: Path, out: Path, only: str = "anki", *extra: str) -> Path: ...


_SESSION_CACHE = tempfile.mkdtemp(prefix="cardpress-test-cache-")


def pytest_configure(config: pytest.Config) -> None:
    """Builds keep their state in the user's cache folder (one folder per output folder):
    in tests, a temporary one, set before any module constant or fixture copies the
    environment for a subprocess."""
    os.environ["XDG_CACHE_HOME"] = _SESSION_CACHE


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_SESSION_CACHE, ignore_errors=True)


LONGEST_FIRST = (
    "tests/renderers/pdf/test_pages.py",
    "tests/renderers/pdf/test_sheet.py",
    "tests/renderers/pdf/test_cards.py",
    "tests/renderers/pdf/test_shared_fonts.py",
    "tests/parse/test_fuzz.py",
    "tests/anki/test_sync_faults.py",
    "tests/renderers/html/test_browser.py",
    "tests/renderers/html/test_study.py",
    "tests/renderers/html/test_screen.py",
    "tests/renderers/html/test_scale.py",
    "tests/build/test_freshness.py",
    "tests/renderers/pdf/test_columns.py",
    "tests/test_hostile.py",
    "tests/renderers/pdf/test_quiz.py",
    "tests/test_ctrl_c.py",
    "tests/serve/test_live_loop.py",
    "tests/build/test_bounded.py",
    "tests/parse/test_broken_corpus.py",
    "tests/anki/test_layout.py",
    "tests/content/test_files.py",
    "tests/anki/test_display.py",
    "tests/renderers/html/test_scheduler_anki.py",
    "tests/renderers/pdf/test_build.py",
    "tests/serve/test_server.py",
)
"""The test files of make quick that take longest (processor time, each file alone),
longest first. On every core (make test, make quick), each file runs on one worker and the
files are handed out in collection order (--no-loadscope-reorder): a long file handed out
last would keep one core busy while the others have nothing left to do."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, each file's tests in their own order; then the others."""
    rank = {path: number for number, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.partition("::")[0], len(rank)))


@pytest.fixture
def run_cli(capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """Run the CLI in-process (with the packaged templates, the repository's, unless told
    otherwise).

    Output is captured at the file descriptors, so lines a worker process prints count too.
    """
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)

    def run(*args: str | Path) -> Result:
        argv = [str(a) for a in args]
        capfd.readouterr()
        try:
            status = main(argv)
        except SystemExit as exc:  # argparse: --help, --version, usage errors
            status = int(exc.code or 0)
        captured = capfd.readouterr()
        return Result(status, captured.out, captured.err)

    return run


@pytest.fixture
def example_content(tmp_path: Path) -> Path:
    """A content folder holding the docs/format.md example deck."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "networking.md").write_text(format_example(), encoding="utf-8")
    return content


@pytest.fixture
def build_deck(run_cli: RunCli) -> BuildDeck:
    def build(content: Path, out: Path, only: str = "anki", *extra: str) -> Path:
        result = run_cli("--content", content, "--out", out, "--only", only, *extra)
        assert result.status == 0, result.err
        return out

    return build


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium for the whole module; skips (or fails under CI) without one."""
    from tests.support.html_support import find_chromium, launched_chromium, missing_browser

    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing_browser("Playwright's Python package is not installed")
    executable = find_chromium()
    if executable is None:
        missing_browser(
            "no Chromium found (install Debian's chromium package or set CARDPRESS_CHROMIUM)"
        )
    assert executable is not None
    with launched_chromium(executable) as launched:
        yield launched


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, to prove a failed build touched nothing."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
