"""Code fences: one never closed is an error, an unknown language a warning."""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.token import Token

from cardpress import markup
from cardpress.content_files import SourceFile, shown
from cardpress.errors import Reporter


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
                f"unknown code language '{shown(language)}': shown without highlighting",
            )
