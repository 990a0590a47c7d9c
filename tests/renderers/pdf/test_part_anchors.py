"""A part's anchors, taken as WeasyPrint writes its PDF (renderers.pdf.sheet.lay_out_part),
are its named destinations as a PDF reader reads them back: the page, left and top the
merge points the contents' links and the bookmarks at."""

from __future__ import annotations

import io

import pypdf
import pytest

from cardpress.parse import load_content
from cardpress.renderers.pdf import sheet as pdf
from cardpress.renderers.pdf.html import FetchPolicy, sheet_html
from tests.support.paths import DATA
from tests.support.pdf_support import make_context

DECK = DATA / "print_deck"


def read_back(data: bytes) -> dict[str, tuple[int, float, float]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    found = {}
    for name, dest in reader.named_destinations.items():
        page = reader.get_destination_page_number(dest)
        assert page is not None and dest.left is not None and dest.top is not None
        found[str(name)] = (page, float(dest.left), float(dest.top))
    return found


@pytest.mark.parametrize("tagged", [True, False])
def test_anchors_are_the_named_destinations_read_back(tagged: bool) -> None:
    deck = load_content(DECK)[0]
    context = make_context(DECK, deck=deck)
    laid_out = pdf.lay_out_part(
        sheet_html(deck, context), FetchPolicy.for_deck(deck, context), tagged=tagged
    )
    expected = read_back(laid_out.data)
    assert laid_out.anchors == expected
    assert laid_out.pages == len(pypdf.PdfReader(io.BytesIO(laid_out.data)).pages)
    assert len(expected) > deck.card_count  # every card and section
    assert len({page for page, _, _ in expected.values()}) > 1  # on both pages
    assert any(left != int(left) or top != int(top) for _, left, top in expected.values())
