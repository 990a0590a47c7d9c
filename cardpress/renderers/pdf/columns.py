"""Balanced columns in a few trial layouts instead of a hundred.

WeasyPrint 70 balances the columns of a multi-column box's last page by laying them out
again 1 px taller each pass until everything fits (its shortcut, the height of the next
box, is useless for a section whose heading must stay with its first card). A card that
must move to the first column whole costs one layout per pixel of it: about 6 s of
processor time for a one-card sheet, against 0.3 s with ``column-fill: auto``.

WeasyPrint's own balancing loop still runs here, unchanged; what changes is how its
passes are answered. Its pass at the page's full height and its first two balancing
passes are laid out as WeasyPrint does (most pages are balanced by then). From the third
on, the heights it will try are known (its height
so far plus a fixed step); this module finds the lowest of them at which the content
fits by doubling the step and then halving the interval, each a real trial layout undone
as WeasyPrint undoes its own, and then answers every pass below that height "nothing
fits" without laying anything out. WeasyPrint then lays out the pass at
that height and the columns for real, as it would have: the same layout (provided that
what fits at some height fits at any taller one, as WeasyPrint's own stopping rule
assumes) for a few trial layouts.

It hooks WeasyPrint's ``block_box_layout`` and ``columns_layout`` (private functions), so
it is installed only over the WeasyPrint version it was written for (``PINNED``); any
other version keeps its own, slower balancing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from math import inf
from typing import Any

import weasyprint
from weasyprint.layout import block, column

PINNED = "70.0"
_real_block_box_layout = block.block_box_layout
_real_columns_layout = column.columns_layout
_searches = threading.local()  # the balancing searches under way in this thread, innermost last
_NOTHING_FITS: tuple[Any, ...] = (None, None, {"break": "any", "page": None}, [], False, None)


def install() -> bool:
    """Answer WeasyPrint's balancing passes through ``BalancingSearch``, if WeasyPrint is
    the pinned version; True when it is in use."""
    if weasyprint.__version__ != PINNED:
        return False
    # block_box_layout calls columns_layout by this name; columns_layout imports
    # block_box_layout from the block module on each call, as block's own code calls it.
    block.columns_layout = balanced_columns_layout
    block.block_box_layout = _block_box_layout
    return True


def balanced_columns_layout(context: Any, box: Any, *args: Any) -> Any:
    """WeasyPrint's ``columns_layout``, its balancing passes answered by a search."""
    if not _handled(context, box):
        return _real_columns_layout(context, box, *args)
    stack = _searches.__dict__.setdefault("stack", [])
    stack.append(BalancingSearch(box.element, box.style["column_count"]))
    try:
        return _real_columns_layout(context, box, *args)
    finally:
        stack.pop()


def _handled(context: Any, box: Any) -> bool:
    """A multi-column box whose balancing passes this module can tell apart: a number of
    columns, no child spanning them, no footnotes."""
    style = box.style
    return (
        style["column_fill"] == "balance"
        and style["column_width"] == "auto"
        and isinstance(style["column_count"], int)
        and all(child.style["column_span"] != "all" for child in box.children)
        and context.current_footnote_area.height == "auto"
        and not context.current_page_footnotes
    )


def _block_box_layout(context: Any, box: Any, bottom_space: float, *args: Any, **kw: Any) -> Any:
    stack = getattr(_searches, "stack", None)
    if stack and box.is_column and box.element is stack[-1].element:
        return stack[-1].column(context, box, bottom_space, *args, **kw)
    return _real_block_box_layout(context, box, bottom_space, *args, **kw)


@dataclass
class BalancingSearch:
    """One run of WeasyPrint's balancing loop over one multi-column box's page.

    The loop lays out the columns first at the page's full height (the first height),
    then, if everything fits, from the average of the columns' heights upwards by a
    fixed step. ``column`` sees each of its column layouts: a pass starts with a layout
    at a new height."""

    element: Any
    count: int
    heights: list[float] = field(default_factory=list)  # one per pass, in order
    lowest_fitting: float | None = None  # found at the fourth pass
    searched: bool = False
    trials: int = 0  # trial layouts of the search itself

    def column(
        self,
        context: Any,
        box: Any,
        bottom_space: float,
        skip_stack: Any,
        containing_block: Any,
        page_is_empty: bool,
        absolute_boxes: list[Any],
        fixed_boxes: list[Any],
        adjoining_margins: list[float] | None,
        first_letter_style: Any,
        first_line_style: Any,
        **kwargs: Any,
    ) -> Any:
        def real(bottom: float, resume: Any) -> Any:
            return _real_block_box_layout(
                context, box, bottom, resume, containing_block, page_is_empty,
                absolute_boxes, fixed_boxes, adjoining_margins, first_letter_style,
                first_line_style, **kwargs,
            )  # fmt: skip

        # The loop's passes lay out with fresh margins and no bottom left free; the
        # look at the next box has no room at all; the final layout has no margin list.
        if adjoining_margins is None or bottom_space == inf or page_is_empty:
            if adjoining_margins is not None and bottom_space != inf and not self.heights:
                self.heights.append(context.page_bottom - bottom_space - box.position_y)
            return real(bottom_space, skip_stack)
        height = context.page_bottom - bottom_space - box.position_y
        if not self.heights or abs(height - self.heights[-1]) > 1e-6:
            self.heights.append(height)  # a new pass
            if len(self.heights) == 4 and not self.searched:
                self.searched = True
                first_styles = (first_letter_style, first_line_style)

                def fits(trial: float) -> bool:
                    return self._fits(
                        context, box, skip_stack, containing_block, first_styles, trial
                    )

                # WeasyPrint lays a page out again when a counter it shows changed (the
                # contents' page numbers): the same columns at the same place need no
                # second search. Were the height found no longer to fit, the loop would
                # go on from it one pass at a time, as without the search.
                found = context.__dict__.setdefault("cardpress_balanced_heights", {})
                key = (
                    self.element, repr(skip_stack), box.position_y, context.page_bottom,
                    *self.heights,
                )  # fmt: skip
                if key not in found:
                    found[key] = self._search(fits)
                self.lowest_fitting = found[key]
        if self.searched and (self.lowest_fitting is None or height < self.lowest_fitting - 1e-6):
            return _NOTHING_FITS  # the pass goes on to its next height at no cost
        return real(bottom_space, skip_stack)

    def _search(self, fits: Callable[[float], bool]) -> float | None:
        """The lowest of the heights the loop will try from this pass on (this pass's, then
        up by the step between its last two passes, no higher than its first pass's) at
        which ``fits``: by doubling the step, then halving the interval (what fits at one
        height is taken to fit at every taller one, as the loop's own stopping rule does).
        None when none fits."""
        full, _, previous, current = self.heights
        step = current - previous
        if step <= 0:
            return current
        last = int((full - current) // step)
        if last < 0:
            return None
        failed, jump = -1, 1
        while True:
            candidate = min(failed + jump, last)
            if fits(current + candidate * step):
                fitting = candidate
                break
            if candidate == last:
                return None
            failed, jump = candidate, jump * 2
        while fitting - failed > 1:
            middle = (failed + fitting) // 2
            if fits(current + middle * step):
                fitting = middle
            else:
                failed = middle
        return current + fitting * step

    def _fits(
        self,
        context: Any,
        column_box: Any,
        skip_stack: Any,
        containing_block: Any,
        first_styles: tuple[Any, Any],
        height: float,
    ) -> bool:
        """Whether the content fits in the columns ``height`` tall: one trial layout of
        them, undone as the loop undoes its own passes."""
        self.trials += 1
        shapes = context.excluded_shapes[:]
        bottom_space = context.page_bottom - column_box.position_y - height
        laid_out: list[Any] = []
        resume_at = skip_stack
        fitted = False
        try:
            for _ in range(self.count):
                new_box, resume_at, *_ = _real_block_box_layout(
                    context, column_box, bottom_space, resume_at, containing_block, False,
                    [], [], [], *first_styles, discard=False, max_lines=None,
                )  # fmt: skip
                if new_box is None:
                    break
                laid_out.append(new_box)
                if resume_at is None:
                    fitted = True
                    break
        finally:
            block.remove_placeholders(context, laid_out, [], [])
            context.excluded_shapes[:] = shapes
        return fitted
