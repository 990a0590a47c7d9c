"""The printable cheat sheet: the Jinja template laid out by WeasyPrint.

This module imports WeasyPrint (about 0.7 s; with it `columns`, which makes its column
balancing cheaper), and the build imports it
only when a PDF is wanted. ``render_part`` takes plain data (an HTML string and a
``FetchPolicy``) and returns bytes, so ``pdf_parts`` can lay out a large sheet's parts in
worker processes.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import logging
import mimetypes
import os
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import weasyprint
from weasyprint.formatting_structure.boxes import MarginBox
from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse

from cardpress.errors import BuildError, ContentError
from cardpress.model import Card, Deck
from cardpress.renderers import RenderContext
from cardpress.renderers.pdf import columns
from cardpress.renderers.pdf import parts as pdf_parts
from cardpress.renderers.pdf.formulas import too_wide_formulas
from cardpress.renderers.pdf.html import (
    MEDIA_BASE_URL,
    FetchPolicy,
    RefusedReference,
    page_footers_html,
    page_height,
    paper_of,
    running_heads,
    sheet_html,
    where_referenced,
)
from cardpress.renderers.pdf.part_cache import Anchors, LaidOut
from cardpress.renderers.pdf.tables import too_wide_tables

PX_TO_PT = 0.75
BALANCED_COLUMNS = columns.install()  # cheaper column balancing, same layout


class _Refused(FatalURLFetchingError):  # type: ignore[misc]
    """Stops WeasyPrint at once (it would otherwise log the failure and go on)."""

    def __init__(self, refused: RefusedReference):
        self.refused = refused
        super().__init__(str(refused))


class DeckFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
    """Serves what ``FetchPolicy`` allows: the deck's checked images and template files;
    never opens a connection."""

    def __init__(self, policy: FetchPolicy):
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=True)
        self.policy = policy
        # Kept because WeasyPrint swallows every error while it draws an SVG image.
        self.refused: list[RefusedReference] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        if url[:11].lower() == "data:image/":  # an image inlined in an SVG: no file, no request
            header, _, payload = url[5:].partition(",")
            raw = unquote_to_bytes(payload)
            data = base64.b64decode(raw) if header.lower().endswith(";base64") else raw
            return URLFetcherResponse(url, data, {"Content-Type": header.split(";")[0]})
        try:
            data = self.policy.load(url)
        except RefusedReference as refused:
            self.refused.append(refused)
            raise _Refused(refused) from None
        name = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, data, {"Content-Type": content_type})


@contextmanager
def _weasyprint_errors() -> Iterator[list[str]]:
    """Collect what WeasyPrint logs as errors (an unreadable image, a broken stylesheet)."""
    errors: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if not message.endswith(_NO_ALT):  # tagging: an image the author gave no alt
                errors.append(message)

    handler = Collect(level=logging.ERROR)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield errors
    finally:
        logger.removeHandler(handler)


_NO_ALT = "has no required alt description"
_SVG_FAILED = re.compile(r"Failed to render SVG image (\S+)")


# Processor time one layout may take: a base, plus some for every card of the deck (a
# laid-out card costs about 25 ms). WeasyPrint is far from linear in some content (a word
# split into thousands of inline elements, thousands of table columns, huge words under
# balanced columns), so a single hostile card could otherwise keep a build busy for hours.
LAYOUT_CPU_SECONDS = 30.0
LAYOUT_CPU_SECONDS_PER_CARD = 0.1
CPU_SECONDS_VARIABLE = "CARDPRESS_PDF_CPU_SECONDS"  # replaces the base, for tests


def layout_budget(cards: int) -> float:
    """Processor seconds a layout of a deck of ``cards`` cards may take."""
    base = LAYOUT_CPU_SECONDS
    with contextlib.suppress(ValueError):
        base = float(os.environ.get(CPU_SECONDS_VARIABLE, "")) or base
    return base + LAYOUT_CPU_SECONDS_PER_CARD * cards


class LayoutTooSlow(BuildError):
    """A layout used up its processor time."""


@contextmanager
def _processor_time_limit(seconds: float | None) -> Iterator[None]:
    """Raise LayoutTooSlow once this process has used ``seconds`` more processor time.
    Only where a timer signal can be caught: the main thread, on systems that have one."""
    if (
        seconds is None
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise LayoutTooSlow(f"laying out took more than {seconds:g} s of processor time")

    previous = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds, 1.0)  # again each second, should
    # WeasyPrint swallow it (it logs and goes on after errors while drawing an SVG)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


@contextmanager
def checked_layout(policy: FetchPolicy, cpu_seconds: float | None = None) -> Iterator[DeckFetcher]:
    """A fetcher for laying out with WeasyPrint inside the block, and the checks after it.

    Raises ``RefusedReference`` for a file the policy refuses, ``LayoutTooSlow`` once the
    block has used ``cpu_seconds`` of processor time, and ``BuildError`` for anything
    WeasyPrint reports as an error.
    """
    fetcher = DeckFetcher(policy)
    with _weasyprint_errors() as errors:
        try:
            with _processor_time_limit(cpu_seconds):
                yield fetcher
        except _Refused as stop:
            raise stop.refused from None
        except FatalURLFetchingError as failed:  # reading an allowed file failed
            raise BuildError(f"{failed}: {failed.__cause__}") from None
    if fetcher.refused:  # from inside an SVG image: name the image
        svg = next((m.group(1) for e in errors if (m := _SVG_FAILED.match(e))), None)
        first = fetcher.refused[0]
        raise RefusedReference(first.url, first.reason, via=svg)
    if errors:
        raise BuildError("WeasyPrint: " + "; ".join(errors))


def document(html: str, fetcher: DeckFetcher) -> weasyprint.Document:
    """``html`` laid out (inside ``checked_layout``)."""
    laid_out: weasyprint.Document
    laid_out = weasyprint.HTML(string=html, base_url=MEDIA_BASE_URL, url_fetcher=fetcher).render()
    return laid_out


def render_part(
    html: str, policy: FetchPolicy, cpu_seconds: float | None = None, tagged: bool = True
) -> bytes:
    """Lay out one HTML document and return the PDF bytes (errors as ``checked_layout``).

    ``tagged``: with a structure tree (headings, paragraphs, lists, tables in reading
    order), for screen readers and reflow; only the page furniture stamped onto a merged
    sheet is not (it is drawn as an artifact there)."""
    return lay_out_part(html, policy, cpu_seconds, tagged).data


def lay_out_part(
    html: str, policy: FetchPolicy, cpu_seconds: float | None = None, tagged: bool = True
) -> LaidOut:
    """``render_part``'s PDF with its page count and its anchors, as its named
    destinations give them: taken as the PDF is written, not read back from it (a tagged
    part's catalog sits in an object stream of ~1,500 elements that pypdf would parse)."""
    anchors: Anchors = {}
    with checked_layout(policy, cpu_seconds) as fetcher:
        laid_out = document(html, fetcher)
        data = write(laid_out, tagged, anchors)
    return LaidOut(data, len(laid_out.pages), anchors)


def write(
    laid_out: weasyprint.Document, tagged: bool = True, anchors: Anchors | None = None
) -> bytes:
    """The PDF of a laid-out document: tagged, opening with its bookmarks shown; its
    named destinations put into ``anchors`` when given."""
    finisher = functools.partial(_finish, anchors=anchors)
    data: bytes = laid_out.write_pdf(pdf_tags=tagged, finisher=finisher)
    return data


def _finish(laid_out: weasyprint.Document, pdf: Any, anchors: Anchors | None) -> None:
    pdf.catalog["PageMode"] = "/UseOutlines"
    _margins_as_artifacts(pdf)
    if anchors is not None:
        anchors.update(_named_destinations(pdf))


def _named_destinations(pdf: Any) -> Anchors:
    """name -> (page, left, top) of each named destination WeasyPrint wrote into ``pdf``
    (a pydyf PDF about to be serialised), as a PDF reader reads them back: the numbers
    as pydyf writes them (``%f``, six decimals)."""
    dests = pdf.catalog.get("Names", {}).get("Dests", {}).get("Names", [])
    kids = pdf.pages["Kids"]  # [number, 0, "R", ...]
    pages = {f"{number} 0 R".encode(): index for index, number in enumerate(kids[::3])}
    found: Anchors = {}
    for name, (page, _, left, top, *_) in zip(dests[::2], dests[1::2], strict=True):
        found[str(name.string)] = (pages[page], float(f"{left:f}"), float(f"{top:f}"))
    return found


def _margins_as_artifacts(pdf: Any) -> None:
    """Mark the page margins' content (running header, footer, the "continued" line) as
    artifacts. WeasyPrint marks it as tagged content of elements it leaves out of the
    structure tree, which a screen reader cannot reach and PDF/UA does not allow."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    objects = pdf.objects

    def get(reference: bytes) -> Any:
        return objects[int(reference.split()[0])]

    root = get(pdf.catalog["StructTreeRoot"])
    reachable: set[int] = set()
    stack = list(root["K"])
    while stack:
        element = get(stack.pop())
        reachable.add(element.number)
        stack += [k for k in element.get("K", ()) if isinstance(k, bytes) and k.endswith(b" R")]
    nums = get(root["ParentTree"])["Nums"]
    pages = [objects[number] for number in pdf.pages["Kids"][::3]]  # [n, 0, "R", ...]
    for number, elements in zip(nums[::2], nums[1::2], strict=True):
        if not isinstance(elements, list) or number >= len(pages):
            continue
        outside = {mcid for mcid, ref in enumerate(elements) if get(ref).number not in reachable}
        if not outside:
            continue
        stream = get(pages[number]["Contents"])
        operations = stream.stream
        for at, item in enumerate(operations):
            if isinstance(item, dict) and item.get("MCID") in outside:
                operations[at - 1], operations[at], operations[at + 1] = "/Artifact", b"", b"BMC"


def render(deck: Deck, context: RenderContext, out: Path) -> None:
    """Write the deck's cheat sheet to ``out``: one document, or a large deck in parts."""
    budget = layout_budget(deck.card_count)
    layout = functools.partial(lay_out_part, cpu_seconds=budget)
    wide = too_wide_tables(deck) + too_wide_formulas(deck, paper_of(deck, context))
    if wide and context.strict:
        raise ContentError(wide)
    for diagnostic in wide:
        context.warn(str(diagnostic))
    try:
        if pdf_parts.wants_parts(deck):
            pdf_parts.render_in_parts(deck, context, out, layout, weasyprint.__version__)
            return
        out.write_bytes(_whole_sheet(deck, context, FetchPolicy.for_deck(deck, context), budget))
    except LayoutTooSlow:
        raise too_slow_error(deck, budget, f"{deck.key}.pdf", "the cheat sheet") from None
    except RefusedReference as refused:
        raise refused_error(deck, refused, "the PDF") from None
    except BuildError as error:
        raise BuildError(f"{deck.key}.pdf: {error}") from None


def _whole_sheet(deck: Deck, context: RenderContext, policy: FetchPolicy, budget: float) -> bytes:
    """The sheet as one document, with the running header of each page laid out apart
    (it names the sections the page holds, known only once they are laid out) and drawn
    into the page's margin."""
    with checked_layout(policy, budget) as fetcher:
        sheet = document(sheet_html(deck, context), fetcher)
        height = page_height(deck, context)
        starts: dict[str, tuple[int, float, float]] = {}
        for number, page in enumerate(sheet.pages):  # where each element starts
            for name, (x, y, *_) in page.anchors.items():
                starts.setdefault(name, (number, x * PX_TO_PT, height - y * PX_TO_PT))
        heads = running_heads(deck, starts, len(sheet.pages), height)
        furniture = document(page_footers_html(deck, context, heads, footers=False), fetcher)
        for page, margins in zip(sheet.pages, furniture.pages, strict=True):
            margin_boxes = [b for b in margins._page_box.children if isinstance(b, MarginBox)]
            page._page_box.children = (*page._page_box.children, *margin_boxes)
        return write(sheet)


def too_slow_error(
    deck: Deck, budget: float, output: str, what: str, limit_for: str = ""
) -> BuildError:
    """The error for a layout that used up its processor time, naming the likeliest card."""
    limit_for = limit_for or f"{deck.card_count} card(s)"
    return BuildError(
        f"{output}: laying out {what} took more than {budget:g} s of "
        f"processor time, the limit for {limit_for}; the card with the "
        f"most markup is at {_heaviest_card(deck)}: split or simplify it"
    )


def refused_error(deck: Deck, refused: RefusedReference, what: str) -> BuildError:
    """The error for a file ``what`` (an output) may not read, naming the card that asked."""
    return BuildError(
        f"{where_referenced(deck, refused.via or refused.url)}: {what} may not read "
        f"{refused.url}{_inside(refused.via)}: {refused.reason}"
    )


def _heaviest_card(deck: Deck) -> str:
    """Where the card with the most HTML elements and text is: the likeliest culprit."""

    def weight(card: Card) -> int:
        htmls = [card.question.html, card.answer.html, card.details.html, card.cloze.html]
        htmls += [callout.body.html for callout in card.callouts]
        return sum(len(html) + 16 * html.count("<") for html in htmls)

    heaviest = max(deck.cards(), key=weight, default=None)
    return str(heaviest.location) if heaviest is not None else str(deck.location)


def _inside(via: str | None) -> str:
    return f" (inside {unquote(via.removeprefix(MEDIA_BASE_URL))})" if via else ""
