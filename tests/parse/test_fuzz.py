"""The parser never crashes or hangs: any input gives a model or content errors with places.

Hypothesis writes a content folder of arbitrary and Markdown-shaped files (front matter,
headings, settings comments, cloze braces, fences, tables, images, links, raw HTML) in
any encoding, with byte-order marks, CRs, NULs and broken UTF-8. ``read_content`` must
either build decks whose HTML stays on the allow-list, or raise ContentError whose every
diagnostic points into a file that was written. ``make fuzz`` runs 20,000 examples.

The pathological inputs run in a subprocess with a generous time limit and a memory
limit: the test is that they finish with the documented result, not how fast they are.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardpress.errors import ContentError, Diagnostic
from cardpress.parse import read_content
from cardpress.renderers.json_model import deck_to_dict
from tests.support.paths import ROOT
from tests.test_hostile import deck_html_problems

EXAMPLES = int(os.environ.get("CARDPRESS_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
    b'<rect width="4" height="4"/></svg>'
)

INLINE_SNIPPETS = [
    "**bold**",
    "*em*",
    "_em_",
    "`code`",
    "``co`de``",
    "~~gone~~",
    "\\*",
    "&amp;",
    "&#0;",
    "&#x3C;script&#x3E;",
    "[web](https://example.com)",
    "[mail](mailto:a@example.com)",
    "[anchor](#card-x)",
    "[relative](other.md)",
    "[proto](//example.com/x)",
    "[js](javascript:alert(1))",
    "[js2](JaVaScRiPt:alert(1))",
    "[tab](java\tscript:alert(1))",
    "[data](data:text/html,<script>alert(1)</script>)",
    '[title](https://example.com "t\\"itle")',
    "<https://example.com>",
    "<javascript:alert(1)>",
    "![png](img/a.png)",
    "![svg](img/b.svg)",
    "![dup](./img/a.png)",
    "![missing](img/missing.png)",
    "![outside](../outside.png)",
    "![absolute](/etc/passwd)",
    "![remote](https://example.com/x.png)",
    "![proto](//example.com/x.png)",
    "![text](img/note.txt)",
    "![link](img/out.png)",
    "![nul](img/a%00.png)",
    "![long](" + "a" * 300 + ".png)",
    "![loop](img/loop.png)",
    "![dir](img)",
    "![data](data:image/png;base64,AAAA)",
    "<kbd>",
    "</kbd>",
    "<br/>",
    "<b onclick=x>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "<!-- comment -->",
    "<!--",
    "-->",
    "{{c1::answer}}",
    "{{c2::answer::hint}}",
    "{{c0::zero}}",
    "{{c1::<b>x</b>::<i>h</i>}}",
    "{{short}}",
    "{{short::hint}}",
    "{{",
    "}}",
    "{{c1::",
    "::",
    "{{c1::{{c2::nested}}}}",
    "[!TIP]",
    "\t",
    "\x00",
    "\r",
    "\x0b",
    "\x1b[31m",
    "\ufeff",
    "\u2028",
    "\ud7ff",
]

HTML_BLOCKS = [
    '<div onclick="alert(1)">x</div>',
    "<script>alert(1)</script>",
    '<iframe src="https://example.com"></iframe>',
    "<style>@import url(https://example.com/x.css);</style>",
    "<svg><script>alert(1)</script></svg>",
    "<!-- id: x; kind: cloze -->",
    "<!-- a --> <script>alert(1)</script> <!-- b -->",
    "<!--\nid: multi\nkind: reversed\n-->",
    "<?php echo 1; ?>",
    "<!DOCTYPE html>",
    "<![CDATA[x]]>",
    "<table><tr><td>raw</td></tr></table>",
]

text = st.text(max_size=30)
inline = st.lists(st.one_of(st.sampled_from(INLINE_SNIPPETS), text), max_size=6).map(" ".join)
ids = st.one_of(st.sampled_from(["a", "b", "card-1", "x.y_z", "Bad Id", "", "-x", "a" * 101]), text)


@st.composite
def settings_comment(draw: st.DrawFn) -> str:
    keys = st.sampled_from(["id", "kind", "tags", "colour", "ID", "Kind", "x y", ""])
    values = st.one_of(
        ids, st.sampled_from(["cloze", "reversed", "basic", "flash", "a b,c", 'q"uote'])
    )
    pairs = draw(st.lists(st.tuples(keys, values), max_size=4))
    separator = draw(st.sampled_from(["; ", "\n", ";"]))
    return "<!-- " + separator.join(f"{k}: {v}" for k, v in pairs) + " -->"


@st.composite
def fence(draw: st.DrawFn) -> str:
    marker = draw(st.sampled_from(["```", "~~~", "````", "`` `"]))
    language = draw(st.one_of(st.sampled_from(["bash", "python", "", "nosuchlanguage"]), text))
    code = draw(st.text(max_size=60))
    closing = marker if draw(st.booleans()) else ""
    indent = draw(st.sampled_from(["", "> ", "- ", "  "]))
    lines = [marker + language, *code.split("\n"), closing]
    return "\n".join(indent + line for line in lines)


@st.composite
def table(draw: st.DrawFn) -> str:
    columns = draw(st.integers(1, 4))
    rows = [draw(st.lists(inline, min_size=1, max_size=columns + 1)) for _ in range(3)]
    separator = draw(
        st.lists(st.sampled_from(["---", ":--", "--:", ":-:", "-", "x"]), min_size=1, max_size=5)
    )
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join(separator) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


@st.composite
def listing(draw: st.DrawFn) -> str:
    items = draw(
        st.lists(
            st.tuples(st.integers(0, 12), st.sampled_from(["-", "*", "+", "1.", "2)"]), inline),
            min_size=1,
            max_size=6,
        )
    )
    return "\n".join(" " * indent + marker + " " + body for indent, marker, body in items)


@st.composite
def quote(draw: st.DrawFn) -> str:
    depth = draw(st.integers(1, 4))
    label = draw(st.sampled_from(["", "[!TIP]\n", "[!WARNING]\n", "[!BOGUS]\n", "[!note] x\n"]))
    body = label + draw(inline)
    return "\n".join(">" * depth + " " + line for line in body.split("\n"))


blocks = st.one_of(
    st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 7), inline),
    st.builds(lambda t: "## " + t, inline),
    st.builds(lambda t: "### " + t, inline),
    settings_comment(),
    inline,
    fence(),
    table(),
    listing(),
    quote(),
    st.sampled_from(["---", "***", "___", "- - -", "===", "    indented code"]),
    st.sampled_from(HTML_BLOCKS),
    st.text(max_size=80),
)

front_lines = st.sampled_from(
    [
        "title: Deck",
        "title: ''",
        "title: [a, b]",
        "title: !!python/object/apply:os.system [echo]",
        "id: t",
        "id: deck-1",
        "id: Bad Id",
        "id: 12",
        "tags: [a, b]",
        "tags: a b",
        "tags: {a: 1}",
        'tags: [a"b]',
        "paper: letter",
        "paper: a5",
        "description: text",
        "description: [1]",
        "colour: blue",
        "x: &a [1, 2]",
        "y: *a",
        "z: [[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]",
        "title: [",
        "- item",
        "\t: tab",
        "? [complex]\n: key",
    ]
)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["valid", "valid", "valid", "none", "lines", "unclosed"]))
    if kind == "none":
        return ""
    lines = draw(st.lists(st.one_of(front_lines, text), max_size=4))
    if kind == "valid":
        lines = ["title: Deck", f"id: {draw(st.sampled_from(['t', 'deck-1']))}", *lines]
    closing = "" if kind == "unclosed" else "---\n"
    return "---\n" + "\n".join(lines) + "\n" + closing


@st.composite
def document(draw: st.DrawFn, *, first: bool = True) -> bytes:
    head = draw(front_matter()) if first else draw(st.sampled_from(["", "", "---\nid: x\n---\n"]))
    parts = draw(st.lists(st.tuples(blocks, st.sampled_from(["\n", "\n\n"])), max_size=14))
    body = "## Section\n\n### Question?\n\nAnswer.\n\n" if draw(st.booleans()) else ""
    source = head + body + "".join(block + gap for block, gap in parts)
    encoding = draw(
        st.sampled_from(["utf-8"] * 6 + ["bom", "crlf", "cr", "latin-1", "utf-16", "junk"])
    )
    if encoding == "crlf":
        source = source.replace("\n", "\r\n")
    elif encoding == "cr":
        source = source.replace("\n", "\r")
    if encoding == "latin-1":
        return source.encode("latin-1", "replace")
    if encoding == "utf-16":
        return source.encode("utf-16")
    data = source.encode("utf-8")
    if encoding == "bom":
        return b"\xef\xbb\xbf" + data
    if encoding == "junk":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


LOCKS = st.one_of(
    st.binary(max_size=40),
    st.sampled_from(
        [
            b"",
            b"{}",
            b"[]",
            b'{"cardpress_lock": 1}',
            b'{"cardpress_lock": 1, "cards": []}',
            b'{"cardpress_lock": 1, "cards": {"a": "x"}}',
            b'{"cardpress_lock": 1, "cards": {"../x": {"question": "q", "answer": "a"}}}',
            b'{"cardpress_lock": 1, "cards": {"a\\"><script>": {"question": "q", "answer": "a"}}}',
            b'{"cardpress_lock": 1, "stamps": {"k": {"fingerprint": "f", "modified": 1e999}}}',
            b'{"cardpress_lock": 1, "content": {"fingerprint": "f", "modified": "x"}}',
            b'{"cardpress_lock": 1, "content": [1]}',
            b'{"cardpress_lock": 2}',
            b"[" * 100_000,
        ]
    ),
)
EXTRA_NAMES = ["10-more", "sub/20-deeper", "_draft", ".hidden", "with space", "ünï", "-dash"]


@st.composite
def content_files(draw: st.DrawFn) -> dict[str, bytes]:
    """Relative path -> bytes of the Markdown (and lock) files of a content folder."""
    layout = draw(st.sampled_from(["file", "file", "folder", "two"]))
    files: dict[str, bytes] = {}
    if layout == "file":
        files["d.md"] = draw(document())
        lock = "d.lock"
    elif layout == "two":
        files["a.md"] = draw(document())
        files["b.md"] = draw(document())
        lock = "a.lock"
    else:
        files["deck/index.md"] = draw(document())
        for name in draw(st.lists(st.sampled_from(EXTRA_NAMES), max_size=3, unique=True)):
            files[f"deck/{name}.md"] = draw(document(first=False))
        lock = "deck/cardpress.lock"
    if draw(st.integers(0, 4)) == 0:
        files[lock] = draw(LOCKS)
    return files


# -- content that should build: hostile only where the format turns it into warnings ---

WARNING_SNIPPETS = [
    "**bold**",
    "*em*",
    "`code`",
    "~~gone~~",
    "&amp; &lt;script&gt;",
    "[web](https://example.com)",
    "[relative](other.md)",
    "[js](javascript:alert(1))",
    "[js2](JaVaScRiPt:alert(1))",
    "[data](data:text/html,<script>alert(1)</script>)",
    "<javascript:alert(1)>",
    "![png](img/a.png)",
    "![svg](img/b.svg)",
    '![alt with {{c1::braces}} and "quotes"](img/a.png "title {{x}}")',
    "<kbd>Ctrl</kbd>",
    "<b onclick=alert(1)>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "<iframe src=https://example.com>",
    '<span style="background:url(https://example.com/x)">',
    "<!-- hidden -->",
    "\\{{",
]
safe_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="{}`~#<>[]|*_\\-=!:&"
    ),
    min_size=1,
    max_size=20,
)
word = st.from_regex(r"[A-Za-z0-9]{1,8}", fullmatch=True)
clean_inline = st.lists(st.one_of(st.sampled_from(WARNING_SNIPPETS), safe_text), max_size=5).map(
    " ".join
)
clean_blocks = st.one_of(
    clean_inline,
    st.builds(lambda t: "- " + t + "\n  - " + t, clean_inline),
    st.builds(lambda t: "> " + t, clean_inline),
    st.builds(lambda t: "> [!WARNING]\n> " + t, clean_inline),
    st.builds(lambda t: "| a | b |\n| - | -: |\n| " + t + " | x |", clean_inline),
    st.builds(
        lambda lang, code: f"```{lang}\n{code}\n```",
        st.sampled_from(["bash", "python", "html", "nosuchlanguage", ""]),
        st.text(
            alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="`\x00"),
            max_size=60,
        ),
    ),
    st.sampled_from(
        [
            '<div onclick="alert(1)">x</div>',
            "<script>alert(1)</script>",
            "<style>@import url(https://example.com/x.css);</style>",
            "<svg><script>alert(1)</script></svg>",
            "<iframe src=javascript:alert(1)></iframe>",
        ]
    ),
)


@st.composite
def clean_card(draw: st.DrawFn, number: int) -> str:
    kind = draw(st.sampled_from(["basic", "reversed", "cloze"]))
    lines = [f"### Q{number} " + draw(clean_inline), f"<!-- kind: {kind} -->", ""]
    first = draw(clean_inline)
    if kind == "cloze":
        one, two = draw(word), draw(word)
        first = f"Cloze {{{{c1::{one}}}}} and {{{{{two}::hint}}}} {first}"
    lines += ["Answer " + first, ""]
    lines += [block + "\n" for block in draw(st.lists(clean_blocks, max_size=4))]
    return "\n".join(lines)


@st.composite
def clean_document(draw: st.DrawFn) -> bytes:
    title = draw(
        st.one_of(
            st.just("Deck"),
            safe_text.filter(lambda text: text.strip()),  # a blank title is an error
            st.sampled_from(["<script>x</script>"]),
        )
    )
    parts = [f"---\ntitle: {json.dumps(title)}\nid: deck\n---\n", draw(clean_inline), ""]
    for number in range(draw(st.integers(1, 3))):
        parts += [f"## S{number} " + draw(clean_inline), "", draw(clean_inline), ""]
        parts += [draw(clean_card(number * 10 + i)) for i in range(draw(st.integers(1, 3)))]
    return "\n".join(parts).encode()


def write_content(root: Path, files: dict[str, bytes]) -> Path:
    """The content folder with ``files`` and a fixed set of images and links."""
    (root / "outside.png").write_bytes(PNG)
    content = root / "content"
    (content / "img").mkdir(parents=True)
    (content / "img" / "a.png").write_bytes(PNG)
    (content / "img" / "b.svg").write_bytes(SVG)
    (content / "img" / "note.txt").write_text("not an image\n")
    (content / "img" / "out.png").symlink_to(root / "outside.png")
    (content / "img" / "loop.png").symlink_to(content / "img" / "loop.png")
    for name, data in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return content


def line_count(data: bytes) -> int:
    normal = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return max(data.count(b"\n"), normal.count(b"\n")) + 1


def location_problem(diagnostic: Diagnostic, content: Path, files: dict[str, bytes]) -> str:
    """Why the diagnostic's place is not a real place in the content, or ''."""
    where = diagnostic.location
    text = str(diagnostic)
    if "\n" in text or not diagnostic.message.isprintable():
        return "the message is not one printable line"
    if where.path == str(content):
        return "" if where.line == 0 else "a line in the content folder itself"
    if where.path not in files:
        if where.line == 0 and where.path.endswith("/index.md"):
            return ""  # a deck folder without its index.md
        return "a file that was not written"
    data = files[where.path]
    if not 0 <= where.line <= line_count(data) + 1:
        return f"line {where.line} of a file of {line_count(data)} lines"
    if where.col is not None:
        lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        length = len(lines[where.line - 1]) if 0 < where.line <= len(lines) else 0
        if not 1 <= where.col <= length + 1:
            return f"column {where.col} of a line of {length} bytes"
    return ""


def check_content(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as temp:
        content = write_content(Path(temp), files)
        try:
            state = read_content(content, now=1_700_000_000)
        except ContentError as error:
            assert any(d.is_error for d in error.diagnostics), error
            diagnostics = error.diagnostics
        else:
            diagnostics = state.warnings
            for deck in state.decks:
                assert deck_html_problems(deck) == []
                json.dumps(deck_to_dict(deck))
        for diagnostic in diagnostics:
            problem = location_problem(diagnostic, content, files)
            assert not problem, f"{diagnostic}: {problem}"


@FUZZ
@given(content_files())
def test_any_content_gives_a_model_or_located_errors(files: dict[str, bytes]) -> None:
    check_content(files)


@FUZZ
@given(clean_document())
def test_content_that_only_warns_builds_an_inert_model(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as temp:
        content = write_content(Path(temp), {"d.md": data})
        state = read_content(content, now=1_700_000_000)
        assert [deck.key for deck in state.decks] == ["deck"]
        assert deck_html_problems(state.decks[0]) == []
        for diagnostic in state.warnings:
            problem = location_problem(diagnostic, content, {"d.md": data})
            assert not problem, f"{diagnostic}: {problem}"


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_give_a_model_or_located_errors(data: bytes) -> None:
    check_content({"d.md": data})


@FUZZ
@given(st.text(max_size=400))
def test_any_text_after_front_matter(body: str) -> None:
    check_content({"d.md": ("---\ntitle: T\nid: t\n---\n" + body).encode()})


# -- pathological inputs --------------------------------------------------------------

FRONT = "---\\ntitle: T\\nid: t\\n---\\n## S\\n\\n### Q\\n\\n"
PATHOLOGICAL = {
    # name: (Python expression for the body after a card heading, expected outcome)
    "10,000 nested lists": ('"- " * 10_000 + "x\\n"', "error: lists and quotes nest"),
    "10,000 nested blockquotes": ('">" * 10_000 + " x\\n"', "error: lists and quotes nest"),
    "indented nested lists": (
        '"".join("  " * i + "- x\\n" for i in range(900))',
        "error: lists and quotes nest",
    ),
    "100,000 cards": (
        '"".join(f"### Q{i}\\n\\nA\\n\\n" for i in range(100_000))',
        "error: file is",
    ),
    "100,000 cards in files": ("FILES", "error: deck has more than 10000 cards"),
    "a 10 MB line": ('"word " * 2_000_000 + "\\n"', "error: file is"),
    "a 1 MB line": ('"word " * 200_000 + "\\n"', "ok"),
    "deeply nested emphasis": ('"*a " * 100_000 + "x" + " a*" * 100_000 + "\\n"', "ok"),
    "deeply nested links": ('"[" * 100_000 + "x" + "](a)" * 50_000 + "\\n"', "ok"),
    "a huge table": (
        '"|" + "a|" * 500 + "\\n|" + "-|" * 500 + "\\n" + ("|" + "b|" * 500 + "\\n") * 500',
        "ok",
    ),
    "a long table": ('"|a|b|\\n|-|-|\\n" + "|x|y|\\n" * 100_000', "ok"),
    "autocompleted table cells": (
        '"|" + "a|" * 10_000 + "\\n|" + "-|" * 10_000 + "\\n" + "x\\n" * 40_000',
        "ok",
    ),
    "unclosed cloze braces": ('"{{c1::" * 100_000 + "\\n"', "ok"),
    "unclosed shorthand braces": (
        '"<!-- kind: cloze -->\\n\\n{{x}} " + "{{" * 200_000',
        "ok",
    ),
    "many settings": (
        '"<!-- " + "; ".join(f"k{i}: v" for i in range(50_000)) + " -->\\n\\nA\\n"',
        "ok",
    ),
    "spaces in a setting": ('"<!-- tags: a" + " " * 500_000 + "b -->\\n\\nA\\n"', "ok"),
    "many raw HTML tags": ('"".join(f"<x{i}>\\n" for i in range(60_000))', "ok"),
    "deep front matter": ("DEEP_YAML", "error: front matter is nested too deeply"),
}
if EXAMPLES > 1000:  # make fuzz: the worst case we know at the file size limit (~20 s, 1.3 GB)
    PATHOLOGICAL["a table as long as the file limit"] = ('"|x|\\n|-|\\n" + "x\\n" * 520_000', "ok")

SCRIPT = textwrap.dedent(
    """
    import resource, sys, tempfile
    from pathlib import Path
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    from cardpress.errors import ContentError
    from cardpress.parse import read_content
    expression = sys.argv[1]
    with tempfile.TemporaryDirectory() as temp:
        content = Path(temp)
        if expression == "FILES":
            (content / "deck").mkdir()
            (content / "deck" / "index.md").write_text("---\\ntitle: T\\nid: t\\n---\\n")
            for n in range(20):
                cards = "".join(f"### Q{n}-{i}\\n\\nA\\n\\n" for i in range(5_000))
                (content / "deck" / f"{n:02}.md").write_text(f"## S{n}\\n\\n" + cards)
        elif expression == "DEEP_YAML":
            (content / "d.md").write_text(
                "---\\ntitle: " + "[" * 30_000 + "]" * 30_000 + "\\nid: t\\n---\\n"
            )
        else:
            (content / "d.md").write_text("FRONT" + eval(expression))
        try:
            state = read_content(content)
        except ContentError as error:
            first = next(d for d in error.diagnostics if d.is_error)
            print(f"error: {first.message}")
        else:
            print("ok")
    """
).replace("FRONT", FRONT)


# The biggest of them parse hundreds of thousands of lines (tens of seconds each): slow
# journeys; the other shapes, as pathological but smaller, stay in make quick.
BIG = {"100,000 cards in files", "a long table", "a huge table", "deeply nested emphasis"}


@pytest.mark.parametrize(
    "case", [pytest.param(c, marks=pytest.mark.slow) if c in BIG else c for c in PATHOLOGICAL]
)
def test_pathological_input_finishes(case: str) -> None:
    expression, expected = PATHOLOGICAL[case]
    root = ROOT
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, expression],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith(expected), result.stdout


def test_every_output_finishes_on_thousands_of_unclosed_deletions(tmp_path: Path) -> None:
    """Renderers and Anki find deletions with backtracking regular expressions; the parser
    hands them cloze text where that stays linear (it took minutes per 20 kB before)."""
    content = write_content(tmp_path, {})
    many = "{{c1::" * 5_000
    card = f"### Q\n<!-- kind: cloze -->\n\n{{{{c1::x}}}} ![{many}](img/a.png) {many}\n"
    (content / "d.md").write_text("---\ntitle: T\nid: t\n---\n## S\n\n" + card)
    root = ROOT
    command = [sys.executable, str(root / "build.py"), "--content", str(content), "-q"]
    command += ["--out", str(tmp_path / "dist"), "--templates", str(root / "templates")]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "'{{' is never closed by '}}'" in result.stderr
    outputs = sorted(p.name for p in (tmp_path / "dist").glob("t.*"))
    assert outputs == ["t.apkg", "t.html", "t.json", "t.pdf"]
