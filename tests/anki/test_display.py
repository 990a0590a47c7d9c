"""How the cards look: every card as Anki renders it, shown in headless Chromium at a
phone's width, by day and in night mode (the classes Anki puts on the card's body)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from cardpress.cli import main as cli_main
from tests.anki.test_notetypes import contrast
from tests.conftest import TEMPLATES, format_example
from tests.support.anki_support import AnkiUser, Rendered
from tests.support.files_support import png, write_files

PHONE = {"width": 360, "height": 640}
MODES = {"day": "", "night": "nightMode night_mode"}

WIDE = """
## Wide things
<!-- id: wide -->

### A long command
<!-- id: long-command -->

```bash
LONG_COMMAND
```

| option | what it does | default | example |
| ------ | ------------ | ------- | ------- |
| `--template-file` | the template to deploy, relative or absolute | none | `template.yaml` |

> [!CAUTION]
> A_very_long_unbroken_identifier_that_must_wrap_instead_of_widening_the_card_on_a_phone.

### What does the picture show?
<!-- id: picture -->

![a wide picture](wide.png)

> [!NOTE]
> It is wider than a phone.

> [!IMPORTANT]
> And it must shrink to fit.
""".replace(
    "LONG_COMMAND",
    "aws cloudformation deploy --template-file template.yaml"
    " --stack-name a-very-long-stack-name --capabilities CAPABILITY_NAMED_IAM",
)

# Gathers, for every element with text of its own, its text colour and the colour of the
# nearest opaque background behind it (faint translucent tints are skipped).
COLOURS_JS = """
() => {
  const opaque = (el) => {
    for (; el; el = el.parentElement) {
      const bg = getComputedStyle(el).backgroundColor;
      const alpha = bg.startsWith('rgba') ? parseFloat(bg.split(',')[3]) : 1;
      if (alpha > 0.5) return bg;
    }
    return 'rgb(255, 255, 255)';
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    out.push([el.tagName + '.' + el.className, getComputedStyle(el).color, opaque(el)]);
  }
  return out;
}
"""


def hex_of(css_colour: str) -> str:
    r, g, b = (int(v) for v in re.findall(r"\d+", css_colour)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Path:
    """Where the cards are shown from, beside the media files as in Anki's media folder."""
    folder: Path = tmp_path_factory.mktemp("pages")
    return folder


@pytest.fixture(scope="module")
def rendered_cards(tmp_path_factory, pages) -> list[tuple[str, int, Rendered]]:
    """Every card of the example deck plus WIDE, as Anki renders it after an import."""
    tmp_path = tmp_path_factory.mktemp("anki-display")
    content = write_files(
        tmp_path / "content",
        {
            "networking.md": format_example() + WIDE,
            "wide.png": png(900, 60, (30, 90, 200)),
        },
    )
    out = tmp_path / "out"
    args = ["--content", str(content), "--templates", str(TEMPLATES), "--out", str(out)]
    assert cli_main([*args, "--only", "anki", "-q"]) == 0
    anki = AnkiUser(tmp_path / "anki")
    try:
        anki.import_package(out / "networking-basics.apkg")
        cards = [(card.note()["Id"], card.ord, anki.render(card)) for card in anki.cards()]
        media = Path(anki.col.media.dir())
        for name in anki.media_names():
            (pages / name).write_bytes((media / name).read_bytes())
    finally:
        anki.close()
    return cards


def show(page: Any, pages: Path, rendered: Rendered, side: str, ordinal: int, mode: str) -> None:
    """Show one side of a card the way Anki's card view does: its HTML in a body with the
    note type's CSS and the classes ``card``, ``card<n>`` and, at night, the night ones."""
    shell = pages / f"{hashlib.sha256(rendered.css.encode()).hexdigest()[:12]}.html"
    if not shell.exists():
        shell.write_text(
            '<!doctype html><html><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{rendered.css}</style></head><body></body></html>",
            encoding="utf-8",
        )
    if page.url != shell.as_uri():
        page.goto(shell.as_uri())
    page.evaluate(
        """([classes, html]) => new Promise(done => {
             document.body.className = classes;
             document.body.innerHTML = html;
             const images = [...document.images];
             Promise.all(images.map(i => i.decode().catch(() => null))).then(done);
           })""",
        [f"card card{ordinal + 1} {mode}".strip(), getattr(rendered, side)],
    )


@pytest.mark.parametrize("mode", MODES)
def test_cards_fit_a_phone_and_wide_things_scroll_inside(browser, pages, rendered_cards, mode):
    page = browser.new_page(viewport=PHONE)
    for card_id, ordinal, rendered in rendered_cards:
        for side in ("question", "answer"):
            show(page, pages, rendered, side, ordinal, MODES[mode])
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (card_id, ordinal, side, width)
    long_command = next(r for i, _, r in rendered_cards if i == "long-command")
    show(page, pages, long_command, "answer", 0, MODES[mode])
    pre = page.query_selector(".highlight pre")
    assert pre is not None
    assert pre.evaluate("e => e.scrollWidth > e.clientWidth")  # the code scrolls sideways
    picture = next(r for i, _, r in rendered_cards if i == "picture")
    show(page, pages, picture, "answer", 0, MODES[mode])
    img = page.query_selector("img")
    assert img is not None and img.evaluate("e => e.complete && e.naturalWidth") == 900
    assert img.evaluate("e => e.getBoundingClientRect().width") <= PHONE["width"]
    page.close()


@pytest.mark.parametrize("mode", MODES)
def test_every_text_is_readable_by_day_and_by_night(browser, pages, rendered_cards, mode):
    page = browser.new_page(viewport=PHONE)
    checked = 0
    for card_id, ordinal, rendered in rendered_cards:
        show(page, pages, rendered, "answer", ordinal, MODES[mode])
        for element, colour, background in page.evaluate(COLOURS_JS):
            ratio = contrast(hex_of(colour), hex_of(background))
            assert ratio >= 4.5, (mode, card_id, element, colour, background, round(ratio, 2))
            checked += 1
    assert checked > 50
    page.close()


def test_night_mode_changes_the_colours(browser, pages, rendered_cards):
    page = browser.new_page(viewport=PHONE)
    tools = next(r for i, _, r in rendered_cards if i == "how-do-you-list-listening-tcp")
    seen = {}
    for mode, classes in MODES.items():
        show(page, pages, tools, "answer", 0, classes)
        seen[mode] = page.evaluate(
            """() => [getComputedStyle(document.body).backgroundColor,
                      getComputedStyle(document.querySelector('.highlight')).backgroundColor,
                      getComputedStyle(document.querySelector('.callout-title')).color]"""
        )
    assert all(day != night for day, night in zip(seen["day"], seen["night"], strict=True))
    page.close()
