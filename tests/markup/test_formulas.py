"""Math (``math: true``): how formulas are read, checked, kept for Anki and drawn as SVG.

The outputs themselves (Anki's backend, Chromium, the PDF) are in test_math_outputs.py.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from cardpress.caching import build_folder
from cardpress.markup import formulas
from cardpress.markup import html as markup
from cardpress.markup.formula_draw import NotDrawn, cache_key, checked, draw
from cardpress.markup.formula_svg import PARALLEL_FROM, FormulaCache, svg_html
from cardpress.markup.formulas import Formula
from tests.conftest import FORMAT_DOC


def math_example() -> str:
    """The math example deck of docs/format.md, exactly as documented."""
    text = FORMAT_DOC.read_text(encoding="utf-8")
    match = re.search(
        r"<!-- math-example:start -->\n````markdown\n(.*?)````\n<!-- math-example:end -->",
        text,
        re.S,
    )
    assert match, "docs/format.md lost its math example"
    return match.group(1)


def html_of(text: str, math: bool = True) -> str:
    return markup.render_blocks(markup.parse(text, math).tokens, math).html


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("$x^2$", "<p>\\(x^2\\)</p>\n"),
        ("$$\\sum_i x_i$$", "<p>\\[\\sum_i x_i\\]</p>\n"),
        ("\\(a_b * c_d\\)", "<p>\\(a_b * c_d\\)</p>\n"),
        ("\\[a \\\\ b\\]", "<p>\\[a \\\\ b\\]</p>\n"),
        ("$\\frac{a}{b}$", "<p>\\(\\frac&#123;a&#125;&#123;b&#125;\\)</p>\n"),
        ("$a < b$", "<p>\\(a &lt; b\\)</p>\n"),
        # prices, spaces inside the dollars, a digit after the closing one: text
        ("$5 and $10", "<p>$5 and $10</p>\n"),
        ("$ x$ and $x $", "<p>$ x$ and $x $</p>\n"),
        ("$x$5", "<p>$x$5</p>\n"),
        ("a lone $ sign", "<p>a lone $ sign</p>\n"),
        ("\\$x\\$", "<p>$x$</p>\n"),
        # code is never math, and a formula does not run across a code span
        ("`$x$` and `\\(y\\)`", "<p><code>$x$</code> and <code>&#92;(y&#92;)</code></p>\n"),
        ("$5 and `$x$`", "<p>$5 and <code>$x$</code></p>\n"),
        # a written backslash before a bracket never looks like a delimiter
        ("\\\\(not math\\\\)", "<p>&#92;<span></span>(not math&#92;<span></span>)</p>\n"),
        ("\\(never closed", "<p>(never closed</p>\n"),
    ],
)
def test_formulas_are_read_by_the_usual_rules(written: str, expected: str) -> None:
    assert html_of(written) == expected


def test_code_blocks_hold_no_math_and_no_bare_backslash() -> None:
    out = html_of("```\necho $x$ \\(y\\)\n```\n")
    assert "$x$" in out
    assert "\\" not in out  # written &#92;: only formulas hold a backslash
    assert list(formulas.formulas(out)) == []


def test_without_math_dollars_and_backslashes_are_markdown_as_before() -> None:
    assert html_of("$x_1$ and \\(y\\) and $a*b*c$", math=False) == (
        "<p>$x_1$ and (y) and $a<em>b</em>c$</p>\n"
    )


def test_markers_are_found_again_with_their_tex_and_mode() -> None:
    out = html_of("$a^{2}$ then \\[\\frac{1}{2}\\] then $\\{x\\} \\\\ y$")
    assert list(formulas.formulas(out)) == [
        Formula("a^{2}", False),
        Formula("\\frac{1}{2}", True),
        Formula("\\{x\\} \\\\ y", False),
    ]
    assert markup.text_of(out, True) == "a^{2} then \\frac{1}{2} then \\{x\\} \\\\ y"


@pytest.mark.parametrize(
    ("tex", "message"),
    [
        ("\\foo + 1", "unknown math command '\\foo'"),
        ("\\frac{a}{b", "'{' is never closed"),
        ("a}", "'}' closes nothing"),
        ("\\begin{tikzcd}x\\end{tikzcd}", "unknown environment 'tikzcd'"),
        ("\\left( x", "never closed by '\\right'"),
        ("\\href{javascript:alert(1)}{x}", "'\\href' (not allowed in cards)"),
        ("x" * (formulas.MAX_FORMULA_CHARS + 1), "over the limit"),
        ("{" * 13 + "x" + "}" * 13, "nests more than 12 levels"),
        ("\\text{a < b}", "'<' inside '\\text{...}' cannot be drawn"),
        ("a & b", "'&' separates columns"),
    ],
)
def test_problems_name_what_is_wrong(tex: str, message: str) -> None:
    found = list(formulas.problems(tex))
    assert len(found) == 1 and message in found[0][1]


@pytest.mark.parametrize(
    "tex",
    [
        "\\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}",
        "\\sum_{i=1}^{n} \\alpha_i^2",
        "\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}",
        "\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}",
        "\\lim_{h \\to 0} \\frac{f(x+h) - f(x)}{h}",
        "\\mathbb{R} \\ni \\hat{x}, \\vec{v}, \\overline{ab}, \\text{if } x \\leq y",
        "\\left\\{ x \\mid x \\in \\mathbb{N} \\right\\}",
    ],
)
def test_common_formulas_pass_the_check_and_are_drawn(tex: str) -> None:
    assert list(formulas.problems(tex)) == []
    drawing = draw(Formula(tex, display=True))
    assert drawing.box[2] > 0 and drawing.box[3] > 0 and drawing.shapes
    svg = svg_html(Formula(tex, True), drawing)
    assert 'role="img"' in svg and "currentColor" in svg and "black" not in svg


def test_a_cache_entry_that_is_not_plain_drawing_data_is_never_used(tmp_path: Path) -> None:
    cache = FormulaCache(tmp_path)
    formula = Formula("x^2", False)
    key = cache_key(formula)
    good = draw(formula)
    cache.put(key, good)
    assert cache.get(key) == good
    plain = json.loads((tmp_path / f"{key}.json").read_text())
    for bad in (
        {**plain, "shapes": [["script", {"d": "M0 0"}]]},
        {**plain, "shapes": [["path", {"d": "M0 0", "onload": "alert(1)"}]]},
        {**plain, "shapes": [["path", {"d": '"/><script>alert(1)</script>'}]]},
        {**plain, "shapes": [["path", {"d": "M0 0", "fill": "url(https://x.example/)"}]]},
        {**plain, "box": ["1", 0, 1, 1]},
        {**plain, "extra": 1},
    ):
        (tmp_path / f"{key}.json").write_text(json.dumps(bad))
        assert cache.get(key) is None
        with pytest.raises(ValueError):
            checked(bad)


def test_the_math_example_builds_json_with_markers_and_a_deck_without_math_has_no_key(
    tmp_path: Path, run_cli, example_content: Path
) -> None:
    content = tmp_path / "math"
    content.mkdir()
    (content / "calculus.md").write_text(math_example(), encoding="utf-8")
    result = run_cli("--content", content, "--out", tmp_path / "out", "--only", "json")
    assert result.status == 0, result.err
    data = json.loads((tmp_path / "out" / "calculus-basics.json").read_text())
    assert data["deck"]["math"] is True
    cards = [c for s in data["deck"]["sections"] for c in s["cards"]]
    assert cards[0]["question"]["html"] == "What is the derivative of \\(x^n\\)?"
    assert cards[0]["question"]["text"] == "What is the derivative of x^n?"
    assert "{{c1::\\(x = \\frac&#123;" in cards[1]["cloze"]["html"]
    assert "$5 and $10 stay text" in cards[4]["answer"]["html"]
    plain = run_cli("--content", example_content, "--out", tmp_path / "plain", "--only", "json")
    assert plain.status == 0
    assert '"math"' not in (tmp_path / "plain" / "networking-basics.json").read_text()


def test_a_rebuild_draws_only_the_edited_formula(tmp_path: Path, run_cli) -> None:
    content = tmp_path / "math"
    content.mkdir()
    deck = content / "calculus.md"
    deck.write_text(math_example(), encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("--content", content, "--out", out, "--only", "html").status == 0
    drawings = build_folder(out) / "formulas"
    first = {p.name: p.stat().st_ino for p in drawings.iterdir()}
    assert len(first) == 10  # every distinct formula of the example, once
    deck.write_text(math_example().replace("i^2 =", "i^3 ="), encoding="utf-8")
    assert run_cli("--content", content, "--out", out, "--only", "html").status == 0
    second = {p.name: p.stat().st_ino for p in drawings.iterdir()}
    assert len(set(second) - set(first)) == 1
    assert all(second[name] == inode for name, inode in first.items())  # not written again


def test_drawings_no_build_used_for_a_month_are_dropped(tmp_path: Path, run_cli) -> None:
    content = tmp_path / "math"
    content.mkdir()
    (content / "calculus.md").write_text(math_example(), encoding="utf-8")
    out = tmp_path / "out"
    drawings = build_folder(out) / "formulas"
    drawings.mkdir(parents=True)
    stale = drawings / f"{'0' * 64}.json"
    stale.write_text("{}")
    month_ago = time.time() - 31 * 86400
    os.utime(stale, (month_ago, month_ago))
    assert run_cli("--content", content, "--out", out, "--only", "html").status == 0
    entries = sorted(drawings.iterdir())
    assert len(entries) == 10 and stale not in entries
    for entry in entries:  # a drawing used again is kept another month
        os.utime(entry, (month_ago, month_ago))
    (out / "calculus-basics.html").unlink()
    assert run_cli("--content", content, "--out", out, "--only", "html").status == 0
    assert sorted(drawings.iterdir()) == entries


def test_formulas_drawn_by_two_processes_each_land_in_place(tmp_path: Path, run_cli) -> None:
    content = tmp_path / "math"
    content.mkdir()
    count = PARALLEL_FROM + 6
    answer = " ".join(f"$x_{{{i}}}^{{{i + 1}}}$" for i in range(count))
    (content / "many.md").write_text(
        f"---\ntitle: Many\nid: many\nmath: true\n---\n\n## All\n\n### Which?\n\n{answer}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert run_cli("--content", content, "--out", out, "--only", "html").status == 0
    assert len(list((build_folder(out) / "formulas").iterdir())) == count
    page = (out / "many.html").read_text(encoding="utf-8")
    labels = re.findall(r'<svg class="math math-inline[^"]*"[^>]*aria-label="([^"]*)"', page)
    assert labels == [f"x_&#123;{i}&#125;^&#123;{i + 1}&#125;" for i in range(count)]


def test_markup_inside_a_formula_stays_text_in_every_output(tmp_path: Path, run_cli) -> None:
    content = tmp_path / "math"
    content.mkdir()
    hostile = '$\\mathrm{</svg><script>alert(1)</script>"} < x$'
    (content / "h.md").write_text(
        f"---\ntitle: H\nid: h\nmath: true\n---\n\n## S\n\n### Q {hostile}?\n\nA {hostile}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert run_cli("--content", content, "--out", out, "--only", "html,json").status == 0
    page = (out / "h.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "</svg><script>" not in page
    assert page.count('aria-label="\\mathrm&#123;&lt;/svg&gt;&lt;script&gt;') == 2
    model = json.loads((out / "h.json").read_text(encoding="utf-8"))
    card = model["deck"]["sections"][0]["cards"][0]
    for fragment in (card["question"], card["answer"]):
        assert "<script>" not in fragment["html"]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in fragment["html"]
        assert "<script>alert(1)</script>" in fragment["text"]  # plain text: the TeX


def test_a_formula_the_renderer_fails_on_is_an_error_not_a_traceback() -> None:
    with pytest.raises(NotDrawn, match="cannot be drawn"):
        draw(Formula("\\text{a < b}", False))  # what the check refuses, drawn anyway
