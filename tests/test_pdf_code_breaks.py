"""Long code tokens in the cheat sheet break after punctuation, with a continuation mark
at the end of the broken line, and lose no character."""

from __future__ import annotations

from pathlib import Path

import pdfplumber

from cardpress.renderers.pdf_code import BREAK_AFTER, SOFT_HYPHEN, mark_code_breaks
from tests.files_support import write_files

LINE = (
    "result = asyncio.get_event_loop().run_until_complete(fetch_everything(session, "
    '"https://example.com/api/v2/items?page=1&size=100"))'
)
DECK = (
    "---\ntitle: Code\nid: code\n---\n\n## Python\n\n"
    f"### How do you run a coroutine from synchronous code?\n\n```python\n{LINE}\n```\n"
)
MARK = "\u21a9"


def test_long_tokens_break_after_punctuation_with_a_mark(build_deck, tmp_path: Path) -> None:
    content = write_files(tmp_path / "content", {"code.md": DECK})
    out = build_deck(content, tmp_path / "dist", "pdf")
    with pdfplumber.open(out / "code.pdf") as pdf:
        lines = (pdf.pages[0].extract_text() or "").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("result = "))
    code = lines[start : start + 4]
    broken = [line for line in code if line.endswith(MARK)]
    assert len(broken) >= 2, code
    for line in broken:
        assert line[-2] in BREAK_AFTER, line  # never inside a word
    joined = "".join(line.removesuffix(MARK) for line in code[: len(broken) + 1])
    assert joined == LINE


def test_only_long_tokens_inside_code_get_break_points() -> None:
    page = (
        "<p>outside.code_is_left_alone_whatever_its_length</p>"
        '<pre><span class="n">asyncio</span><span class="o">.</span>'
        "<span>get_event_loop</span>()&amp;&amp;x short.a b</pre>"
        "<code>x.y</code><code>a_long_inline_token.with_dots_and_more</code>"
    )
    marked = mark_code_breaks(page).replace(SOFT_HYPHEN, "|")
    assert marked == (
        "<p>outside.code_is_left_alone_whatever_its_length</p>"
        '<pre><span class="n">asyncio</span><span class="o">.|</span>'
        "<span>get_|event_|loop</span>(|)|&amp;|&amp;|x short.a b</pre>"
        "<code>x.y</code><code>a_|long_|inline_|token.|with_|dots_|and_|more</code>"
    )
    assert mark_code_breaks("<pre>no long tokens here</pre>") == "<pre>no long tokens here</pre>"
