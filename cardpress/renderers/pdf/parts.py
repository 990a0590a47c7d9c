"""A large cheat sheet laid out in parts, on both cores, cached, and merged into one PDF.

Laying out costs about 0.4 s a page, so a 1,000-card sheet takes half a minute as one
document. Here its sections are grouped into parts of about ``PART_CARDS`` cards, each laid
out as its own document in a worker process and cached under ``<cache>/pdf/<deck>/`` by a
hash of everything that decides its bytes. A part does not depend on where it lands: it
carries no footer (page number, build date), so an edit re-lays out only its own part (and
the small title part when the contents' page numbers moved). The merge then

- stamps each page with its footer, a page of a tiny footers-only document,
- points the contents' links at the sections (named destinations), and
- builds the bookmarks (sections, collapsed, with their cards) from the parts' anchors.

Each part starts on a new page, so the sheet has about half a page more per part than as
one document; decks under ``PARTS_FROM_CARDS`` cards stay one document.
"""

from __future__ import annotations

import functools
import io
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardpress.model import Deck, Section
from cardpress.processes import stop_now, worker_pool
from cardpress.renderers import RenderContext
from cardpress.renderers.pdf import compact as pdf_compact
from cardpress.renderers.pdf.html import (
    FetchPolicy,
    SheetPart,
    build_date,
    page_footers_html,
    page_height,
    running_heads,
    sheet_html,
)
from cardpress.renderers.pdf.object_streams import preload, raw_objects
from cardpress.renderers.pdf.part_cache import (
    Anchors,
    LaidOut,
    PartCache,
    copy_pages,
    inputs_digest,
    part_key,
)
from cardpress.renderers.pdf.shared_fonts import share_fonts
from cardpress.renderers.pdf.structure import Structure
from cardpress.renderers.pdf.structure_copy import tree_numbers

# A deck of at least this many cards is laid out in parts (see docs/pdf.md for the timings
# that chose it); below it, one document is as fast and a few pages shorter.
PARTS_FROM_CARDS = 300
# Cards a part holds (whole sections: a bigger section is a part of its own). About three
# A4 pages: small enough that an edit re-lays out about a second, big enough that the page
# each part leaves partly empty does not add up too much.
PART_CARDS = 40
WORKERS = 2

if TYPE_CHECKING:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject

Layout = Callable[..., LaidOut]  # (html, policy, tagged=True) -> the PDF and its anchors


def wants_parts(deck: Deck) -> bool:
    return deck.card_count >= PARTS_FROM_CARDS and len(deck.sections) > 1


def group_sections(sections: Sequence[Section]) -> list[tuple[Section, ...]]:
    """Runs of whole sections of about ``PART_CARDS`` cards each, in order."""
    groups: list[tuple[Section, ...]] = []
    current: list[Section] = []
    count = 0
    for section in sections:
        current.append(section)
        count += len(section.cards)
        if count >= PART_CARDS:
            groups.append(tuple(current))
            current, count = [], 0
    if current:
        groups.append(tuple(current))
    return groups


# ---- Laying out, in worker processes -------------------------------------------------


def _timed(layout: Layout, html: str, policy: FetchPolicy) -> tuple[LaidOut, float]:
    """Lay out one part (in a worker: the slow step)."""
    started = time.perf_counter()
    laid_out = layout(html, policy)
    return laid_out, time.perf_counter() - started


@contextmanager
def part_workers() -> Iterator[ProcessPoolExecutor | None]:
    """Two forked workers (started only when a job is submitted); none where we may not
    start processes (a daemonic process may have no children) or have one core."""
    if multiprocessing.current_process().daemon or (os.cpu_count() or 1) < 2:
        yield None
        return
    executor = worker_pool(WORKERS)
    try:
        yield executor
    except BaseException:  # Ctrl-C or an error: the parts being laid out are not wanted
        stop_now(executor)
        raise
    finally:
        executor.shutdown(cancel_futures=True)


@dataclass
class _Part:
    number: int  # 1-based, among the content parts
    html: str
    key: str
    laid_out: LaidOut | None = None


def render_in_parts(
    deck: Deck, context: RenderContext, out: Path, layout: Layout, layout_version: str
) -> None:
    """Lay out the deck's sheet in parts (cached), merge them and write the PDF to ``out``."""
    policy = FetchPolicy.for_deck(deck, context)
    folder = context.cache_dir / "pdf" / deck.key if context.cache_dir is not None else None
    cache = PartCache(folder)
    salt = inputs_digest(policy, layout_version)
    parts = []
    groups = group_sections(deck.sections)
    for number, group in enumerate(groups, 1):
        last = number == len(groups)
        sheet_part = SheetPart(
            sections=group, title_block=False, page_footer=False, balance_columns=last
        )
        html = sheet_html(deck, context, sheet_part)
        key = part_key(html, salt)
        parts.append(_Part(number, html, key, cache.get(key)))
    missing = [part for part in parts if part.laid_out is None]
    total = len(parts)
    if missing:
        context.progress(f"laying out {len(missing)} of {total} parts")
    with part_workers() as pool:
        for part, laid_out, seconds in _lay_out(missing, policy, layout, pool):
            part.laid_out = laid_out
            cache.put(part.key, laid_out)
            context.progress(
                f"laid out part {part.number}/{total} ({laid_out.pages} pages) in {seconds:.1f} s"
            )
        bodies = [part.laid_out for part in parts if part.laid_out is not None]
        title, footers = _title_and_footers(
            deck, context, policy, layout, cache, salt, bodies, pool
        )
    pages = footers.pages
    started = time.perf_counter()
    merge(deck, title, bodies, footers.data, out, build_date(context))
    cache.prune()
    context.progress(
        f"merged {total + 1} parts into {pages} pages in {time.perf_counter() - started:.1f} s"
    )


def _lay_out(
    parts: list[_Part], policy: FetchPolicy, layout: Layout, pool: ProcessPoolExecutor | None
) -> Iterator[tuple[_Part, LaidOut, float]]:
    if pool is None or len(parts) < 2:
        for part in parts:
            yield (part, *_timed(layout, part.html, policy))
        return
    futures: dict[Future[tuple[LaidOut, float]], _Part] = {
        pool.submit(_timed, layout, part.html, policy): part for part in parts
    }
    for future in as_completed(futures):
        yield (futures[future], *future.result())


def _cached_layouts(
    htmls: list[str],
    policy: FetchPolicy,
    layouts: list[Layout],
    cache: PartCache,
    salt: str,
    pool: ProcessPoolExecutor | None,
) -> list[LaidOut]:
    """Each document from the cache, or laid out (side by side when there are two)."""
    keys = [part_key(html, salt) for html in htmls]
    found = {index: cache.get(key) for index, key in enumerate(keys)}
    missing = [index for index, laid_out in found.items() if laid_out is None]
    if pool is not None and len(missing) > 1:
        futures = {i: pool.submit(_timed, layouts[i], htmls[i], policy) for i in missing}
        found.update({i: future.result()[0] for i, future in futures.items()})
    else:
        found.update({i: _timed(layouts[i], htmls[i], policy)[0] for i in missing})
    result = []
    for index, key in enumerate(keys):
        laid_out = found[index]
        assert laid_out is not None
        if index in missing:
            cache.put(key, laid_out)
        result.append(laid_out)
    return result


def section_pages(deck: Deck, bodies: list[LaidOut], first: int) -> dict[str, int]:
    """The page each section starts on when the parts follow each other from page ``first``."""
    found: dict[str, int] = {}
    for body in bodies:
        for section in deck.sections:
            if section.anchor in body.anchors and section.key not in found:
                found[section.key] = first + body.anchors[section.anchor][0]
        first += body.pages
    return found


def _title_and_footers(
    deck: Deck,
    context: RenderContext,
    policy: FetchPolicy,
    layout: Layout,
    cache: PartCache,
    salt: str,
    bodies: list[LaidOut],
    pool: ProcessPoolExecutor | None,
) -> tuple[LaidOut, LaidOut]:
    """The title block and contents, with the pages the sections start on written in, and
    the footers of every page.

    Both depend on how long the title part itself is: assume one page, and lay them out
    again in the rare case it is longer.
    """
    title_pages = 1
    for _ in range(3):
        toc = section_pages(deck, bodies, title_pages + 1)
        part = SheetPart(sections=(), toc_pages=toc, page_footer=False)
        pages = title_pages + sum(body.pages for body in bodies)
        heads = running_heads(deck, _starts(bodies, title_pages), pages, page_height(deck, context))
        htmls = [sheet_html(deck, context, part), page_footers_html(deck, context, heads)]
        # The footers are stamped on as artifacts: no structure of their own.
        untagged = functools.partial(layout, tagged=False)
        title, footers = _cached_layouts(htmls, policy, [layout, untagged], cache, salt, pool)
        if title.pages == title_pages:
            break
        title_pages = title.pages
    return title, footers


def _starts(bodies: list[LaidOut], first: int) -> dict[str, tuple[int, float, float]]:
    """Every anchor of the parts, on its page of the merged sheet (0-based)."""
    found: dict[str, tuple[int, float, float]] = {}
    for body in bodies:
        for name, (at, left, top) in body.anchors.items():
            found.setdefault(name, (first + at, left, top))
        first += body.pages
    return found


# ---- Merging ----------------------------------------------------------------------------


def merge(
    deck: Deck, title: LaidOut, bodies: list[LaidOut], footers: bytes, out: Path, built: datetime
) -> None:
    """Write the parts as one PDF: numbered pages, working contents links, bookmarks."""
    import pypdf

    writer = pypdf.PdfWriter()
    structure = Structure(writer)
    offsets = []
    readers = [pypdf.PdfReader(io.BytesIO(laid_out.data)) for laid_out in [title, *bodies]]
    stamps = pypdf.PdfReader(io.BytesIO(footers))
    raws = [raw_objects(reader) for reader in readers]
    for reader, raw in zip(readers, raws, strict=True):
        preload(reader, raw, skip=tree_numbers(raw))  # the tree is copied as bytes
    share_fonts(writer, [*readers, stamps])
    for laid_out, reader, raw in zip([title, *bodies], readers, raws, strict=True):
        offsets.append(len(writer.pages))
        copy_pages(writer, reader, structure, raw)
        if laid_out is title and reader.metadata is not None:
            writer.add_metadata({str(k): v for k, v in reader.metadata.items()})
    stamp = built.strftime("D:%Y%m%d%H%M%SZ")
    writer.add_metadata({"/CreationDate": stamp, "/ModDate": stamp})
    anchors: dict[str, tuple[int, float, float]] = {}
    # The title part's stand-ins for the sections come last, so the sections win.
    for laid_out, offset in [*zip(bodies, offsets[1:], strict=True), (title, 0)]:
        for name, (at, left, top) in laid_out.anchors.items():
            anchors.setdefault(name, (offset + at, left, top))
    _named_destinations(writer, anchors)
    _bookmarks(deck, writer, anchors)
    _stamp_footers(writer, stamps)
    structure.finish()
    writer.page_mode = "/UseOutlines"
    writer.pdf_header = b"%PDF-1.7"
    with open(out, "wb") as file:
        pdf_compact.write(writer, file)


def _destination(writer: PdfWriter, at: int, left: float, top: float) -> ArrayObject:
    from pypdf.generic import ArrayObject, FloatObject, NameObject, NumberObject

    page = writer.pages[at].indirect_reference
    return ArrayObject(
        [page, NameObject("/XYZ"), FloatObject(left), FloatObject(top), NumberObject(0)]
    )


def _named_destinations(writer: PdfWriter, anchors: Anchors) -> None:
    """Every anchor of every part, so that links by name (the contents') find their target."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    names = ArrayObject()
    for name in sorted(anchors):
        names.append(TextStringObject(name))
        names.append(_destination(writer, *anchors[name]))
    dests = writer._add_object(DictionaryObject({NameObject("/Names"): names}))
    writer.root_object[NameObject("/Names")] = DictionaryObject({NameObject("/Dests"): dests})


def _bookmarks(deck: Deck, writer: PdfWriter, anchors: Anchors) -> None:
    """Sections (collapsed) with their cards beneath, as the one-document sheet has them."""
    from pypdf.generic import Fit

    for section in deck.sections:
        at, left, top = anchors[section.anchor]
        parent = writer.add_outline_item(
            title=section.title.text, page_number=at, fit=Fit.xyz(left, top, 0), is_open=False
        )
        for card in section.cards:
            at, left, top = anchors[card.anchor]
            writer.add_outline_item(
                title=card.question.text, page_number=at, parent=parent, fit=Fit.xyz(left, top, 0)
            )


def _stamp_footers(writer: PdfWriter, stamps: PdfReader) -> None:
    """Draw page i of ``footers`` (its footer alone) over page i of the sheet.

    Each stamp becomes a form XObject drawn after the page's own content, which is wrapped
    in q/Q so that the stamp starts from a clean graphics state. Nothing is parsed.
    """
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    save = DecodedStreamObject()
    save.set_data(b"q\n")
    save_ref = writer._add_object(save)
    for index, (page, stamp) in enumerate(zip(writer.pages, stamps.pages, strict=True)):
        form: Any = stamp["/Contents"].get_object().clone(writer)  # type: ignore[union-attr]
        form.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): stamp.mediabox,
                NameObject("/Resources"): stamp["/Resources"].clone(writer),
            }
        )
        name = f"/CardpressFooter{index + 1}"
        resources: Any = page["/Resources"].get_object()
        if "/XObject" not in resources:
            resources[NameObject("/XObject")] = DictionaryObject()
        resources["/XObject"].get_object()[NameObject(name)] = form.indirect_reference
        draw = DecodedStreamObject()
        # Page furniture, not content: an artifact, outside the structure tree.
        draw.set_data(f"\nQ\n/Artifact BMC {name} Do EMC\n".encode("ascii"))
        contents = page.raw_get("/Contents")
        old = contents.get_object()
        streams = list(old) if isinstance(old, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([save_ref, *streams, writer._add_object(draw)])
