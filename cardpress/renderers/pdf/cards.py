"""Printable flashcards: every side laid out on a card-sized page, then placed on sheets.

Each side is laid out by WeasyPrint on a page exactly the card's size. That layout is the
measurement too: a side that runs onto a second page did not fit, and is laid out again
at the next smaller text size (only those sides, in a document of their own). A side that
does not fit even at the smallest size keeps its first page, which WeasyPrint ended at a
line, with "continued on cheat sheet p. N" in its margin, and the build warns. The chosen
pages become one PDF, and ``cards_sheets`` places them on sheets of paper, each back
behind its front (see ``cards_layout``).

The sides are laid out in parts of ``PART_SIDES``, on both cores and cached like the
cheat sheet's parts (``pdf_parts``), so an edit lays out only the part it touched again.
"""

from __future__ import annotations

import io
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import weasyprint

from cardpress.errors import BuildError, ContentError, Diagnostic
from cardpress.model import Deck
from cardpress.print_options import CardSheet, card_sheet
from cardpress.renderers import RenderContext
from cardpress.renderers.pdf import formulas as pdf_math
from cardpress.renderers.pdf import parts as pdf_parts
from cardpress.renderers.pdf import sheet as pdf
from cardpress.renderers.pdf.cards_fit import free_height_pt, too_wide
from cardpress.renderers.pdf.cards_html import (
    LEVELS,
    Side,
    SidesDocument,
    calibration_html,
    card_sides,
    first_level,
    formula_too_wide,
    sides_document,
)
from cardpress.renderers.pdf.cards_layout import Box, SheetLayout, flip_box, sheet_layout
from cardpress.renderers.pdf.cards_sheets import impose
from cardpress.renderers.pdf.html import FetchPolicy, RefusedReference, build_date, paper_of
from cardpress.renderers.pdf.part_cache import LaidOut, PartCache, inputs_digest, part_key

PART_SIDES = 120  # about two seconds of layout per part


@dataclass(frozen=True)
class PartJob:
    """The sides ``ids`` of one part, as ``document`` holds them, and where to start."""

    document: SidesDocument
    ids: tuple[int, ...]
    levels: tuple[int, ...]  # the first text size to try, per side


def lay_out_part(job: PartJob, policy: FetchPolicy) -> LaidOut:
    """Lay out a part's sides, smaller where they overflow; one page per side.

    The result's ``anchors`` name the sides cut short, ``cut-<id>``, and give how much
    height each fitting side leaves empty, ``free-<id>`` (as the anchor's left).
    """
    levels = list(job.levels)
    chosen: dict[int, tuple[weasyprint.Document, int]] = {}
    cut: list[int] = []
    pending = list(range(len(job.ids)))
    last = LEVELS - 1
    with pdf.checked_layout(policy, pdf.layout_budget(len(job.ids))) as fetcher:
        while pending:
            laid_out = pdf.document(job.document.html(pending, levels), fetcher)
            spans: dict[int, list[int]] = {}
            for number, page in enumerate(laid_out.pages):
                for anchor in page.anchors:
                    if anchor.startswith("side-"):
                        spans.setdefault(int(anchor[5:]), []).append(number)
            retry = []
            for local in pending:
                pages = spans[job.ids[local]]
                if len(pages) == 1 and not too_wide(laid_out.pages[pages[0]]):
                    chosen[local] = (laid_out, pages[0])
                elif levels[local] == last:
                    cut.append(local)
                else:
                    levels[local] += 1
                    retry.append(local)
            pending = retry
        if cut:  # at the smallest size still too long: the first page, marked as cut
            laid_out = pdf.document(job.document.html(cut, levels, cut=True), fetcher)
            starts = _first_pages(laid_out)
            for local in cut:
                chosen[local] = (laid_out, starts[job.ids[local]])
        pages = [chosen[local][0].pages[chosen[local][1]] for local in range(len(job.ids))]
        data = pdf.write(chosen[0][0].copy(pages))
    anchors = {f"cut-{job.ids[i]}": (0, 0.0, 0.0) for i in cut}
    for local, page in enumerate(pages):
        if local not in cut:
            anchors[f"free-{job.ids[local]}"] = (0, round(free_height_pt(page), 2), 0.0)
    return LaidOut(data, len(pages), anchors)


def _first_pages(laid_out: weasyprint.Document) -> dict[int, int]:
    """The page each side starts on, by its id."""
    starts: dict[int, int] = {}
    for number, page in enumerate(laid_out.pages):
        for anchor in page.anchors:
            if anchor.startswith("side-"):
                starts.setdefault(int(anchor[5:]), number)
    return starts


def render(deck: Deck, context: RenderContext, out: Path) -> None:
    """Write the deck's printable cards to ``out``."""
    try:
        _render(deck, context, out)
    except pdf.LayoutTooSlow:
        budget = pdf.layout_budget(PART_SIDES)
        raise pdf.too_slow_error(
            deck, budget, f"{deck.key}-cards.pdf", "the card sides", f"{PART_SIDES} sides"
        ) from None
    except RefusedReference as refused:
        raise pdf.refused_error(deck, refused, "the cards") from None
    except BuildError as error:
        raise BuildError(f"{deck.key}-cards.pdf: {error}") from None


def _render(deck: Deck, context: RenderContext, out: Path) -> None:
    sheet = card_sheet(deck.print_cards, context.printing)
    paper = paper_of(deck, context)
    layout = sheet_layout(sheet, paper)
    pairs = card_sides(deck)
    sides = [side for pair in pairs for side in pair]
    policy = FetchPolicy.for_deck(deck, context)
    folder = context.cache_dir / "cards" / deck.key if context.cache_dir is not None else None
    cache = PartCache(folder)
    salt = inputs_digest(policy, weasyprint.__version__)
    with pdf_parts.part_workers() as pool:
        parts, cut = _lay_out(deck, context, sheet, sides, {}, cache, salt, policy, pool)
        if cut:  # say where each cut side continues: the cheat sheet's page of its card
            pages = _cheat_sheet_pages(deck, context, {sides[i].card.id for i in cut})
            parts, cut = _lay_out(deck, context, sheet, sides, pages, cache, salt, policy, pool)
    _warn(deck, context, sheet, [sides[i] for i in sorted(cut)])
    calibration = _calibration(context, sheet, layout, policy) if sheet.calibrate else None
    impose(
        [part.data for part in parts],
        len(pairs),
        layout,
        out,
        build_date(context),
        calibration,
        _front_drops(parts, sides),
        [front.section.title.text for front, _ in pairs],
    )
    cache.prune()


def _lay_out(
    deck: Deck,
    context: RenderContext,
    sheet: CardSheet,
    sides: list[Side],
    sheet_pages: dict[str, int],
    cache: PartCache,
    salt: str,
    policy: FetchPolicy,
    pool: ProcessPoolExecutor | None,
) -> tuple[list[LaidOut], set[int]]:
    """Every side laid out (from the cache where it can), and which were cut short."""
    whole = sides_document(deck, context, sheet, sides, sheet_pages)
    jobs = []
    for start in range(0, len(sides), PART_SIDES):
        ids = tuple(range(start, min(start + PART_SIDES, len(sides))))
        document = SidesDocument(whole.head, whole.blocks[ids[0] : ids[-1] + 1], whole.tail)
        levels = tuple(first_level(sides[i], sheet) for i in ids)
        jobs.append(PartJob(document, ids, levels))
    keys = [
        part_key(job.document.html(list(range(len(job.ids))), list(job.levels)), salt)
        for job in jobs
    ]
    found = [cache.get(key) for key in keys]
    missing = [i for i, laid_out in enumerate(found) if laid_out is None]
    if missing:
        context.progress(f"laying out {len(missing)} of {len(jobs)} parts of card sides")
    if pool is not None and len(missing) > 1:
        futures = {i: pool.submit(lay_out_part, jobs[i], policy) for i in missing}
        results = {i: future.result() for i, future in futures.items()}
    else:
        results = {i: lay_out_part(jobs[i], policy) for i in missing}
    for i, laid_out in results.items():
        cache.put(keys[i], laid_out)
        found[i] = laid_out
    parts = [laid_out for laid_out in found if laid_out is not None]
    cut = {int(name[4:]) for part in parts for name in part.anchors if name.startswith("cut-")}
    return parts, cut


def _front_drops(parts: list[LaidOut], sides: list[Side]) -> list[float]:
    """How far down (pt) each side is placed on its card: a front by half the height it
    leaves empty, so that it stands in the middle of its card; a back from the top."""
    free = {
        int(name[5:]): left
        for part in parts
        for name, (_, left, _) in part.anchors.items()
        if name.startswith("free-")
    }
    return [free.get(i, 0.0) / 2 if side.front else 0.0 for i, side in enumerate(sides)]


def _cheat_sheet_pages(deck: Deck, context: RenderContext, card_ids: set[str]) -> dict[str, int]:
    """The page of the cheat sheet (as ``pdf`` writes it) that each card is on."""
    import pypdf

    with tempfile.TemporaryDirectory(prefix="cardpress-") as folder:
        sheet = Path(folder) / "sheet.pdf"
        pdf.render(deck, context, sheet)
        reader = pypdf.PdfReader(io.BytesIO(sheet.read_bytes()))
        pages = {}
        for name, destination in reader.named_destinations.items():
            card_id = str(name).removeprefix("card-")
            if str(name).startswith("card-") and card_id in card_ids:
                pages[card_id] = (reader.get_destination_page_number(destination) or 0) + 1
    return pages


def _warn(deck: Deck, context: RenderContext, sheet: CardSheet, cut: list[Side]) -> None:
    """One warning per side cut short (an error with ``--strict``)."""
    severity: Literal["error", "warning"] = "error" if context.strict else "warning"
    diagnostics = [
        Diagnostic(
            side.card.location,
            severity,
            f"a display formula in the {side.what} is too wide for a {sheet.size.label} card "
            f"even at {pdf_math.MIN_PT:g} pt: the card shows what comes before it and says "
            "where the cheat sheet has the rest; break the formula into lines to keep it "
            "on the card"
            if formula_too_wide(side, sheet)
            else f"{side.what} too long for a {sheet.size.label} card",
        )
        for side in cut
    ]
    if context.strict and diagnostics:
        raise ContentError(diagnostics)
    for diagnostic in diagnostics:
        context.warn(str(diagnostic))


def _calibration(
    context: RenderContext, sheet: CardSheet, layout: SheetLayout, policy: FetchPolicy
) -> bytes:
    """Two pages: crosses on the front, and behind them crosses with scales to read the
    printer's offset from, placed exactly as the backs of the cards are."""
    width, height = layout.width, layout.height
    inset = min(25.0, width / 4, height / 4)
    points = [
        (inset, inset),
        (width - inset, inset),
        (width / 2, height / 2),
        (inset, height - inset),
        (width - inset, height - inset),
    ]
    dx, dy = sheet.back_offset
    backs = []
    for x, y in points:  # folded cards turn on the long edge too
        box = flip_box(Box(x, y, 0.0, 0.0), width, height, sheet.sides)
        backs.append((box.x + dx, box.y + dy))
    html = calibration_html(context, sheet, width, height, {"fronts": points, "backs": backs})
    return pdf.render_part(html, policy)
