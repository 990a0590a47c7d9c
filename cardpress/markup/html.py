"""Markdown to safe HTML, done once by the parser so that no renderer sees a token.

Raw HTML is never passed through: a short allow-list of bare inline tags is kept and
everything else is shown as text. Code is highlighted with Pygments here. Content may be
hostile, so ``parse`` also reports what markdown-it would drop silently (blocks nested
past ``MAX_NESTING``) and which code fences were never closed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import fence as markdown_fence
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from pygments import highlight
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from cardpress.markup import formulas
from cardpress.markup.highlight import formatter
from cardpress.model import Fragment

ALLOWED_TAGS = frozenset(
    ["br", "kbd", "sub", "sup", "mark", "ins", "del", "small", "u", "b", "i", "em", "strong"]
)  # the bare inline tags a card may hold (docs/format.md); importers keep these and no other
_BARE_TAG_RE = re.compile(r"^<(/?)([a-zA-Z]+)\s*(/?)>$")
_COMMENT_RE = re.compile(r"^\s*<!--(?:(?!-->).)*-->\s*$", re.DOTALL)  # one comment, alone
SAFE_LINK_RE = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)
MEDIA_NAME_RE = re.compile(r"^[0-9a-f]{12}-[A-Za-z0-9._-]+$")  # what the parser names images
MAX_NESTING = 20  # markdown-it's own limit: levels of block quotes and lists (two per list)
_CACHED_CODE_CHARS = 4096  # highlight results of longer code are not kept in memory
_TOO_DEEP = "cardpress_too_deep"


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


_FENCE_INFO_RE = re.compile(r"^[ \t]{0,3}(?:`{3,}|~{3,})[ \t]*([^\s`]+)", re.MULTILINE)
MAX_PREPARED_LEXERS = 16


def prepare(texts: Iterable[str], math: bool) -> None:
    """Make now what parsing ``texts`` would first make: the Markdown reader, the
    formatter and the lexers their fences seem to name. A worker forked afterwards
    inherits them instead of making its own (a lexer's patterns take tens of milliseconds
    of CPU to compile). Only a head start: a name that is no fence costs a lookup."""
    markdown(math)
    formatter()
    named = dict.fromkeys(m.group(1) for text in texts for m in _FENCE_INFO_RE.finditer(text))
    for language in list(named)[:MAX_PREPARED_LEXERS]:
        _lexer(language)


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


_ALIGN_RE = re.compile(r"^text-align:(left|right|center)$")


def _aligned_cell(token: Token) -> str:
    """A table cell aligned by a class, not markdown-it's inline style, which the HTML
    page's Content-Security-Policy blocks."""
    match = _ALIGN_RE.match(str(token.attrs.get("style", "")))
    return f'<{token.tag} class="align-{match.group(1)}">' if match else f"<{token.tag}>"


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

    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """The parser drops (and reports) unsafe links; should one remain, it has no target."""
        if not SAFE_LINK_RE.match(str(tokens[idx].attrs.get("href", ""))):
            return "<a>"
        return self.renderToken(tokens, idx, options, env)

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        """Images the parser checked carry a media name; any other is shown as its alt text."""
        if not MEDIA_NAME_RE.match(str(tokens[idx].attrs.get("src", ""))):
            return html.escape(self.renderInlineAsText(tokens[idx].children or [], options, env))
        return super().image(tokens, idx, options, env)

    def th_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return _aligned_cell(tokens[idx])

    def td_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return _aligned_cell(tokens[idx])

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        return _highlight(token.content, fence_language(token.info))

    def code_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return _highlight(tokens[idx].content, "")


class MathRenderer(SafeRenderer):
    """A math deck's renderer: formulas become markers (``cardpress.markup.formulas``), and no
    other backslash is left in the HTML to look like one."""

    _NEUTRAL = ("text", "code_inline", "fence", "code_block", "html_inline", "html_block")

    def __init__(self, parser: Any = None):
        super().__init__(parser)
        for name in self._NEUTRAL:
            self.rules[name] = _neutral_rule(self.rules[name], split=name == "text")
        self.rules["image"] = _neutral_rule(self.rules["image"], split=False)
        self.rules[formulas.TOKEN] = self.math  # type: ignore[assignment]

    def math(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        return formulas.marker(token.content, token.info == "display")


def _neutral_rule(rule: Any, *, split: bool) -> Any:
    def neutral(tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return formulas.neutral(rule(tokens, idx, options, env), split=split)

    return neutral


@lru_cache(maxsize=2)
def markdown(math: bool = False) -> MarkdownIt:
    """The Markdown reader; ``math`` for a deck with ``math: true``, which reads formulas."""
    md = MarkdownIt(
        "commonmark",
        {"html": True, "maxNesting": MAX_NESTING},
        renderer_cls=MathRenderer if math else SafeRenderer,
    )
    if math:
        formulas.add_rule(md)
    md.enable(["table", "strikethrough"])
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.block.ruler.at(
        "fence", _fence_noting_end, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    tokenize = md.block.tokenize

    def tokenize_noting_depth(state: StateBlock, start_line: int, end_line: int) -> None:
        """markdown-it skips whatever lies past its nesting limit; note where that happens."""
        if state.level >= state.md.options.maxNesting:
            line = state.skipEmptyLines(start_line)
            if line < end_line and state.sCount[line] >= state.blkIndent:
                state.env.setdefault(_TOO_DEEP, []).append(line + 1)
        tokenize(state, start_line, end_line)

    md.block.tokenize = tokenize_noting_depth  # type: ignore[method-assign,assignment]
    return md


def _fence_noting_end(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it's fence rule, recording in ``token.meta["closed"]`` if it was closed.

    An unclosed fence runs to the end of its container, so its last line is code; a
    closed one ends on a line of fence markers (code cannot look like that: it would
    have closed the fence).
    """
    if not markdown_fence(state, start_line, end_line, silent):
        return False
    if not silent:
        token = state.tokens[-1]
        last = state.line - 1
        line = state.src[state.bMarks[last] + state.tShift[last] : state.eMarks[last]].strip()
        token.meta["closed"] = (
            last > start_line
            and not state.is_code_block(last)
            and len(line) >= len(token.markup)
            and set(line) == {token.markup[0]}
        )
    return True


@dataclass
class Parsed:
    """Block tokens of a document, and the first lines of parts nested past the limit."""

    tokens: list[Token]
    too_deep: list[int]


def parse(text: str, math: bool = False) -> Parsed:
    env: dict[str, Any] = {}
    tokens = markdown(math).parse(text, env)
    return Parsed(tokens, sorted(set(env.get(_TOO_DEEP, []))))


def _validate_link(url: str) -> bool:
    """Every link and image becomes a token, so that the parser can report the ones it
    drops (``javascript:``, a relative link, a remote image) rather than leave their
    Markdown as text without a word; the renderer never outputs an unsafe address."""
    return True


def render_blocks(tokens: Sequence[Token], math: bool = False) -> Fragment:
    """HTML and plain text for a run of block tokens."""
    if not tokens:
        return Fragment("", "")
    md = markdown(math)
    out = md.renderer.render(list(tokens), md.options, {})
    return Fragment(html=out, text=text_of(out, math))


def render_inline(token: Token, math: bool = False) -> Fragment:
    md = markdown(math)
    out = md.renderer.render(list(token.children or []), md.options, {})
    return Fragment(html=out, text=text_of(out, math))


def text_of(markup: str, math: bool = False) -> str:
    """Plain text of model HTML; a math deck's formulas as their TeX."""
    return plain_text(formulas.as_text(markup) if math else markup)


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
