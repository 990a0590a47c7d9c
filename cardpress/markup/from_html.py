"""HTML (an Anki field, a spreadsheet cell) to cardpress Markdown.

Anki stores fields as HTML: ``<div>`` and ``<br>`` for lines, ``<b>``/``<i>`` for
emphasis, lists, ``<pre>`` and ``<code>``, ``<img src="name">`` for media, sometimes
tables. Each becomes its Markdown form; text is escaped so it reads as written; script
and style are dropped with their content; other tags are dropped, their text kept.
Cloze deletions (``{{c1::...}}``) pass through as text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from cardpress.markup.convert import (
    LINK_SCHEMES,
    ImageHook,
    code_span,
    emoji_shortcodes,
    tidy,
)

BLOCKS = frozenset(
    [
        "div",
        "p",
        "li",
        "ul",
        "ol",
        "pre",
        "table",
        "tr",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
    ]
)
KEPT = {"u": "u", "sub": "sub", "sup": "sup", "kbd": "kbd", "mark": "mark", "small": "small"}
EMPHASIS = {"b": "**", "strong": "**", "i": "*", "em": "*", "s": "~~", "strike": "~~", "del": "~~"}
DROPPED = frozenset({"script", "style", "head", "title", "template"})
_ESCAPE_RE = re.compile(r"([\\`*_\[\]<>#|~$])")
_LINE_START_RE = re.compile(r"^(\s*)([-+]|\d+[.)])(\s)")


def html_to_markdown(text: str, image: ImageHook) -> str:
    converter = _Converter(image)
    converter.feed(text)
    converter.close()
    return converter.markdown()


class _Converter(HTMLParser):
    def __init__(self, image: ImageHook):
        super().__init__(convert_charrefs=True)
        self.image = image
        self.blocks: list[str] = []
        self.line: list[str] = []
        self.lists: list[list[object]] = []  # [tag, counter]
        self.quote = 0
        self.pre: list[str] | None = None
        self.code: list[str] | None = None
        self.link: tuple[str, list[str]] | None = None
        self.skip = 0
        self.row: list[str] | None = None
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.opened: list[tuple[list[str], int]] = []  # emphasis markers not closed yet

    # -- output -------------------------------------------------------------------

    def _buffer(self) -> list[str]:
        if self.cell is not None:
            return self.cell
        if self.link is not None:
            return self.link[1]
        return self.line

    def _emit(self, text: str) -> None:
        self._buffer().append(text)

    def _emphasis(self, marker: str, opening: bool) -> None:
        """An emphasis marker, the spaces next to it moved outside: ``<b> word </b>`` is
        `` **word** `` (``** word **`` would show its asterisks); nothing emphasised,
        no markers."""
        buffer = self._buffer()
        if opening:
            self.opened.append((buffer, len(buffer)))
            buffer.append(marker)
            return
        start = None
        if self.opened and self.opened[-1][0] is buffer:
            start = self.opened.pop()[1]
        if start is None or start >= len(buffer) or buffer[start] != marker:
            buffer.append(marker)
            return
        inner = "".join(buffer[start + 1 :])
        if not inner.strip():
            buffer[start:] = [inner]
            return
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()) :]
        buffer[start:] = [lead + marker + inner.strip() + marker + trail]

    def _end_line(self, blank: bool = True) -> None:
        content = re.sub(r"^(?:\s*<br>)+|(?:<br>\s*)+$", "", "".join(self.line).strip()).strip()
        self.line = []
        if not content:
            return
        indent = "   " * max(0, len(self.lists) - 1)
        prefix = "> " * self.quote
        if self.lists and self._item_open:
            tag, counter = self.lists[-1]
            marker = f"{counter}." if tag == "ol" else "-"
            content = f"{indent}{marker} {content}"
            self._item_open = False
        elif self.lists:
            content = f"{indent}   {content}"
        else:
            content = _LINE_START_RE.sub(_escape_marker, content, count=1)
        self.blocks.append(prefix + content + ("\n" if blank and not self.lists else ""))

    _item_open = False

    def markdown(self) -> str:
        self._end_line()
        return tidy("\n".join(self.blocks))

    # -- parser callbacks ---------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in DROPPED:
            self.skip += 1
        elif self.skip:
            return
        elif self.pre is not None:
            if tag == "br":
                self.pre.append("\n")
        elif tag == "pre":
            self._end_line()
            self.pre = []
        elif tag == "code":
            self.code = []
        elif tag == "br":
            self._emit(" " if self.cell is not None else "<br>")
        elif tag in ("ul", "ol"):
            self._end_line(blank=False)
            self.lists.append([tag, 0])
        elif tag == "li" and self.lists:
            self._end_line(blank=False)
            self.lists[-1][1] = int(str(self.lists[-1][1])) + 1
            self._item_open = True
        elif tag == "blockquote":
            self._end_line()
            self.quote += 1
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []
        elif tag in BLOCKS:
            self._end_line()
        elif tag == "a":
            self.link = (values.get("href", "").strip(), [])
        elif tag == "img":
            if values.get("src"):
                self._emit(self.image(values["src"], values.get("alt", "")))
        elif tag in EMPHASIS:
            self._emphasis(EMPHASIS[tag], opening=True)
        elif tag in KEPT:
            self._emit(f"<{KEPT[tag]}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED:
            self.skip = max(0, self.skip - 1)
        elif self.skip:
            return
        elif tag == "pre" and self.pre is not None:
            body = "".join(self.pre).strip("\n")
            fence = fence_for(body)
            self.blocks.append(f"{fence}\n{body}\n{fence}\n")
            self.pre = None
        elif self.pre is not None:
            return
        elif tag == "code" and self.code is not None:
            text, self.code = "".join(self.code), None
            if text:
                self._emit(code_span(text))
        elif tag in ("ul", "ol") and self.lists:
            self._end_line(blank=False)
            self.lists.pop()
            if not self.lists:
                self.blocks.append("")
        elif tag == "blockquote":
            self._end_line()
            self.quote = max(0, self.quote - 1)
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))  # text is escaped
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None
        elif tag == "table":
            self._table()
        elif tag in BLOCKS:
            self._end_line()
        elif tag == "a" and self.link is not None:
            href, parts = self.link
            self.link = None
            label = "".join(parts).strip()
            if href.startswith(LINK_SCHEMES) and label:  # no text (an anchor icon): dropped
                self._emit(f"[{label}]({href.replace(' ', '%20').replace(')', '%29')})")
            else:
                self._emit(label)
        elif tag in EMPHASIS:
            self._emphasis(EMPHASIS[tag], opening=False)
        elif tag in KEPT:
            self._emit(f"</{KEPT[tag]}>")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre is not None:
            self.pre.append(data)
        elif self.code is not None:
            self.code.append(data)
        else:
            text = emoji_shortcodes(re.sub(r"\s+", " ", data))
            self._emit(_ESCAPE_RE.sub(r"\\\1", text))

    def _table(self) -> None:
        rows, self.rows = self.rows, []
        if not rows:
            return
        self._end_line()
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        self.blocks.append("\n".join(lines) + "\n")


def _escape_marker(match: re.Match[str]) -> str:
    """A line that would start a list: its marker escaped."""
    space, marker, after = match.groups()
    escaped = "\\" + marker if marker in "-+" else marker[:-1] + "\\" + marker[-1]
    return space + escaped + after


def strip_html(text: str) -> str:
    """Plain text of a bit of HTML, on one line (for titles and tags)."""
    return " ".join(html.unescape(re.sub(r"<[^<>]*>", " ", text)).split())


def fence_for(code: str) -> str:
    """A fence no line of ``code`` can close: backticks (tildes when the code has a line of
    backticks), one longer than the longest such run that starts a line."""
    starts = [line.lstrip() for line in code.split("\n")]
    char = "~" if any(line.startswith("```") for line in starts) else "`"
    runs = [len(line) - len(line.lstrip(char)) for line in starts]
    return char * max(3, max(runs, default=0) + 1)
