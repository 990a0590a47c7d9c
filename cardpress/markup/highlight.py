"""Pygments highlighting shared by the parser (HTML) and the renderers (CSS)."""

from __future__ import annotations

from functools import cache, lru_cache

from pygments.formatters import HtmlFormatter
from pygments.styles import get_style_by_name

CSS_CLASS = "highlight"


@cache
def formatter() -> HtmlFormatter:  # type: ignore[type-arg]
    return HtmlFormatter(cssclass=CSS_CLASS, wrapcode=True)


@lru_cache(maxsize=16)  # the same few styles, asked for by every build
def highlight_css(style: str, scope: str = "") -> str:
    """CSS for one Pygments style, every rule prefixed by ``scope`` (e.g. ``.nightMode``)."""
    get_style_by_name(style)  # fail early on a misspelt style
    prefix = f"{scope} .{CSS_CLASS}".strip()
    css: str = HtmlFormatter(style=style, cssclass=CSS_CLASS).get_style_defs(prefix)
    return css
