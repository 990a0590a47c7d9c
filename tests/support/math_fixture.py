"""Formulas of every kind a card holds, written for these tests: operators, relations,
functions, fractions, sums and integrals with limits, matrices and cases, accents,
nested scripts and long displays. tests/markup/test_formula_tex.py draws each, and
tests/support/math_screenshots.py shows each beside MathJax's rendering (docs/format.md)."""

from __future__ import annotations

FORMULAS: list[tuple[str, str, bool]] = [
    # (kind, TeX, display)
    ("operators", r"2 \times 2 = 4", False),
    ("operators", r"a \cdot b \pm c", False),
    ("operators", r"-x + y - z", False),
    ("operators", r"a \cup b \cap c", False),
    ("operators", r"(a + b) \div 2", False),
    ("relations", r"a = b", False),
    ("relations", r"a \le b < c \ge d", False),
    ("relations", r"x \to 0, \quad y \mapsto y^2", False),
    ("relations", r"A \subseteq B \iff x \in A \implies x \in B", False),
    ("relations", r"p \approx q \ne r \equiv s", False),
    ("functions", r"\det A", False),
    ("functions", r"\sin x + \cos x", False),
    ("functions", r"\log n", False),
    ("functions", r"\max_i x_i", False),
    ("functions", r"\operatorname{rank} A = n", False),
    ("functions", r"\sin(x) \exp(y) \ln z", False),
    ("functions", r"f(x), g(x); h(x)", False),
    ("fractions", r"\frac{a}{b} + \frac{c}{d}", False),
    ("fractions", r"\frac{-b \pm \sqrt{b^2 - 4ac}}{2a}", True),
    ("fractions", r"\frac{1}{1 + \frac{1}{x}}", True),
    ("fractions", r"\binom{n}{k} = \frac{n!}{k!(n-k)!}", True),
    ("limits", r"\sum_{i=1}^{n} i = \frac{n(n+1)}{2}", True),
    ("limits", r"\int_0^1 x^2 \, dx = \frac{1}{3}", True),
    ("limits", r"\lim_{h \to 0} \frac{f(x+h) - f(x)}{h}", True),
    ("limits", r"\prod_{p \text{ prime}} \frac{1}{1 - p^{-s}}", True),
    ("limits", r"\sum_{k=0}^{\infty} \frac{x^k}{k!} = e^x", False),
    ("matrices", r"\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}", True),
    ("matrices", r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}^{-1}", True),
    ("matrices", r"\begin{bmatrix} 1 & 2 & 3 \\ 4 & 5 & 6 \end{bmatrix}", True),
    ("matrices", r"\det \begin{vmatrix} a & b \\ c & d \end{vmatrix} = ad - bc", True),
    ("cases", r"|x| = \begin{cases} x & x \ge 0 \\ -x & x < 0 \end{cases}", True),
    ("cases", r"\begin{aligned} (a+b)^2 &= a^2 + 2ab + b^2 \\ &\ge 4ab \end{aligned}", True),
    ("accents", r"\hat{x} + \bar{y} + \vec{v} + \tilde{a}", False),
    ("accents", r"\overline{AB} \perp \dot{x}", False),
    ("scripts", r"x_{i_1}^{2^k}", False),
    ("scripts", r"e^{-x^2/2}", False),
    ("scripts", r"a_{n+1} = a_n + a_{n-1}", False),
    ("scripts", r"\left( \frac{a}{b} \right)^{n+1}", True),
    ("roots", r"\sqrt{x^2 + y^2} \le \sqrt[3]{z}", False),
    (
        "long displays",
        r"(a + b)^4 = a^4 + 4a^3b + 6a^2b^2 + 4ab^3 + b^4"
        r" = \sum_{k=0}^{4} \binom{4}{k} a^k b^{4-k}",
        True,
    ),
    (
        "long displays",
        r"\begin{vmatrix} a & b & c \\ d & e & f \\ g & h & i \end{vmatrix}"
        r" = aei + bfg + cdh - ceg - bdi - afh",
        True,
    ),
    ("sets", r"\{ x \in \mathbb{R} \mid x > 0 \}", False),
]
