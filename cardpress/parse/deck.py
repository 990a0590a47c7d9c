"""One deck: read its files, take its settings from the front matter, parse or reuse each
file, and put the deck together."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from pathlib import Path

from cardpress.content.files import (
    MAX_DECK_BYTES,
    MAX_FILE_BYTES,
    MAX_IMAGE_BYTES,
    SourceFile,
    Unreadable,
    decode_text,
    display_path,
    resolve_inside,
)
from cardpress.content.scan import ContentScan
from cardpress.errors import Reporter
from cardpress.model import Card, Deck, Fragment, Section, SourceLocation, changed
from cardpress.parse.deck_state import DeckState
from cardpress.parse.drafts import FileCache, ParsedFile
from cardpress.parse.files import parse_file
from cardpress.parse.front_matter import split_front_matter
from cardpress.parse.rules.card_count import MAX_CARDS_PER_DECK
from cardpress.parse.rules.deck_settings import DeckSettings, deck_settings


def parse_deck(
    scan: ContentScan, files: list[Path], report: Reporter, cache: FileCache | None = None
) -> Deck | None:
    """The deck its files make, or None if its first file or its settings are unusable."""
    deck = DeckState(scan, report)
    sources = [read_source(scan, path, report) for path in files]
    if sources[0] is None:
        return None
    first = sources[0]
    total = sum(len(s.text.encode()) for s in sources if s is not None)
    if total > MAX_DECK_BYTES:
        report.error(
            first.location(0),
            f"deck's Markdown files are {total} bytes, over the limit of "
            f"{MAX_DECK_BYTES} bytes: split it into several decks",
        )
        return None
    split_front_matter(first, report, wanted=True)
    for source in sources[1:]:
        if source is not None:
            split_front_matter(source, report, wanted=False)
    meta = deck_settings(first, report)
    if meta is not None:  # before any file is parsed, here or ahead
        for source in sources:
            if source is not None:
                source.math = meta.math
                source.dialect = meta.dialect
    if cache is not None:
        cache.prefetch([source for source in sources[1:] if source is not None])
    intros: list[Fragment] = []
    sections: list[Section] = []
    for source in sources:
        if source is not None:
            parsed = parse_or_reuse(source, deck, cache)
            sections.extend(parsed.sections)
            intros.append(parsed.intro)
    if meta is None:
        return None
    if not sections and not report.failed:
        report.warning(first.location(1), "deck has no sections: add '## Section' headings")
    elif not any(s.cards for s in sections) and not report.failed:
        report.error(sections[0].location, _no_cards_message(sections))
    return assemble(meta, deck, sections, intros, sources, first.location(1))


def assemble(
    meta: DeckSettings,
    deck: DeckState,
    sections: list[Section],
    intros: list[Fragment],
    sources: Sequence[SourceFile | None],
    location: SourceLocation,
) -> Deck:
    """The deck its settings and parsed files make."""
    return Deck(
        key=meta.key,
        title=meta.title,
        description=meta.description,
        tags=meta.tags,
        paper=meta.paper,
        intro=Fragment(
            html="".join(f.html for f in intros),
            text=" ".join(f.text for f in intros if f.text),
        ),
        sections=tuple(
            changed(s, cards=tuple(_with_tags(c, meta.tags) for c in s.cards)) for s in sections
        ),
        media=tuple(sorted(deck.media.values(), key=lambda m: m.name)),
        sources=tuple(s.rel for s in sources if s is not None),
        location=location,
        print_cards=meta.print_cards,
        print_quiz=meta.print_quiz,
        math=meta.math,
        source_path=meta.source_path,
    )


def read_source(scan: ContentScan, path: Path, report: Reporter) -> SourceFile | None:
    root = scan.root
    rel = path.relative_to(root).as_posix()
    try:
        data = scan.read(path, MAX_FILE_BYTES).data
    except Unreadable as refused:
        report.error(SourceLocation(display_path(rel), 0), str(refused))
        return None
    text, problem = decode_text(data)
    if problem is not None:
        report.error(SourceLocation(display_path(rel), problem.line, problem.col), problem.message)
        return None
    lines = text.split("\n")
    return SourceFile(path=resolve_inside(root, path), rel=rel, text=text, lines=lines)


def parse_or_reuse(source: SourceFile, deck: DeckState, cache: FileCache | None) -> ParsedFile:
    """A file's sections and intro, from the cache when its bytes and images are the
    same; a file with any diagnostic is never cached, so reusing one reports nothing."""
    key = cache.key(source) if cache else ""
    cached = cache.get(key, deck.scan) if cache else None
    if cached is not None and _reuse(cached, deck):
        return cached
    before = (len(deck.report.diagnostics), len(deck.card_ids), len(deck.section_keys))
    count = deck.card_count
    deck.file_media = set()
    sections, intro = parse_file(source, deck)
    parsed = ParsedFile(
        sections=tuple(sections),
        intro=intro,
        card_ids=_added(deck.card_ids, before[1]),
        section_keys=_added(deck.section_keys, before[2]),
        media=tuple(deck.media[path] for path in sorted(deck.file_media)),
        card_count=deck.card_count - count,
    )
    if cache and len(deck.report.diagnostics) == before[0]:
        cache.put(key, parsed)
    return parsed


def _added(
    claimed: dict[str, SourceLocation], count_before: int
) -> tuple[tuple[str, SourceLocation], ...]:
    """What a file added to ``claimed`` since it held ``count_before`` entries: a dict
    keeps its order, so they are its last ones (no copy of the deck's whole claims)."""
    added = len(claimed) - count_before
    return tuple(reversed(list(itertools.islice(reversed(claimed.items()), added))))


def _reuse(cached: ParsedFile, deck: DeckState) -> bool:
    """Take a cached file's ids, sections and images, unless they now clash."""
    if any(k in deck.card_ids for k, _ in cached.card_ids) or any(
        k in deck.section_keys for k, _ in cached.section_keys
    ):
        return False  # parse it again, to report the clash where it is
    if deck.card_count + cached.card_count > MAX_CARDS_PER_DECK:
        return False
    new_media = [m for m in cached.media if m.path not in deck.media]
    deck.card_ids.update(cached.card_ids)
    deck.section_keys.update(cached.section_keys)
    deck.card_count += cached.card_count
    for media in new_media:
        deck.media[media.path] = media
        deck.media_bytes += len(deck.scan.read(deck.root / media.path, MAX_IMAGE_BYTES).data)
    return True


def _with_tags(card: Card, deck_tags: tuple[str, ...]) -> Card:
    tags = tuple(dict.fromkeys([*deck_tags, *card.tags]))
    return card if tags == card.tags else changed(card, tags=tags)


def _no_cards_message(sections: list[Section]) -> str:
    """Questions written as '##' (or '####') headings make sections without cards."""
    deeper = any(re.search(r"<h[4-6]", s.intro.html) for s in sections)
    found = "'####' headings are not cards" if deeper else "'##' headings are sections"
    return (
        f"deck has {len(sections)} section(s) but no cards: {found}; questions are '###' headings"
    )
