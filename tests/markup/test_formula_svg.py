"""The math example deck in every output: Anki's own backend, Chromium, and the PDF."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from cardpress.cli import main
from cardpress.markup.formula_draw import draw
from cardpress.markup.formula_svg import depth_css, svg_html
from cardpress.markup.formulas import Formula
from tests.markup.test_formulas import math_example
from tests.support.anki_support import AnkiUser
from tests.support.html_support import missing_browser
from tests.support.math_fixture import FORMULAS

pytestmark = pytest.mark.slow

# An empty inline-block's bottom edge lies on the baseline of the line it is in.
BASELINE_PROBES = """() => [...document.querySelectorAll('svg.math-inline')].map(svg => {
  const probe = document.createElement('span');
  probe.style.display = 'inline-block';
  probe.style.width = '0';
  probe.style.height = '0';
  svg.before(probe);
  const box = svg.getBoundingClientRect();
  const viewBox = svg.viewBox.baseVal;
  const below = (viewBox.y + viewBox.height) / viewBox.height * box.height;
  const baseline = probe.getBoundingClientRect().bottom;
  probe.remove();
  return {label: svg.getAttribute('aria-label'), width: box.width, height: box.height,
          offset: box.bottom - below - baseline};
})"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("math")
    content = root / "content"
    content.mkdir()
    (content / "calculus.md").write_text(math_example(), encoding="utf-8")
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        status = main(["--content", str(content), "--out", str(root / "dist")])
    assert status == 0, err.getvalue()
    return root / "dist"


@pytest.fixture(scope="module")
def anki(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnkiUser]:
    user = AnkiUser(tmp_path_factory.mktemp("anki-user"))
    user.import_package(built / "calculus-basics.apkg")
    yield user
    user.close()


def test_anki_fields_keep_the_delimiters_for_mathjax(anki: AnkiUser) -> None:
    fields = " ".join(field for note in anki.notes() for field in note.fields)
    assert "\\(x^n\\)" in fields
    assert "\\(n x^&#123;n-1&#125;\\)" in fields
    assert "\\[f'(x) = \\lim_&#123;h \\to 0&#125;" in fields
    assert "\\[I = \\begin&#123;pmatrix&#125; 1 &amp; 0 \\\\ 0 &amp; 1 \\end" in fields
    assert "$" not in fields.replace("$5 and $10", "").replace("$HOME", "").replace(
        "write $ for", ""
    )


def test_anki_renders_each_card_with_its_formulas(anki: AnkiUser) -> None:
    cards = anki.cards()
    assert len(cards) == 5
    for card in cards:
        shown = anki.render(card)
        assert shown.question.strip() and shown.answer.strip()
    rendered = {c.note()["Id"]: anki.render(c) for c in cards}
    derivative = next(r for key, r in rendered.items() if "derivative" in key)
    assert "\\(x^n\\)" in derivative.question
    assert "\\[f'(x)" in derivative.answer
    cloze = next(r for key, r in rendered.items() if "quadratic" in key)
    assert "\\(x = \\frac" not in cloze.question  # the whole formula is the deletion
    assert '<span class="cloze"' in cloze.answer and "\\(x = \\frac" in cloze.answer


def test_the_page_draws_each_formula_on_the_baseline_without_errors(
    built: Path,
    browser: Any,
) -> None:
    if browser is None:
        missing_browser("no browser")
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((built / "calculus-basics.html").as_uri())
    boxes = page.eval_on_selector_all(
        "svg.math[role=img]",
        "els => els.map(e => [e.getAttribute('role'), e.getAttribute('aria-label'),"
        " e.getBoundingClientRect().width, e.getBoundingClientRect().height])",
    )
    assert len(boxes) == 10
    for role, label, width, height in boxes:
        assert role == "img" and label and width > 1 and height > 1
    probes = page.evaluate(BASELINE_PROBES)
    assert probes and all(abs(p["offset"]) < 1.0 for p in probes), probes
    font = page.eval_on_selector(".card-answer", "e => parseFloat(getComputedStyle(e).fontSize)")
    n_alone = next(p for p in probes if p["label"] == "n")
    assert 0.3 * font < n_alone["height"] < 1.3 * font  # at the text's size
    shown = page.eval_on_selector_all("article.card", "els => els.map(e => e.innerText).join()")
    assert shown.count("$") == 4  # $5, $10, $HOME and the written \$
    assert "\\frac" not in shown
    assert errors == []
    page.close()


def test_the_page_search_finds_a_formula_by_its_tex(built: Path, browser: Any) -> None:
    page = browser.new_page()
    page.goto((built / "calculus-basics.html").as_uri())
    page.fill("#search", "\\begin{pmatrix}")
    shown = "() => [...document.querySelectorAll('article.card')].filter(c => c.offsetParent)"
    page.wait_for_function(f"({shown})().length <= 1")  # the search applied, however slowly
    visible = page.eval_on_selector_all(
        "article.card", "cards => cards.filter(c => c.offsetParent !== null).map(c => c.id)"
    )
    assert visible == ["card-what-does-the-2-2-identity"]
    page.close()


def test_formulas_follow_the_dark_theme_and_stay_in_the_column(
    built: Path,
    browser: Any,
) -> None:
    context = browser.new_context(color_scheme="dark", viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto((built / "calculus-basics.html").as_uri())
    colours = page.eval_on_selector_all(
        "svg.math path",
        "els => els.map(e => [getComputedStyle(e).fill,"
        " getComputedStyle(e.closest('svg').parentElement).color])",
    )
    assert colours
    for fill, text in colours:
        assert fill == text  # currentColor: the text's own colour in the dark theme
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert all(fill != background for fill, _ in colours)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_the_pdf_draws_formulas_as_paths_and_leaves_no_tex(built: Path) -> None:
    with pdfplumber.open(built / "calculus-basics.pdf") as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        curves = sum(len(page.curves) for page in pdf.pages)
        fonts = {char["fontname"] for page in pdf.pages for char in page.chars}
    assert text.count("$") == 4  # $5, $10, $HOME and the written \$: no formula's dollar
    for tex in ("\\frac", "x^n", "\\begin", "\\(", "\\["):
        assert tex not in text
    assert curves > 50  # each glyph of each formula is a vector path
    assert not any("STIX" in font for font in fonts)  # not text in a math font


XHEIGHTS = """() => [...document.querySelectorAll('p')].map(p => {
  const x = p.querySelector('svg.math path').getBoundingClientRect();
  const context = document.createElement('canvas').getContext('2d');
  context.font = getComputedStyle(p).font;
  const text = context.measureText('x');
  return {font: getComputedStyle(p).fontFamily, math: x.height,
          text: text.actualBoundingBoxAscent + text.actualBoundingBoxDescent};
})"""


def test_an_inline_formula_has_the_x_height_of_the_text_around_it(
    tmp_path: Path,
    browser: Any,
) -> None:
    """MathJax's rule: the math font is scaled so its x-height is the text's, whatever
    the text's font (here three whose x-heights are up to 15% apart, at two sizes)."""
    if browser is None:
        missing_browser("no browser")
    import base64

    import ziamath

    formula = Formula("x", display=False)
    svg = svg_html(formula, draw(formula))
    stix = Path(ziamath.__file__).parent / "fonts" / "STIXTwoMath-Regular.ttf"
    data = base64.b64encode(stix.read_bytes()).decode()  # a page from a file cannot
    face = f"@font-face {{ font-family: LowX; src: url(data:font/ttf;base64,{data}); }}"
    fonts = ["DejaVu Sans", "DejaVu Serif", "LowX"]
    paragraphs = "".join(
        f"<p style=\"font: {size}px '{font}'\">text x {svg} x</p>"
        for font in fonts
        for size in (16, 27)
    )
    page_file = tmp_path / "x.html"
    page_file.write_text(f"<style>{face} {depth_css(scroll=True)}</style>{paragraphs}", "utf-8")
    page = browser.new_page()
    page.goto(page_file.as_uri())
    page.evaluate("document.fonts.ready")
    measured = page.evaluate(XHEIGHTS)
    page.close()
    assert len(measured) == 6
    ratios = [m["math"] / m["text"] for m in measured]
    assert all(abs(ratio - 1) < 0.06 for ratio in ratios), measured
    text_heights = sorted(m["text"] / s for m, s in zip(measured, [16, 27] * 3, strict=True))
    assert text_heights[-1] / text_heights[0] > 1.1, measured  # the fonts differ


def test_a_long_display_breaks_at_its_relations_in_a_narrow_column_and_keeps_its_size(
    tmp_path: Path,
    browser: Any,
) -> None:
    if browser is None:
        missing_browser("no browser")
    tex = next(tex for kind, tex, _ in FORMULAS if kind == "long displays")
    formula = Formula(tex, display=True)
    drawing = draw(formula)
    inline = Formula("x^2", display=False)
    block = svg_html(formula, drawing)
    text = f"<p>So {svg_html(inline, draw(inline))}. And more words here</p>"
    page_file = tmp_path / "long.html"
    styles = f"<style>{depth_css(scroll=True)} body {{ font: 16px serif; }}</style>"
    page_file.write_text(f"{styles}<div>{block}</div>{text * 40}", "utf-8")
    page = browser.new_page(viewport={"width": 300, "height": 800})
    page.goto(page_file.as_uri())
    pieces = page.eval_on_selector_all(
        ".math-block svg.math",
        "els => els.map(e => [e.getBoundingClientRect().top, e.getBoundingClientRect().width,"
        " e.width.baseVal.value])",
    )
    lines = {round(top) for top, _, _ in pieces}
    assert len(pieces) == len(drawing.breaks) + 1 and len(lines) >= 2
    assert all(abs(shown - natural) < 0.5 for _, shown, natural in pieces)  # not scaled
    assert page.evaluate("document.documentElement.scrollWidth") <= 300
    # a period after an inline formula is on the formula's line, at any width
    for width in range(120, 300, 7):
        page.set_viewport_size({"width": width, "height": 800})
        apart = page.eval_on_selector_all(
            ".math-nowrap",
            "spans => spans.filter(s => s.getClientRects().length > 1).length",
        )
        assert apart == 0, width
    page.close()


def test_a_wide_display_formula_scrolls_inside_an_anki_card_on_a_phone(
    anki: AnkiUser,
    tmp_path: Path,
    browser: Any,
) -> None:
    """The note type's CSS, as Anki's backend gives it, around the element MathJax 3
    puts a display formula in (MathJax itself is not part of the test setup)."""
    if browser is None:
        missing_browser("no browser")
    shown = anki.render(anki.cards()[0])
    wide = '<mjx-container display="true"><span style="display: inline-block; width: 900px">'
    page_file = tmp_path / "card.html"
    page_file.write_text(
        f"<style>{shown.css}</style><body class='card'><div class='answer'>"
        f"<p>Text</p>{wide}x</span></mjx-container></div></body>",
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": 360, "height": 640})
    page.goto(page_file.as_uri())
    container = page.eval_on_selector(
        "mjx-container", "e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    page.close()
    assert container[2] == "auto" and container[0] > container[1]  # it scrolls itself
    assert width <= 360  # the card does not


# What MathJax 3 does to each inline formula of a card, for a run without MathJax (set
# MATHJAX to an npm package folder of MathJax 3, as tests/support/math_screenshots.py takes it,
# to typeset with MathJax itself): the TeX between \( and \) becomes a box that no line
# breaks inside, as wide as the typeset formula would about be.
STAND_IN_MATHJAX = r"""() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  while (walker.nextNode()) found.push(walker.currentNode);
  for (const node of found) {
    const parts = node.textContent.split(/\\\((.*?)\\\)/s);
    if (parts.length === 1) continue;
    const made = parts.map((part, i) => {
      if (i % 2 === 0) return document.createTextNode(part);
      const box = document.createElement('mjx-container');
      box.setAttribute('jax', 'CHTML');
      box.innerHTML = '<mjx-math style="display: inline-block; height: 1em; width: '
        + (0.45 * part.length) + 'em"></mjx-math>';
      return box;
    });
    node.replaceWith(...made);
  }
}"""
PUNCTUATION_LINES = r"""() => [...document.querySelectorAll('mjx-container:not([display="true"])')]
  .filter(box => box.nextSibling && /^[.,;:!?]/.test(box.nextSibling.textContent || ''))
  .map(box => {
    const range = document.createRange();
    range.setStart(box.nextSibling, 0);
    range.setEnd(box.nextSibling, 1);
    const mark = range.getBoundingClientRect(), formula = box.getBoundingClientRect();
    return {mark: box.nextSibling.textContent[0], gap: mark.left - formula.right,
            below: mark.top - formula.bottom};
  })"""


def test_punctuation_stays_with_its_formula_in_an_anki_card_at_phone_widths(
    anki: AnkiUser,
    tmp_path: Path,
    browser: Any,
) -> None:
    """Each card's back as Anki's backend renders it, in Chromium from 150 to 420 px wide:
    a period or comma after an inline formula never starts a line of its own."""
    if browser is None:
        missing_browser("no browser")
    from tests.support.math_screenshots import mathjax_script

    page = browser.new_page(viewport={"width": 390, "height": 844})
    typeset = mathjax_script()
    checked = 0
    for card in anki.cards():
        shown = anki.render(card)
        page_file = tmp_path / f"card-{card.id}.html"
        page_file.write_text(
            f"<html><head><style>{shown.css}</style>{typeset}</head>"
            f"<body class='card'>{shown.answer}</body></html>",
            encoding="utf-8",
        )
        page.goto(page_file.as_uri())
        if typeset:
            page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("MathJax.startup.promise")
        else:
            page.evaluate(STAND_IN_MATHJAX)
        for width in range(150, 421, 9):
            page.set_viewport_size({"width": width, "height": 844})
            for mark in page.evaluate(PUNCTUATION_LINES):
                checked += 1
                assert mark["below"] < 0 and -1 < mark["gap"] < 8, (card.id, width, mark)
    page.close()
    assert checked >= 2 * 31  # the comma and the period after formulas, at every width
