"""Formulas are spaced as TeX spaces them, and drawing them is bounded.

The gaps are measured in the drawn SVG: each glyph is one path, and the gap between two
glyphs' ink boxes is the right side bearing of the first, the space TeX puts between the
two atoms, and the left side bearing of the second (the bearings from the renderer's
font, STIX Two Math). Every measured gap is within ``TOLERANCE`` of that.
"""

from __future__ import annotations

import itertools
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cardpress.markup import formula_limits, formulas
from cardpress.markup.formula_draw import Drawing, draw
from cardpress.markup.formula_svg import svg_html
from cardpress.markup.formulas import Formula
from tests.support.math_fixture import FORMULAS

TOLERANCE = 0.01
"""em: a tenth of a pixel at 16 px."""
THIN, MEDIUM, THICK = 3 / 18, 4 / 18, 5 / 18
"""TeX's thin, medium and thick spaces, in em (3, 4 and 5 mu)."""
ITALIC = {c: chr(0x1D44E + i) for i, c in enumerate("abcdefg")} | {
    c: chr(0x1D456 + i) for i, c in enumerate("ijklmnopqrstuvwxyz")
}
"""Math italic letters: a lone letter in a formula is drawn in italic."""


def glyphs_of(written: str) -> str:
    """The glyphs of ``written``: a letter in italic, but a name in braces upright."""
    parts = re.split(r"\{(\w+)\}", written)
    return "".join(
        part if index % 2 else "".join(ITALIC.get(c, c) for c in part)
        for index, part in enumerate(parts)
    )


@cache
def bearings(char: str) -> tuple[float, float]:
    """A glyph's left and right side bearings in em, from the renderer's font."""
    from ziamath.zmath import loadedfonts

    glyph = loadedfonts["default"].glyph(char)
    return glyph.path.bbox.xmin / 1000, (glyph.advance() - glyph.path.bbox.xmax) / 1000


def ink(drawing: Drawing) -> list[tuple[float, float]]:
    """Each path's left and right ink edge, in em, in the order drawn."""
    boxes = []
    for name, attrs in drawing.shapes:
        if name == "path":
            numbers = re.findall(r"-?[0-9.]+", dict(attrs)["d"])
            xs = [float(n) for n in numbers[0::2]]
            boxes.append((min(xs) / 16, max(xs) / 16))
    return boxes


def gaps(tex: str) -> list[float]:
    boxes = ink(draw(Formula(tex, display=False)))
    return [right[0] - left[1] for left, right in itertools.pairwise(boxes)]


def expected(chars: str, spaces: list[float | None]) -> list[float | None]:
    """The ink gaps of glyphs ``chars`` set with ``spaces`` (em) between them; None
    inside an operator name, whose letters ziamath sets as the font has them."""
    return [
        None if space is None else bearings(left)[1] + space + bearings(right)[0]
        for (left, right), space in zip(itertools.pairwise(chars), spaces, strict=True)
    ]


@pytest.mark.parametrize(
    ("tex", "glyphs", "spaces"),
    [
        # binary operators: a medium space each side
        (r"a + b", "a+b", [MEDIUM, MEDIUM]),
        (r"2 \times 2", "2\u00d72", [MEDIUM, MEDIUM]),
        (r"a \cdot b", "a\u00b7b", [MEDIUM, MEDIUM]),
        (r"a - b", "a\u2212b", [MEDIUM, MEDIUM]),
        # relations: a thick space each side
        (r"a = b", "a=b", [THICK, THICK]),
        (r"a \le b", "a\u2264b", [THICK, THICK]),
        (r"x \to 0", "x\u21920", [THICK, THICK]),
        # a binary operator with nothing on its left is an ordinary symbol: no space
        (r"-x", "\u2212x", [0]),
        (r"a = -b", "a=\u2212b", [THICK, THICK, 0]),
        # a space written in TeX is as wide as TeX makes it
        (r"a \quad b", "ab", [1.0]),
        (r"a \, b", "ab", [THIN]),
        # punctuation: a thin space after, none before
        (r"a, b", "a,b", [0, THIN]),
        # operator names: a thin space before an ordinary atom, none before a parenthesis
        (r"\det x", "{det}x", [None, None, THIN]),
        (r"\sin x", "{sin}x", [None, None, THIN]),
        (r"\log n", "{log}n", [None, None, THIN]),
        (r"\operatorname{rank} x", "{rank}x", [None, None, None, THIN]),
        (r"\sin(x)", "{sin}(x)", [None, None, 0, 0, 0]),
        (r"a \sin x", "a{sin}x", [THIN, None, None, THIN]),
    ],
)
def test_gaps_between_glyphs_are_the_spaces_tex_puts_there(
    tex: str, glyphs: str, spaces: list[float | None]
) -> None:
    chars = glyphs_of(glyphs)
    measured = gaps(tex)
    assert len(measured) == len(chars) - 1
    for got, want in zip(measured, expected(chars, spaces), strict=True):
        assert want is None or abs(got - want) <= TOLERANCE, (
            tex,
            measured,
            expected(chars, spaces),
        )


def test_scripts_drop_the_medium_and_thick_spaces() -> None:
    full = gaps(r"a + b = c")
    script = gaps(r"x^{a + b = c}")[1:]  # from the a of the superscript on
    assert min(full) > MEDIUM
    assert max(script) < 0.1  # only the bearings of the smaller glyphs


def test_a_limit_under_an_operator_name_is_apart_from_what_follows() -> None:
    boxes = ink(draw(Formula(r"\max_i x", display=False)))
    max_end = boxes[2][1]  # m, a, x, then the i below or beside it, then x
    x_start = boxes[-1][0]
    assert x_start - max_end >= THIN


def test_matrix_columns_are_one_em_apart() -> None:
    boxes = ink(draw(Formula(r"\begin{matrix} 1 & 1 \end{matrix}", display=True)))
    left, right = bearings("1")
    gap = boxes[1][0] - boxes[0][1]
    assert abs(gap - (right + 1.0 + left)) <= TOLERANCE


def test_matrix_rows_are_as_far_apart_as_tex_sets_digits() -> None:
    drawing = draw(Formula(r"\begin{matrix} 1 \\ 1 \end{matrix}", display=True))
    bottoms = []
    for _, attrs in drawing.shapes:
        numbers = re.findall(r"-?[0-9.]+", dict(attrs)["d"])
        bottoms.append(max(float(n) for n in numbers[1::2]) / 16)
    assert len(bottoms) == 2
    assert abs(bottoms[1] - bottoms[0] - 1.2) <= 0.02  # baselines 1.2 em apart


def test_a_script_on_an_environment_is_drawn_after_it() -> None:
    drawing = draw(Formula(r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}^{-1}", True))
    boxes = ink(drawing)
    assert len(boxes) == 2 + 4 + 2  # two parentheses, four digits, minus and one
    assert boxes[-2][0] > max(right for _, right in boxes[:-2]) - 0.05  # after the ")"


def test_every_fixture_formula_passes_the_check_and_is_drawn() -> None:
    assert len(FORMULAS) >= 40
    kinds = {kind for kind, _, _ in FORMULAS}
    assert kinds >= {"operators", "relations", "functions", "fractions", "limits"}
    assert kinds >= {"matrices", "cases", "accents", "scripts", "long displays"}
    for _, tex, display in FORMULAS:
        assert list(formulas.problems(tex)) == [], tex
        drawing = draw(Formula(tex, display))
        assert drawing.shapes and drawing.box[2] > 0


def test_a_long_display_may_break_before_its_relations_and_operators() -> None:
    tex = next(tex for kind, tex, _ in FORMULAS if kind == "long displays")
    formula = Formula(tex, display=True)
    drawing = draw(formula)
    assert len(drawing.breaks) == 2 + 4  # each "=" and "+" of the top level: none in
    # (a + b), in a limit or in an exponent
    assert list(drawing.breaks) == sorted(drawing.breaks)
    shown = svg_html(formula, drawing)
    assert shown.count("<svg") == len(drawing.breaks) + 1
    assert shown.count('role="img"') == 1  # one label for the whole formula
    drawn = re.findall(r"<(?:path|rect|line|circle|ellipse|polygon) ", shown)
    assert len(drawn) == len(drawing.shapes)  # each shape in one piece
    inline = svg_html(Formula(tex, display=False), draw(Formula(tex, display=False)))
    assert inline.count("<svg") == 1


def test_formulas_are_sized_in_ex_so_their_x_height_is_the_texts() -> None:
    drawing = draw(Formula("x", display=False))
    shown = svg_html(Formula("x", False), drawing)
    match = re.search(r'height="([0-9.]+)ex"', shown)
    assert match is not None, shown
    height = float(match.group(1))
    assert abs(height * 0.473 * 16 - drawing.box[3]) < 0.05  # 1 ex is the font's x-height


@pytest.mark.parametrize(
    ("tex", "at", "message"),
    [
        (r"\rule{90000em}{1em}", 6, "a length of 90000em is over the limit of 100em"),
        (r"x \hspace{90000em} y", 10, "a length of 90000em is over the limit"),
        (r"\kern 90000em x", 6, "a length of 90000em is over the limit"),
        (r"\raise 90000em x", 7, "a length of 90000em is over the limit"),
        (r"\mkern 9000000mu x", 7, "a length of 9000000mu is over the limit"),
        (r"\sqrt{" * 9 + "x" + "}" * 9, 0, "too deeply nested or too long"),
        (r"\left(" * 9 + "x" + r"\right)" * 9, 0, "too deeply nested or too long"),
        ("+".join("x" for _ in range(700)), 0, "too deeply nested or too long"),
        (r"\frac{a}", 0, "(a fraction is missing a part): write \\frac{a}{b}"),
        ("a^b^c", 0, "(two superscripts on one base): put one in braces"),
    ],
)
def test_what_drawing_would_fail_on_is_found_when_the_deck_is_read(
    tex: str, at: int, message: str
) -> None:
    found = list(formulas.problems(tex))
    assert len(found) == 1 and message in found[0][1], found
    assert found[0][0] == at


def test_a_formula_within_the_limits_is_drawn() -> None:
    for tex in (r"\sqrt{" * 6 + "x" + "}" * 6, r"\rule{10em}{1em}", r"\hspace{-3em} x"):
        assert list(formulas.problems(tex)) == []
        assert draw(Formula(tex, True)).shapes


FRONT = "---\ntitle: T\nid: t\nmath: true\n---\n\n## S\n\n### Q\n\n"


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            "Inline $x \\rule{90000em}{1em}$ here.",
            "t.md:11:17: error: a length of 90000em is over the limit of 100em",
        ),
        (
            "Nested $" + "\\sqrt{" * 10 + "x" + "}" * 10 + "$.",
            "t.md:11:9: error: formula '\\sqrt{",
        ),
    ],
)
def test_a_formula_that_cannot_be_drawn_is_an_error_at_its_line_and_column(
    run_cli, tmp_path: Path, answer: str, error: str
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "t.md").write_text(FRONT + answer + "\n", encoding="utf-8")
    result = run_cli("--content", content, "--out", tmp_path / "dist", "--only", "html")
    assert result.status == 1
    assert error in result.err, result.err
    assert "Traceback" not in result.err and "bad box" not in result.err
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())


def test_a_formula_past_its_processor_time_is_an_error_at_its_card(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    monkeypatch.chdir(content)
    (content / "t.md").write_text(FRONT + "$$\\left(" * 1 + "\\frac{a}{b}\\right)$$\n")
    monkeypatch.setenv(formula_limits.CPU_SECONDS_VARIABLE, "0.000001")
    result = run_cli("--content", content, "--out", tmp_path / "dist", "--only", "html")
    assert result.status == 1
    assert result.err.startswith("t.md:9:1: error: ")
    assert "of processor time" in result.err


def test_the_matrix_inverse_of_the_issue_builds(run_cli, tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    tex = r"$$\begin{pmatrix} a & b \\ c & d \end{pmatrix}^{-1}$$"
    (content / "t.md").write_text(FRONT + tex + "\n", encoding="utf-8")
    result = run_cli("--content", content, "--out", tmp_path / "dist", "--only", "html")
    assert result.status == 0, result.err
    page = (tmp_path / "dist" / "t.html").read_text(encoding="utf-8")
    assert 'aria-label="\\begin&#123;pmatrix&#125;' in page


def test_punctuation_after_an_inline_formula_stays_with_it() -> None:
    from cardpress.markup import html as markup
    from cardpress.markup.formula_svg import _fragment

    html = markup.render_blocks(markup.parse("So $x^2$. And $y$, then $z$ end.", True).tokens, True)
    drawn = {f: draw(f) for f in formulas.formulas(html.html)}
    done = _fragment(html, drawn).html
    assert done.count('<span class="math-nowrap">') == 2
    assert re.search(r'<span class="math-nowrap"><svg [^>]*>.*?</svg>\.</span>', done)
    assert re.search(r'<span class="math-nowrap"><svg [^>]*>.*?</svg>,</span>', done)


def test_rows_laid_out_once_draw_what_ziamath_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    """ziamath's first layout of a row is skipped where nothing reads it (formula_rows):
    every fixture formula, inline and display, is drawn the same with ziamath's own."""
    from ziamath.nodes.mrow import Mrow

    extra = [r"\left( \frac{a}{b} \right)^{2} \Big| x", r"\overbrace{a + b}^{n} \| \sqrt{x}"]
    tests = [Formula(tex, mode) for _, tex, _ in FORMULAS for mode in (False, True)]
    tests += [Formula(tex, True) for tex in extra]
    once = [draw(formula) for formula in tests]
    assert getattr(Mrow, "_cardpress_once", False)
    row: Any = Mrow  # install() keeps ziamath's own measure on it
    monkeypatch.setattr(Mrow, "_get_height_nostretch", row._cardpress_measure)
    assert [draw(formula) for formula in tests] == once
