"""Callouts: a quote opening with '[!NOTE]' (or TIP, IMPORTANT, WARNING, CAUTION) in a card,
or in a deck's or a section's introduction, where it stays in place as a box. In Obsidian
notes, Obsidian's callouts too: a title after the kind, ``+``/``-`` folds, its other kinds."""

from __future__ import annotations

import re

from markdown_it.token import Token

from cardpress.content.files import SourceFile
from cardpress.markup import html as markup
from cardpress.model import Callout, CalloutKind, Fragment
from cardpress.parse.deck_state import DeckState
from cardpress.parse.drafts import Block
from cardpress.parse.rules.card import CardWork
from cardpress.parse.rules.inline import render

_ALERT_RE = re.compile(r"^\[!([A-Za-z]+)\][ \t]*(?:\n|$)")
_OBSIDIAN_RE = re.compile(r"^\[!([A-Za-z-]+)\][+-]?[ \t]*([^\n]*)(?:\n|$)")
"""Obsidian's callouts: foldable (``+``/``-``), with a title after the kind."""
OBSIDIAN_KINDS = {
    **dict.fromkeys(("abstract", "summary", "tldr", "info", "todo", "example"), "note"),
    **dict.fromkeys(("quote", "cite"), "note"),
    **dict.fromkeys(("hint", "success", "check", "done", "question", "help", "faq"), "tip"),
    **dict.fromkeys(("attention",), "warning"),
    **dict.fromkeys(("failure", "fail", "missing", "danger", "error", "bug"), "caution"),
}
"""Obsidian's other callout kinds, each shown as the nearest of the five."""


def apply(card: CardWork, deck: DeckState) -> None:
    """Take the card's callouts out of its body; other blocks stay for the answer."""
    for block in card.draft.body:
        callout = callout_of(block, card.source, deck)
        if callout is not None:
            card.callouts.append(callout)
        else:
            card.blocks.append(block)


def callout_of(block: Block, source: SourceFile, deck: DeckState) -> Callout | None:
    """The callout a block is, or None for any other block (or a quote shown as a quote)."""
    if block[0].type != "blockquote_open" or len(block) < 4:
        return None
    if block[1].type != "paragraph_open" or block[2].type != "inline":
        return None
    inline = block[2]
    obsidian = source.dialect == "obsidian"
    match = (_OBSIDIAN_RE if obsidian else _ALERT_RE).match(inline.content)
    if not match:
        return None
    line = block[0].map[0] + 1 if block[0].map else 1
    name = match.group(1).lower()
    title = match.group(2).strip() if obsidian else ""
    try:
        kind = CalloutKind(OBSIDIAN_KINDS.get(name, name) if obsidian else name)
    except ValueError:
        deck.report.warning(
            source.find(line, "[!"),
            f"unknown callout '[!{match.group(1)}]' (known: NOTE, TIP, IMPORTANT, "
            "WARNING, CAUTION): shown as a quote",
        )
        return None
    rest = inline.content[match.end() :]
    if title:  # an Obsidian callout's title opens its body, in bold
        rest = f"**{title}**" + ("\\\n" + rest if rest.strip() else "")
    inner = block[1:-1]
    if rest.strip():
        md = markup.markdown(source.math)
        new_inline = Token("inline", "", 0, content=rest, map=inline.map)
        new_inline.children = []
        md.inline.parse(rest, md, {}, new_inline.children)
        inner = [inner[0], new_inline, *inner[2:]]
    else:
        inner = inner[3:]
    body = render([inner], source, deck)
    if not body:
        deck.report.warning(source.location(line, 1), "callout is empty")
        return None
    return Callout(kind=kind, body=body)


def render_intro(blocks: list[Block], source: SourceFile, deck: DeckState) -> Fragment:
    """An introduction accepts what a card accepts: its callouts become boxes where they
    stand (the same markup and classes in every output), the rest is rendered as is."""
    parts: list[Fragment] = []
    pending: list[Block] = []
    for block in blocks:
        callout = callout_of(block, source, deck)
        if callout is None:
            pending.append(block)
            continue
        if pending:
            parts.append(render(pending, source, deck))
            pending = []
        label = callout.kind.value.capitalize()
        parts.append(
            Fragment(
                html=f'<div class="callout callout-{callout.kind.value}">'
                f'<p class="callout-title">{label}</p>\n{callout.body.html}</div>\n',
                text=f"{label}: {callout.body.text}",
            )
        )
    if pending or not parts:
        parts.append(render(pending, source, deck))
    return Fragment(
        html="".join(p.html for p in parts), text=" ".join(p.text for p in parts if p.text)
    )
