"""The conversions importers share: HTML fields to Markdown, inline HTML in Markdown."""

from __future__ import annotations

import html

import pytest
from markdown_it import MarkdownIt

from cardpress.markup.convert import as_blocks, convert_markdown, one_line
from cardpress.markup.from_html import html_to_markdown


def image(src: str, alt: str) -> str:
    return f"![{alt}](images/{src})"


def test_anki_field_html() -> None:
    field = (
        "<div>Costs $5 &amp; takes <b>two</b> <i>steps</i>, see "
        '<a href="https://example.org/a b">docs</a> or <a href="javascript:x()">this</a></div>'
        "<div>1. not a list<br>second line</div>"
        "<ul><li>one</li><li>two <code>x_y</code></li></ul>"
        "<pre>def f():\n    return 1</pre>"
        '<img src="chart.png" alt="Chart">'
        "<table><tr><th>key</th><th>value</th></tr><tr><td>a|b</td><td>2</td></tr></table>"
        "<script>alert(1)</script><style>p{}</style>"
        "{{c1::Deny}} wins over <u>Allow</u>"
    )
    assert html_to_markdown(field, image) == (
        "Costs \\$5 & takes **two** *steps*, see [docs](https://example.org/a%20b) or this\n"
        "\n"
        "1\\. not a list<br>second line\n"
        "\n"
        "- one\n"
        "- two `x_y`\n"
        "\n"
        "```\n"
        "def f():\n"
        "    return 1\n"
        "```\n"
        "\n"
        "![Chart](images/chart.png)\n"
        "\n"
        "| key | value |\n"
        "| --- | --- |\n"
        "| a\\|b | 2 |\n"
        "\n"
        "{{c1::Deny}} wins over <u>Allow</u>"
    )


def test_markdown_with_inline_html() -> None:
    text = (
        "Use <code>ls -la</code> or <b>stat</b> on <file name>; `keep <this> $X` and echo $HOME.\n"
        '<img src="d.png" width="300"> <a name="anchor"></a><span class="x">plain</span>\n'
        "```\n<b>code</b> $X\n```"
    )
    assert convert_markdown(text, image) == (
        "Use `ls -la` or <b>stat</b> on \\<file name>; `keep <this> $X` and echo \\$HOME.\n"
        "![](images/d.png) plain\n"
        "```\n<b>code</b> $X\n```"
    )


def test_headings_and_breaks_stay_inside_a_card() -> None:
    assert as_blocks("## Part\n\ntext\nUnderlined\n---\n\n---\n\nmore", allow_break=False) == (
        "**Part**\n\ntext\n**Underlined**\n\nmore"
    )
    assert as_blocks("a\n\n***\n\nb", allow_break=True) == "a\n\n***\n\nb"


def test_one_line_questions() -> None:
    assert one_line("Which are true?\n\n  * a\n  * b <br>\n") == "Which are true? a; b"
    assert one_line("What does C#") == "What does C\\#"


def test_a_link_without_text_is_dropped_not_shown_as_its_url() -> None:
    field = (
        '<h2>Ports<a href="https://example.org/notes#ports"><span class="icon"></span></a></h2>'
        '<div>See <a href="https://example.org/ports">the list</a>.</div>'
    )
    assert html_to_markdown(field, image) == ("Ports\n\nSee [the list](https://example.org/ports).")
    markdown = 'Ports <a href="https://example.org/#p"> </a> and <a href="https://x.org/">x</a>'
    assert convert_markdown(markdown, image) == "Ports  and [x](https://x.org/)"


def test_html_tables_and_emoji_shortcodes_in_markdown() -> None:
    markdown = (
        ":bulb: Ports:\n\n<table>\n  <tr><th>service</th><th>port</th></tr>\n"
        "  <tr><td>SSH :lock:</td><td>22</td></tr>\n</table>\n\n"
        "```\n:bulb: in code stays\n```\n`:bulb:` too, and :not_an_emoji: stays"
    )
    assert convert_markdown(markdown, image) == (
        "💡 Ports:\n\n\n\n| service | port |\n| --- | --- |\n| SSH 🔒 | 22 |\n\n\n\n"
        "```\n:bulb: in code stays\n```\n`:bulb:` too, and :not_an_emoji: stays"
    )


def test_images_with_any_title_and_a_query_are_images() -> None:
    markdown = "![Table](shots/t.png?raw=true 'table') ![B](b.png \"b\") ![C](c.png (c))"
    assert convert_markdown(markdown, image) == (
        "![Table](images/shots/t.png?raw=true) ![B](images/b.png) ![C](images/c.png)"
    )


def test_emphasis_keeps_its_spaces_outside_its_markers() -> None:
    assert html_to_markdown("<b> 私</b>は and a<i> b </i>c<b> </b>", image) == (
        "**私**は and a *b* c"
    )


@pytest.mark.parametrize(
    ("code", "fence"),
    [
        ("ls -la", "```"),
        ("Write code as:\n```python\nprint(1)\n```", "~~~"),
        ("```\n~~~~\n```", "~~~~~"),
        ("inline ``` and ~~~ are no fence lines", "```"),
    ],
)
def test_code_from_html_is_fenced_so_that_no_line_of_it_closes_the_fence(
    code: str, fence: str
) -> None:
    markdown = html_to_markdown(f"<pre>{html.escape(code)}</pre>", lambda src, alt: src)
    assert markdown.strip() == f"{fence}\n{code}\n{fence}"
    tokens = MarkdownIt("commonmark").parse(markdown)
    assert [(t.type, t.content) for t in tokens] == [("fence", code + "\n")]
