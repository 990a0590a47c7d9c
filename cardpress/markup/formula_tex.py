"""A formula's TeX as the MathML tree ziamath draws, spaced by TeX's rules.

ziamath reads TeX through latex2mathml and spaces operators by MathML's operator
dictionary: no space after an operator name (``\\det A`` reads "detA"), a thick space
after a comma, matrix columns 0.3 em apart. Here every operator's own space is set to
zero and the space TeX puts between two atoms is written between them instead, from the
class of each atom (ord, op, bin, rel, open, close, punct, inner; The TeXbook, chapter 18)
and the style it is set in (scripts drop the medium and thick spaces). Matrix and cases
columns are 1 em apart, as in TeX and MathJax.

The tree is also fixed where latex2mathml writes one ziamath cannot draw (a script on an
environment: ``\\end{pmatrix}^{-1}``); ``formula_limits`` measures what drawing it costs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

ORD, OP, BIN, REL, OPEN, CLOSE, PUNCT, INNER = range(8)

# The TeXbook's table of spaces between atoms, in mu (1/18 em): a negative entry is set
# only in display and text style, not in scripts.
SPACES = (
    # Ord  Op  Bin  Rel Open Close Punct Inner
    (0, 3, -4, -5, 0, 0, 0, -3),  # Ord
    (3, 3, 0, -5, 0, 0, 0, -3),  # Op
    (-4, -4, 0, 0, -4, 0, 0, -4),  # Bin
    (-5, -5, 0, 0, -5, 0, 0, -5),  # Rel
    (0, 0, 0, 0, 0, 0, 0, 0),  # Open
    (0, 3, -4, -5, 0, 0, 0, -3),  # Close
    (-3, -3, 0, -3, -3, -3, -3, -3),  # Punct
    (-3, 3, -4, -5, -3, 0, -3, -3),  # Inner
)
DISPLAY, TEXT, SCRIPT, SCRIPTSCRIPT = range(4)
ZIAMATH_EM = 4 / 3
"""ziamath reads a length of 1 em as 4/3 em (it converts em to points, then points to
pixels); every length is written here divided by this, to come out as TeX sets it."""
MATRIX_COLUMNS = f"{1 / ZIAMATH_EM:.4f}em"
"""Between the columns of a matrix, cases or array: TeX's two \\arraycolsep, MathJax's 1 em."""
STRUT = (f"{0.84 / ZIAMATH_EM:.4f}em", f"{0.36 / ZIAMATH_EM:.4f}em")
"""The height and depth of TeX's strut, in each cell of a table: baselines of rows of
ordinary entries are 1.2 em apart (TeX's \\baselineskip), plus \\jot in ``aligned``."""
ALIGNED_COLUMNS = f"0em {2 / ZIAMATH_EM:.4f}em"
"""Between a relation's two sides, then between pairs of them, as MathJax sets them."""
LEFT_FENCE_SPACE = 2 * ZIAMATH_EM
"""mu ziamath adds itself before a stretchy left fence that follows something."""
NULL_DELIMITER = 2.16
"""mu on each side of a fraction: TeX's \\nulldelimiterspace (1.2 pt at 10 pt)."""
MAX_LENGTH_EM = 100.0
"""A space, rule or shift longer than this (in em) is refused: no card needs one."""
_EM_PER_UNIT = {  # TeX's units at its 10 pt text size
    "em": 1.0,
    "ex": 0.430554,
    "mu": 1 / 18,
    "pt": 0.1,
    "px": 0.075,
    "bp": 0.100375,
    "dd": 0.107,
    "pc": 1.2,
    "mm": 0.284526,
    "cm": 2.845274,
    "in": 7.227,
}
_NAMED_SPACES = {
    f"{sign}{name}mathspace": (-1 if sign else 1) * mu / 18
    for sign in ("", "negative")
    for mu, name in enumerate(
        ("veryverythin", "verythin", "thin", "medium", "thick", "verythick", "veryverythick"), 1
    )
}
_LENGTH_RE = re.compile(r"^([+-]?)([0-9]*\.?[0-9]+)\s*([a-z]{2})?$")
_LENGTHS = {
    "mspace": ("width", "height", "depth"),
    "mpadded": ("width", "height", "depth", "lspace", "voffset"),
    "mtable": ("rowspacing",),
}


class TooLarge(ValueError):
    """A length in a formula is over ``MAX_LENGTH_EM``, or cannot be read."""

    def __init__(self, message: str, written: str):
        super().__init__(message)
        self.written = written
        """The length as the MathML holds it (the number is as the TeX has it)."""


_ROWS = {"math", "mrow", "mtd", "msqrt", "mstyle", "mpadded", "mphantom", "menclose", "merror"}
SCRIPTED = {"msub": 2, "msup": 2, "msubsup": 3, "munder": 2, "mover": 2, "munderover": 3}
_TEX_CLASSES = {
    "mathord": ORD,
    "mathalpha": ORD,
    "mathbin": BIN,
    "mathrel": REL,
    "mathopen": OPEN,
    "mathclose": CLOSE,
    "mathpunct": PUNCT,
    "mathop": OP,
}
_OVERRIDES = {"!": CLOSE, "?": CLOSE, ":": REL, ".": ORD, "/": ORD, "|": ORD, "\u2016": ORD}


@lru_cache(maxsize=1)
def _char_classes() -> dict[str, int]:
    """Each math character's TeX class, from the table latex2mathml ships."""
    import latex2mathml

    classes: dict[str, int] = {}
    table = Path(latex2mathml.__file__).with_name("unimathsymbols.txt")
    for line in table.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        fields = line.split("^")
        if len(fields) > 5 and fields[5] in _TEX_CLASSES:
            classes[chr(int(fields[0], 16))] = _TEX_CLASSES[fields[5]]
    classes.update(_OVERRIDES)
    return classes


def _text(element: ET.Element) -> str:
    return "".join(element.itertext()).strip()


def atom_class(element: ET.Element) -> int | None:
    """The TeX class of one element of a row; None for space, which is no atom."""
    tag = element.tag
    if tag == "mspace":
        return None
    if tag in ("mi", "mo", "mn", "mtext"):
        text = _text(element)
        if tag in ("mn", "mtext") or not text:
            return ORD
        if len(text) > 1:  # an operator name: \sin, \det, \max, \operatorname
            return OP if text.isalpha() else ORD
        return _char_classes().get(text, ORD)
    if tag in SCRIPTED:
        if tag in ("mover", "munder") and len(element) and element.get("accent") == "true":
            return ORD
        base = element[0] if len(element) else None
        if base is None:
            return ORD
        if base.tag == "mrow" and len(base) == 1 and tag in ("mover", "munder"):
            base = base[0]  # \overset{!}{=} is a relation
        return atom_class(base)
    if tag == "mfrac":
        return INNER
    if tag == "mstyle" and len(element) == 1:
        return atom_class(element[0])
    if tag == "mrow" and _fenced(element):
        return INNER
    return ORD


def _fenced(row: ET.Element) -> bool:
    """``\\left...\\right``, or a matrix between its delimiters."""
    if len(row) and row[0].tag == "mo" and row[0].get("fence") == "true":
        return True
    return len(row) == 3 and [c.tag for c in row] == ["mo", "mtable", "mo"]


def mathml(tex: str, display: bool) -> ET.Element:
    """The formula as MathML, spaced by TeX's rules. ziamath's own reading of TeX (its
    ``tex2mml``), without importing ziamath: the checks of a formula run here too."""
    from latex2mathml.converter import convert

    tex = re.sub(r"\\binom{(.+?)}{(.+?)}", r"\\left( \1 \\atop \2 \\right)", tex)
    tex = re.sub(r"\\mathrm{(.+?)}", r"\\mathrm {\1}", tex)  # latex2mathml needs the space
    tex = tex.replace("||", "\u2016")
    tex = _SPACED_ARROWS.sub(r"\\;\g<0>\\;", tex)  # TeX defines them with \; around
    tex = tex.replace(r"\begin{aligned}", r"\begin{align*}").replace(
        r"\end{aligned}", r"\end{align*}"
    )
    text = convert(tex, display="block" if display else "inline")
    for name, fixed in _MATHML_FIXES:
        text = re.sub(name, fixed, text)
    root = ET.fromstring(text)
    for element in root.iter():
        element.tag = element.tag.rsplit("}", 1)[-1]
    _lengths(root)
    return spaced(root, display)


def _lengths(root: ET.Element) -> None:
    """Every length written in em, for ziamath (``ZIAMATH_EM``), and within bounds."""
    for element in root.iter():
        for name in _LENGTHS.get(element.tag, ()):
            value = element.get(name)
            if value is not None:
                element.set(name, " ".join(_length(part) for part in value.split()))


def _length(text: str) -> str:
    if text in _NAMED_SPACES:
        sign, em = "", _NAMED_SPACES[text]
    else:
        match = _LENGTH_RE.match(text)
        if text.endswith("%") and _LENGTH_RE.match(text[:-1] + "px"):
            return text  # a percentage: relative to what is there
        if match is None:
            raise TooLarge(f"a length written '{text}' cannot be read", text)
        sign, number, unit = match.groups()
        em = float(number) * _EM_PER_UNIT.get(unit or "px", 0.0)
        text = text.lstrip("+")
    if abs(em) > MAX_LENGTH_EM:
        raise TooLarge(f"a length of {text} is over the limit of {MAX_LENGTH_EM:g}em", text)
    return f"{sign}{em / ZIAMATH_EM:.4f}em"


_SPACED_ARROWS = re.compile(r"\\(?:iff|implies|impliedby)(?![A-Za-z])")
_MATHML_FIXES = (  # as ziamath's tex2mml: TeX's arrows and angle brackets do not stretch
    (r">&#x02191;", r' stretchy="false">&#x02191;'),
    (r">&#x02193;", r' stretchy="false">&#x02193;'),
    (r"<mi>&#x027E8;", r'<mi stretchy="false">&#x027E8;'),
    (r"<mi>&#x027E9;", r'<mi stretchy="false">&#x027E9;'),
    (r'<mo stretchy="false">&#x0005E;', r'<mo stretchy="false">&#710;'),
    (r"<mo>&#x0005E;", r"<mo>&#x00302;"),
    (r"<mo>&#x0007E;", r"<mo>&#x00303;"),
)


def spaced(root: ET.Element, display: bool) -> ET.Element:
    """The tree with TeX's spaces between atoms (changed in place, and returned)."""
    _group_environments(root)
    _space(root, DISPLAY if display else TEXT, top=True)
    return root


def _group_environments(element: ET.Element) -> None:
    """Put each matrix and its delimiters in a row of their own, and give a script on
    it a base of one element (latex2mathml writes them loose)."""
    for child in element:
        _group_environments(child)
    children = list(element)
    at = 1
    while at < len(children) - 1:
        if (
            len(children) != 3
            and children[at].tag == "mtable"
            and children[at - 1].tag == "mo"
            and children[at + 1].tag == "mo"
            and element.tag not in SCRIPTED
        ):
            group = ET.Element("mrow")
            group.extend(children[at - 1 : at + 2])
            children[at - 1 : at + 2] = [group]
        at += 1
    scripts = SCRIPTED.get(element.tag)
    if scripts is not None and len(children) > scripts:
        base = ET.Element("mrow")
        base.extend(children[: len(children) - scripts + 1])
        _group_environments(base)
        children[: len(children) - scripts + 1] = [base]
    if children != list(element):
        element[:] = children


def _inner_styles(element: ET.Element, style: int) -> list[int]:
    """The style of each child: scripts, fractions and limits step down as in TeX."""
    smaller = SCRIPT if style <= TEXT else SCRIPTSCRIPT
    tag, count = element.tag, len(element)
    if tag in SCRIPTED:
        return [style] + [smaller] * (count - 1)
    if tag == "mfrac":
        return [style + 1 if style <= SCRIPT else SCRIPTSCRIPT] * count
    if tag == "mroot":
        return [style] + [SCRIPTSCRIPT] * (count - 1)
    if tag == "mstyle":
        if element.get("displaystyle") == "true":
            style = DISPLAY
        elif element.get("scriptlevel") in ("1", "2"):
            style = SCRIPT if element.get("scriptlevel") == "1" else SCRIPTSCRIPT
        elif element.get("displaystyle") == "false":
            style = TEXT
    if tag == "mtable":
        style = DISPLAY if element.get("displaystyle") == "true" else TEXT
    return [style] * count


def _space(element: ET.Element, style: int, top: bool = False) -> None:
    """Space ``element`` and what is in it; ``top``: the formula's own row, where a
    relation or binary operator is marked as a place to break a long display."""
    tag = element.tag
    if tag == "mtable":
        aligned = element.get("displaystyle") == "true"
        element.set("columnspacing", ALIGNED_COLUMNS if aligned else MATRIX_COLUMNS)
        if not aligned:
            element.set("rowspacing", "0em")
        for row in element:  # TeX's strut: rows at least 1.2 em apart (one cell holding
            cells = [cell for cell in row if cell.tag == "mtd"]  # it is enough: a row is
            if cells:  # as high as its highest cell, and each node costs drawing time)
                cells[0].append(ET.Element("mspace", height=STRUT[0], depth=STRUT[1]))
    for child, child_style in zip(list(element), _inner_styles(element, style), strict=True):
        _space(child, child_style, top and tag == "math" and child.tag == "mrow")
    if tag == "mi" and atom_class(element) == OP:
        element.tag = "mo"  # ziamath pads a name in <mi> with spaces of its own
    if tag in ("mo", "mi") and style <= TEXT:
        element.set("lspace", "0")  # TeX's spaces are set between atoms instead
        element.set("rspace", "0")
    if tag in _ROWS:
        _space_row(element, style, top)


def _space_row(row: ET.Element, style: int, top: bool) -> None:
    atoms = [(i, child) for i, child in enumerate(row) if atom_class(child) is not None]
    classes = [atom_class(child) or ORD for _, child in atoms]
    for k, kind in enumerate(classes):  # a binary operator with nothing to bind is ord
        if kind == BIN and (k == 0 or classes[k - 1] in (BIN, OP, REL, OPEN, PUNCT)):
            classes[k] = ORD
        elif kind in (REL, CLOSE, PUNCT) and k and classes[k - 1] == BIN:
            classes[k - 1] = ORD
    if classes and classes[-1] == BIN:
        classes[-1] = ORD
    inserts: list[tuple[int, float]] = []
    for k in range(1, len(atoms)):
        mu: float = SPACES[classes[k - 1]][classes[k]]
        if mu < 0:
            mu = 0 if style >= SCRIPT else -mu
        at, right = atoms[k]
        if _left_fence(right):
            mu -= LEFT_FENCE_SPACE  # ziamath's own space before a \left fence
        mu += NULL_DELIMITER * (_fraction(atoms[k - 1][1]) + _fraction(right))
        if mu:
            inserts.append((at, mu))
    if top:
        _mark_breaks([atom for _, atom in atoms], classes)
    for at, mu in reversed(inserts):
        _put_space(row, at, mu / 18 / ZIAMATH_EM, style)
    if atoms and _fraction(atoms[-1][1]):
        row.append(_mspace(NULL_DELIMITER))
    if atoms and _fraction(atoms[0][1]):
        row.insert(atoms[0][0], _mspace(NULL_DELIMITER))


def _fraction(element: ET.Element) -> bool:
    """A fraction: TeX sets an empty delimiter of ``NULL_DELIMITER`` on each side."""
    if element.tag == "mstyle" and len(element) == 1:
        element = element[0]
    return element.tag == "mfrac" and element.get("linethickness") != "0"


def _mspace(mu: float) -> ET.Element:
    return ET.Element("mspace", width=f"{mu / 18 / ZIAMATH_EM:.4f}em")


def _mark_breaks(atoms: list[ET.Element], classes: list[int]) -> None:
    """Mark the relations and binary operators outside parentheses as places to break."""
    depth = 0
    for k, (atom, kind) in enumerate(zip(atoms, classes, strict=True)):
        if kind == OPEN:
            depth += 1
        elif kind == CLOSE:
            depth = max(0, depth - 1)
        elif k and not depth and kind in (REL, BIN) and atom.tag == "mo":
            atom.set("linebreak", "goodbreak")


def _put_space(row: ET.Element, at: int, em: float, style: int) -> None:
    """A space before the ``at``-th child: that operator's own space, or the one before
    it, where ziamath sets one (outside scripts); an ``mspace`` otherwise. Few elements
    matter: ziamath's time grows with the square of a row's length."""
    right, left = row[at], row[at - 1]
    if style <= TEXT and right.tag == "mo" and right.get("lspace") == "0":
        right.set("lspace", f"{em:.4f}em")
    elif style <= TEXT and left.tag == "mo" and left.get("rspace") == "0":
        left.set("rspace", f"{em:.4f}em")
    else:
        row.insert(at, ET.Element("mspace", width=f"{em:.4f}em"))


def _left_fence(element: ET.Element) -> bool:
    """A ``\\left`` delimiter ziamath stretches, and puts a space of its own before."""
    if element.tag != "mrow" or not len(element):
        return False
    first = element[0]
    return first.get("fence") == "true" and first.get("stretchy") == "true" and bool(_text(first))
