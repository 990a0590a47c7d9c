"""Long code tokens in the cheat sheet break after punctuation, with a continuation mark
at the end of the broken line, and lose no character."""

from __future__ import annotations

from pathlib import Path

import pdfplumber

from cardpress.renderers.pdf.code import BREAK_AFTER, SOFT_HYPHEN, WORD_JOINER, mark_code_breaks
from tests.support.files_support import write_files

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


def test_code_lines_are_blocks_and_every_break_point_is_marked() -> None:
    page = (
        "<p>outside.code_is_left_alone_whatever_its_length</p>"
        '<pre><span class="n">asyncio</span><span class="o">.</span>'
        "<span>get_event_loop</span>()&amp;&amp;x short.a b</pre>"
        "<code>x.y</code><code>a_long_inline_token.with_dots_and_more</code>"
    )
    marked = mark_code_breaks(page).replace(SOFT_HYPHEN, "|").replace(WORD_JOINER, "~")
    assert marked == (
        "<p>outside.code_is_left_alone_whatever_its_length</p>"
        '<pre><span class="code-line"><span class="n">asyncio</span><span class="o">.</span>'
        "<span>|get_|event_|loop</span>(|)|&amp;|&amp;|x ~|short.~a ~|b</span></pre>"
        "<code>x.y</code><code>a_|long_|inline_|token.|with_|dots_|and_|more</code>"
    )


def test_lines_split_indentation_kept_and_long_runs_break_anywhere_marked() -> None:
    block = '<pre>x = 1\n    <span class="s">"a\nb"</span> abcdefghijklmnopqrstuvwxyz\n</pre>'
    marked = mark_code_breaks(block).replace(SOFT_HYPHEN, "|").replace(WORD_JOINER, "~")
    assert marked == (
        '<pre><span class="code-line">x ~|=~ ~|1</span>'
        '<span class="code-line"> ~ ~ ~ <span class="s">~"~a</span></span>'
        '<span class="code-line"><span class="s">b"</span>~ ~|'
        + "|".join("abcdefghijklmnopqrstuvwxyz")
        + "</span></pre>"
    )


def test_every_wrapped_code_line_ends_with_the_mark(build_deck, tmp_path: Path) -> None:
    """Shell lines with spaces, short options and a long token: each visual line that
    continues a code line follows one that ends with the mark."""
    shell = (
        "kubectl get pods --all-namespaces --field-selector=status.phase!=Running,"
        "spec.nodeName=ip-10-0-12-34.eu-west-1.compute.internal -o wide --sort-by "
        ".metadata.creationTimestamp --show-labels --output-watch-events"
    )
    deck = (
        "---\ntitle: Shell\nid: shell\n---\n\n## Shell\n\n"
        f"### How do you list the pods that are not running?\n\n```bash\n{shell}\necho done\n```\n"
    )
    content = write_files(tmp_path / "content", {"shell.md": deck})
    out = build_deck(content, tmp_path / "dist", "pdf")
    with pdfplumber.open(out / "shell.pdf") as pdf:
        lines = (pdf.pages[0].extract_text() or "").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("kubectl"))
    end = next(i for i, line in enumerate(lines) if line.startswith("echo done"))
    code = lines[start:end]
    assert len(code) >= 3, code  # it wrapped
    assert all(line.endswith(MARK) for line in code[:-1]), code
    assert "".join(line.removesuffix(MARK) for line in code) == shell
