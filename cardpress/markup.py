"""Markdown to safe HTML, done once by the parser so that no renderer sees a token.

Raw HTML is never passed through: a short allow-list of bare inline tags is kept and
everything else is shown as text. Code is highlighted with Pygments here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from pygments import highlight
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from cardpress.highlight import formatter
from cardpress.model import Fragment

ALLOWED_TAGS = frozenset(
    ["br", "kbd", "sub", "sup", "mark", "ins", "del", "small", "u", "b", "i", "em", "strong"]
)
_BARE_TAG_RE = re.compile(r"^<(/?)([a-zA-Z]+)\s*(/?)>$")
_COMMENT_RE = re.compile(r"^\s*<!--.*?-->\s*$", re.DOTALL)
SAFE_LINK_RE = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)


def is_comment(raw: str) -> bool:
    return bool(_COMMENT_RE.match(raw))


def allowed_tag(raw: str) -> bool:
    """A bare allow-listed tag such as ``<kbd>`` or ``</sub>`` or ``<br/>``."""
    match = _BARE_TAG_RE.match(raw.strip())
    return bool(match) and match.group(2).lower() in ALLOWED_TAGS  # type: ignore[union-attr]


@lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer | None:
    """One lexer per language for the whole run: looking one up costs more than using it."""
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return None


def lexer_exists(language: str) -> bool:
    return _lexer(language) is not None


def fence_language(info: str) -> str:
    return info.strip().split(maxsplit=1)[0] if info.strip() else ""


@lru_cache(maxsize=256)
def _highlight(code: str, language: str) -> str:
    lexer = _lexer(language) if language else None
    if lexer is None:
        escaped = html.escape(code)
        return f'<div class="highlight"><pre><code>{escaped}</code></pre></div>\n'
    result: str = highlight(code, lexer, formatter())
    return result


class SafeRenderer(RendererHTML):
    """markdown-it's HTML renderer with raw HTML neutralised and code highlighted."""

    def html_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        raw = tokens[idx].content
        if is_comment(raw):
            return ""
        return "<p>" + html.escape(raw.strip()) + "</p>\n"

    def html_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        raw = tokens[idx].content
        if raw.startswith("<!--"):
            return ""
        if allowed_tag(raw):
            match = _BARE_TAG_RE.match(raw.strip())
            assert match
            closing, name, _ = match.groups()
            name = name.lower()
            return f"<{name}>" if name == "br" else f"<{closing}{name}>"
        return html.escape(raw)

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        return _highlight(token.content, fence_language(token.info))

    def code_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return _highlight(tokens[idx].content, "")


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}, renderer_cls=SafeRenderer)
    md.enable(["table", "strikethrough"])
    md.validateLink = _validate_link  # type: ignore[method-assign]
    return md


def _validate_link(url: str) -> bool:
    """Links are kept only to the web, mail, and anchors; images are checked by the parser."""
    return bool(SAFE_LINK_RE.match(url.strip())) or not re.match(r"^[a-zA-Z][\w+.-]*:", url)


def render_blocks(tokens: Sequence[Token]) -> Fragment:
    """HTML and plain text for a run of block tokens."""
    if not tokens:
        return Fragment("", "")
    md = markdown()
    out = md.renderer.render(list(tokens), md.options, {})
    return Fragment(html=out, text=plain_text(out))


def render_inline(token: Token) -> Fragment:
    md = markdown()
    out = md.renderer.render(list(token.children or []), md.options, {})
    return Fragment(html=out, text=plain_text(out))


_BLOCK_TAGS = "p|div|li|tr|td|th|pre|h[1-6]|blockquote|br|table"
_IMG_RE = re.compile(r"<img\b[^>]*?\balt=\"([^\"]*)\"[^>]*>", re.IGNORECASE)
_BLOCK_TAG_RE = re.compile(rf"</?(?:{_BLOCK_TAGS})\b[^>]*>", re.IGNORECASE)
_ANY_TAG_RE = re.compile(r"<[^>]*>")


def plain_text(markup: str) -> str:
    """Readable text of an HTML fragment, whitespace collapsed, for search and checks.

    The HTML comes from markdown-it and Pygments, which escape every ``<`` and ``>`` in
    text and attributes, so tags can be stripped by pattern: far faster than a parser.
    """
    text = _IMG_RE.sub(r"\1", markup)
    text = _BLOCK_TAG_RE.sub(" ", text)
    text = html.unescape(_ANY_TAG_RE.sub("", text))
    return " ".join(text.split())
