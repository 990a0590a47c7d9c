"""Helpers for the HTML one-pager tests, and the script that refreshes the README screenshots.

    .venv/bin/python -m tests.support.html_support      # rewrites docs/screenshots/*.png

The screenshots come from content/aws-devops, built into a temporary folder.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from cardpress.cli import main as cli_main
from tests.conftest import ROOT, TEMPLATES, format_example

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
SCREENSHOTS_DIR = ROOT / "docs" / "screenshots"

# A 2x1 PNG (one red, one blue pixel) for the image card.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000020000000108020000007b40e8dd0000000f4944415478da63b8"
    "a3a1a111700700088b02815c54b3780000000049454e44ae426082"
)

LONG_COMMAND = (
    "aws cloudformation deploy --template-file template.yaml --stack-name a-long-stack-name"
    " --no-fail-on-empty-changeset --capabilities CAPABILITY_NAMED_IAM"
)

# Appended to the format's complete example: an image, a hinted cloze, wide content for
# the phone test, and text that looks like markup and must stay text.
EXTRA_SECTION = """
## Pictures and pitfalls
<!-- id: extras; tags: extras -->

### What does the diagram show?
<!-- id: diagram; answer: type -->

Two pixels: red, then blue.

![two pixels](images/pixels.png)

### Markup in a question: <script>alert(1)</script>?
<!-- id: markup-is-text; tags: safety -->

It stays text: <img src=x onerror=alert(1)> and </script><!-- too.

### A long command
<!-- id: long-command; tags: cli -->

```bash
LONG_COMMAND
```

A_very_long_unbroken_identifier_that_must_wrap_instead_of_widening_the_page_on_a_phone.

### Handshake hints
<!-- kind: cloze; id: handshake-hints -->

First {{c1::SYN::a one-word hint}}, last {{c2::ACK}}.
""".replace("LONG_COMMAND", LONG_COMMAND)


def find_chromium() -> str | None:
    """The Chromium the tests drive: $CARDPRESS_CHROMIUM, else Debian's package."""
    explicit = os.environ.get("CARDPRESS_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def write_study_content(content: Path) -> Path:
    """The format's complete example plus EXTRA_SECTION, as a one-file deck."""
    content.mkdir(parents=True, exist_ok=True)
    (content / "images").mkdir(exist_ok=True)
    (content / "images" / "pixels.png").write_bytes(TINY_PNG)
    (content / "networking.md").write_text(format_example() + EXTRA_SECTION, encoding="utf-8")
    return content


def build_html(content: Path, out: Path) -> Path:
    """Build the HTML of every deck in ``content`` through the CLI; return the out folder."""
    stderr = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
        status = cli_main(
            [
                "--content",
                str(content),
                "--templates",
                str(TEMPLATES),
                "--out",
                str(out),
                "--only",
                "html",
                "-q",
            ]
        )
    assert status == 0, stderr.getvalue()
    return out


@dataclass
class Tag:
    name: str
    attrs: dict[str, str]


class PageParser(HTMLParser):
    """Every start tag with its attributes, and the text of each <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[Tag] = []
        self.raw_blocks: list[tuple[Tag, str]] = []
        self._open: Tag | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Tag(tag, {name: value or "" for name, value in attrs})
        self.tags.append(element)
        if tag in ("script", "style"):
            self._open = element
            self.raw_blocks.append((element, ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            tag, text = self.raw_blocks[-1]
            self.raw_blocks[-1] = (tag, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._open = None


def parse_page(text: str) -> PageParser:
    parser = PageParser()
    parser.feed(text)
    parser.close()
    return parser


def raw_block(text: str, opening: str) -> str:
    """The exact text between ``opening`` and the next closing tag, as hashed for the CSP."""
    start = text.index(opening) + len(opening)
    closing = "</style>" if opening.startswith("<style") else "</script>"
    return text[start : text.index(closing, start)]


# ---- Screenshots -------------------------------------------------------------------------

# Name, context options, and what to do before the shot.
SCREENSHOT_VIEWS: list[tuple[str, dict[str, Any], str]] = [
    ("light", {"viewport": {"width": 1280, "height": 900}, "color_scheme": "light"}, "top"),
    ("dark", {"viewport": {"width": 1280, "height": 800}, "color_scheme": "dark"}, "quiz"),
    (
        "phone",
        {
            "viewport": {"width": 360, "height": 740},
            "device_scale_factor": 2,
            "is_mobile": True,
            "has_touch": True,
            "color_scheme": "light",
        },
        "cards",
    ),
]


def take_screenshots(browser: Any, page_file: Path, out_dir: Path) -> list[Path]:
    """Light (the first screen), dark (quiz mode, one answer revealed) and phone (a search)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, options, scene in SCREENSHOT_VIEWS:
        context = browser.new_context(**options)
        try:
            page = context.new_page()
            page.goto(page_file.as_uri())
            _stage(page, scene)
            path = out_dir / f"{name}.png"
            page.screenshot(path=str(path), animations="disabled", caret="hide")
            written.append(path)
        finally:
            context.close()
    return written


def _stage(page: Any, scene: str) -> None:
    if scene == "top":
        # The first screen, as the page opens: the bar, the introduction and the cards.
        pass
    elif scene == "quiz":
        # Quiz mode with the second card revealed: blanks, a hidden and a shown answer.
        page.click("#quiz-toggle")
        cards = page.locator("section.section .card")
        cards.nth(2).click()
        page.evaluate("document.querySelectorAll('section.section .card')[1].scrollIntoView()")
    elif scene == "cards":
        # A search on a phone: the toolbar and the first results.
        page.fill("#search", "rollback")
        page.evaluate("document.getElementById('toolbar').scrollIntoView()")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def shrink_png(path: Path) -> None:
    """Quantise to a palette: screenshots of flat UI stay sharp at a fraction of the size."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


# Collects Content-Security-Policy violations; Playwright injects it before page scripts,
# so the page's own policy does not block it.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def missing_browser(reason: str) -> None:
    """Skip a browser test that cannot run here, and say why; under CI=true, fail it, so a
    CI machine that lost its browser cannot pass silently."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires the browser tests to run")
    pytest.skip(reason)


def capture_console(page: Any, console: list[str], errors: list[str] | None = None) -> None:
    """Every console message of ``page`` into ``console`` (``type: text``), and every
    uncaught error into ``errors`` or, without it, into ``console`` (``page error: ...``)."""
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    if errors is None:
        page.on("pageerror", lambda e: console.append(f"page error: {e}"))
    else:
        page.on("pageerror", lambda e: errors.append(str(e)))


@contextlib.contextmanager
def launched_chromium(executable: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def refresh_readme_screenshots() -> list[Path]:
    """Rebuild content/aws-devops and photograph it into docs/screenshots."""
    executable = find_chromium()
    if executable is None:
        raise SystemExit("no Chromium found: install Debian's chromium or set CARDPRESS_CHROMIUM")
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(ROOT / "content" / "aws-devops", content / "aws-devops")
        out = build_html(content, Path(tmp) / "dist")
        with launched_chromium(executable) as browser:
            shots = take_screenshots(browser, out / "aws-devops.html", SCREENSHOTS_DIR)
    for shot in shots:
        shrink_png(shot)
    return shots


if __name__ == "__main__":
    for written in refresh_readme_screenshots():
        print(f"wrote {written.relative_to(ROOT)} ({written.stat().st_size // 1024} KiB)")
    sys.exit(0)
