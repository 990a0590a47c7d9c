"""The text rules importers share: where code fences are, and answers' indentation."""

from __future__ import annotations

from cardpress.importers.indent import normalise
from cardpress.markup.fences import code_lines, fences, opens, strip_code


def test_fences_open_at_any_indentation_and_close_by_their_marker() -> None:
    lines = [
        "text",
        "        ```js",
        "        # not a heading",
        "        ````",
        "~~~",
        "```",
        "~~~~",
        "``` not `a` fence",
        "```",
    ]
    assert code_lines(lines) == [False, True, True, True, True, True, True, False, True]
    assert [(f.open, f.close, f.indent) for f in fences(lines)] == [
        (1, 3, 8),
        (4, 6, 0),
        (8, None, 0),
    ]
    assert opens("``` not `a` fence") is None and opens("  ~~~ bash") == "~~~"
    assert strip_code("# Title\n```bash\n# comment\n```\nafter") == "# Title\nafter"


def test_lists_nest_as_meant_whatever_the_item_indentation() -> None:
    text = (
        "The kinds:\n"
        "     1. pointer\n"
        "     2. key\n"
        "        - down\n"
        "          held\n"
        "     3. focus\n"
        "\n"
        "        ```js\n"
        "          indented(code)\n"
        "        ```\n"
        "\n"
        "        After the code."
    )
    assert normalise(text) == (
        "The kinds:\n"
        "1. pointer\n"
        "2. key\n"
        "   - down\n"
        "     held\n"
        "3. focus\n"
        "\n"
        "   ```js\n"
        "     indented(code)\n"
        "   ```\n"
        "\n"
        "   After the code."
    )
