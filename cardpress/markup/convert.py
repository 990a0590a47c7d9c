"""Turning the HTML that Q&A sources mix into their Markdown into cardpress Markdown.

Sources hold Markdown sprinkled with inline HTML (``<code>``, ``<b>``, ``<a>``,
``<img>``, ``<br>``) that a Git host renders but cardpress shows as text. Each tag
becomes its Markdown equivalent, the bare tags cardpress keeps stay, other real HTML
tags are dropped (their text stays) and anything else in angle brackets is a
placeholder written by a person (``<container id>``), so it is escaped to show as
written. Code (fenced or in backticks) is never touched.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from cardpress.markup.fences import FenceTracker
from cardpress.markup.html import ALLOWED_TAGS  # the bare tags cardpress passes through

HTML_TAGS = frozenset(
    [
        "a",
        "abbr",
        "address",
        "article",
        "aside",
        "audio",
        "b",
        "bdi",
        "bdo",
        "big",
        "blockquote",
        "body",
        "br",
        "button",
        "caption",
        "center",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "dialog",
        "div",
        "dl",
        "dt",
        "em",
        "embed",
        "fieldset",
        "figcaption",
        "figure",
        "font",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "i",
        "iframe",
        "img",
        "input",
        "ins",
        "kbd",
        "label",
        "legend",
        "li",
        "link",
        "main",
        "map",
        "mark",
        "meta",
        "nav",
        "noscript",
        "object",
        "ol",
        "optgroup",
        "option",
        "p",
        "param",
        "picture",
        "pre",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "script",
        "section",
        "select",
        "small",
        "source",
        "span",
        "strike",
        "strong",
        "style",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "template",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "time",
        "title",
        "tr",
        "track",
        "tt",
        "u",
        "ul",
        "var",
        "video",
        "wbr",
    ]
)
LINK_SCHEMES = ("http://", "https://", "mailto:")

ImageHook = Callable[[str, str], str]
"""``(src, alt) -> Markdown`` for one image: the importer copies it or reports it."""

_CODE_SPAN_RE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)/?>")
_AUTOLINK_RE = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>")
_HTML_CODE_RE = re.compile(r"<code(?:\s[^<>]*)?>(.*?)</code>", re.DOTALL | re.IGNORECASE)
_HTML_LINK_RE = re.compile(r"<a\s[^<>]*?href=[\"']([^\"']*)[\"'][^<>]*>(.*?)</a>", re.DOTALL | re.I)
_HTML_ANCHOR_RE = re.compile(r"<a(?:\s[^<>]*)?>\s*</a>", re.IGNORECASE)
_ATTR_RE = re.compile(r"""([A-Za-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_MD_IMAGE_RE = re.compile(
    r"!\[([^\]\n]*)\]\(\s*<?([^()\s<>]+)>?(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?\s*\)"
)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_ATX_RE = re.compile(r"^( {0,3})#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_BREAK_RE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT_RE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_LIST_ITEM_RE = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s+")
_TRAILING_BR_RE = re.compile(r"(?:\s*<br\s*/?>)+\s*$", re.IGNORECASE)
_TABLE_RE = re.compile(r"<table\b.*?</table\s*>", re.DOTALL | re.IGNORECASE)
_SHORTCODE_RE = re.compile(r":[a-z0-9_+-]+:")


def code_span(text: str) -> str:
    """``text`` as one Markdown code span, whatever backticks it holds."""
    text = " ".join(text.split("\n"))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def attributes(tag_text: str) -> dict[str, str]:
    return {
        m.group(1).lower(): html.unescape(next(g for g in m.groups()[1:] if g is not None))
        for m in _ATTR_RE.finditer(tag_text)
    }


def convert_text(text: str, image: ImageHook) -> str:
    """One stretch of Markdown outside code: HTML to Markdown, placeholders escaped."""

    def code(match: re.Match[str]) -> str:
        inner = html.unescape(re.sub(r"<[^<>]*>", "", match.group(1)))
        return "\x00" + code_span(inner) + "\x01"

    def link(match: re.Match[str]) -> str:
        href, label = html.unescape(match.group(1).strip()), match.group(2)
        label = " ".join(re.sub(r"<(?!img\b)[^<>]*>", "", label).split())
        if not href.startswith(LINK_SCHEMES) or not label:  # no text: an anchor icon
            return label
        return f"[{label}]({href.replace(' ', '%20').replace(')', '%29')})"

    text = _COMMENT_RE.sub("", text)
    text = _HTML_CODE_RE.sub(code, text)
    text = _HTML_ANCHOR_RE.sub("", text)
    text = _HTML_LINK_RE.sub(link, text)
    parts = re.split(r"(\x00.*?\x01)", text, flags=re.DOTALL)
    out = []
    for part in parts:
        if part.startswith("\x00"):
            out.append(part[1:-1])
        else:
            out.append(_convert_plain(part, image))
    return "".join(out)


def _convert_plain(text: str, image: ImageHook) -> str:
    pieces: list[str] = []
    pos = 0
    pattern = re.compile(f"{_AUTOLINK_RE.pattern}|{_TAG_RE.pattern}|{_MD_IMAGE_RE.pattern}")
    for match in pattern.finditer(text):
        pieces.append(_escape(text[pos : match.start()]))
        pos = match.end()
        whole = match.group(0)
        if whole.startswith("!["):
            pieces.append(image(match.group(5), match.group(4)))
        elif _AUTOLINK_RE.fullmatch(whole):
            pieces.append(whole if whole[1:].startswith(LINK_SCHEMES) else _escape(whole))
        else:
            closing, name = match.group(1), match.group(2).lower()
            if name == "img" and not closing:
                attrs = attributes(match.group(3) or "")
                if attrs.get("src"):
                    pieces.append(image(attrs["src"], attrs.get("alt", "")))
            elif name in ALLOWED_TAGS:
                pieces.append(f"<{closing}{name}>")
            elif name not in HTML_TAGS:
                pieces.append(_escape(whole))
    pieces.append(_escape(text[pos:]))
    return "".join(pieces)


def _escape(text: str) -> str:
    """Plain text that must read as written: ``<`` is not a tag, ``$`` is not math;
    GitHub's emoji shortcodes (``:bulb:``) become the emoji they show there."""
    return emoji_shortcodes(text.replace("<", "\\<").replace("$", "\\$"))


def emoji_shortcodes(text: str) -> str:
    """``:name:`` shortcodes as their emoji (GitHub's names); unknown ones stay text."""
    if not _SHORTCODE_RE.search(text):
        return text
    import emoji  # only when a shortcode may be there: its tables take a moment to load

    return str(emoji.emojize(text, language="alias"))


def convert_markdown(markdown: str, image: ImageHook) -> str:
    """Markdown with inline HTML, outside code converted; code fences and spans kept."""
    out: list[str] = []
    pending: list[str] = []
    fences = FenceTracker()

    def flush() -> None:
        if pending:
            out.append(_convert_tables("\n".join(pending), image))
            pending.clear()

    for number, line in enumerate(markdown.split("\n")):
        if fences.feed(number, line):
            flush()
            out.append(line)
        else:
            pending.append(line)
    flush()
    return "\n".join(out)


def _convert_tables(text: str, image: ImageHook) -> str:
    """HTML tables as Markdown tables (a blank line around each), the rest converted."""
    if "<table" not in text.lower():
        return _convert_outside_spans(text, image)
    from cardpress.markup.from_html import html_to_markdown  # it builds on this module

    pieces: list[str] = []
    pos = 0
    for match in _TABLE_RE.finditer(text):
        pieces.append(_convert_outside_spans(text[pos : match.start()], image))
        table = html_to_markdown(match.group(0), image)
        pieces.append(f"\n\n{table}\n\n" if table else "")
        pos = match.end()
    pieces.append(_convert_outside_spans(text[pos:], image))
    return "".join(pieces)


def _convert_outside_spans(text: str, image: ImageHook) -> str:
    pieces: list[str] = []
    pos = 0
    for match in _CODE_SPAN_RE.finditer(text):
        pieces.append(convert_text(text[pos : match.start()], image))
        pieces.append(match.group(0))
        pos = match.end()
    pieces.append(convert_text(text[pos:], image))
    return "".join(pieces)


def one_line(markdown: str) -> str:
    """Inline Markdown for a heading: lines joined, list items as '; '-separated, no
    trailing ``#`` (it would close the heading)."""
    text = ""
    in_list = False
    for raw in markdown.split("\n"):
        line = _TRAILING_BR_RE.sub("", raw.strip())
        item = _LIST_ITEM_RE.match(line)
        if item:
            line = line[item.end() :]
        if not line:
            continue
        joiner = "; " if item and in_list else " "
        text = f"{text}{joiner}{line}" if text else line
        in_list = bool(item)
    text = re.sub(r"\s*<br\s*/?>\s*", " ", text, flags=re.IGNORECASE)
    if text.endswith("#"):
        text = text[:-1] + "\\#"
    return text


def as_blocks(markdown: str, *, allow_break: bool) -> str:
    """Markdown that stays inside one card: headings become bold lines, and a thematic
    break (which would split answer from details) is kept only where ``allow_break``."""
    out: list[str] = []
    fences = FenceTracker()
    for number, line in enumerate(markdown.split("\n")):
        if fences.feed(number, line):
            out.append(line)
            continue
        previous = out[-1].strip() if out else ""
        atx = _ATX_RE.match(line)
        if atx:
            title = (atx.group(2) or "").strip()
            out.append(f"{atx.group(1)}**{title}**" if title else "")
        elif _SETEXT_RE.match(line) and previous and not _BREAK_RE.match(previous):
            out[-1] = f"**{previous}**"
        elif _BREAK_RE.match(line):
            if allow_break:
                out.extend(["", "***"] if previous else ["***"])
        else:
            out.append(line)
    return tidy("\n".join(out))


def tidy(markdown: str) -> str:
    """Trailing spaces off, runs of blank lines cut to one, no blank lines at either end."""
    lines = [line.rstrip() for line in markdown.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
