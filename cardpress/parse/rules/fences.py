"""Code: a fence never closed is an error, an unknown language a warning, and so is text
indented with a tab, which Markdown takes for code."""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.token import Token

from cardpress.content.files import SourceFile, shown
from cardpress.errors import Reporter
from cardpress.markup import html as markup


def check_fences(source: SourceFile, tokens: Sequence[Token], report: Reporter) -> None:
    for token in tokens:
        if token.type != "fence" or not token.map:
            continue
        start = token.map[0]
        marker = token.markup
        if not token.meta.get("closed", True):
            report.error(
                source.location(start + 1, 1),
                f"code fence '{marker}' is never closed: add a closing '{marker}' line",
            )
        language = markup.fence_language(token.info)
        if language and not markup.lexer_exists(language):
            report.warning(
                source.find(start + 1, language),
                f"unknown code language '{shown(language)}': use a language Pygments "
                "knows (python, bash, yaml, ...) or none, for code without highlighting",
            )


def check_tab_indented(source: SourceFile, tokens: Sequence[Token], report: Reporter) -> None:
    for token in tokens:
        if token.type == "code_block" and token.map:
            line = token.map[0] + 1
            if source.lines[line - 1].startswith("\t"):
                report.warning(
                    source.location(line, 1),
                    "text indented with a tab is shown as code: remove the indent "
                    "(for code, use a ``` fence)",
                )
