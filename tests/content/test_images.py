"""Image sizes are read from the headers every decoder trusts, for every format we take."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from cardpress.content.images import (
    MAX_IMAGE_PIXELS,
    MAX_SVG_ELEMENTS,
    image_problem,
    image_type,
    pixel_size,
)
from tests.parse.test_broken_corpus import fan_out_svg


def encoded(fmt: str, size: tuple[int, int], **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("PNG", {}),
        ("JPEG", {}),
        ("JPEG", {"progressive": True}),
        ("GIF", {}),
        ("WEBP", {"lossless": True}),
        ("WEBP", {"quality": 50}),
    ],
)
def test_the_size_comes_from_the_header(fmt: str, options: dict[str, object]) -> None:
    for size in [(1, 1), (37, 5), (640, 481)]:
        data = encoded(fmt, size, **options)
        kind = image_type(data)
        assert kind is not None
        assert pixel_size(data, kind) == size
        assert image_problem(data, kind) == ""


def test_a_header_that_claims_too_many_pixels_is_refused() -> None:
    data = bytearray(encoded("GIF", (2, 2)))
    data[6:10] = (65535).to_bytes(2, "little") * 2
    assert MAX_IMAGE_PIXELS < 65535 * 65535
    assert image_problem(bytes(data), "gif") == (
        f"image is 65535 x 65535 pixels, over the limit of {MAX_IMAGE_PIXELS} pixels: scale it down"
    )


def test_svg_use_is_counted_expanded() -> None:
    assert 321 < MAX_SVG_ELEMENTS < 32_111  # what 2 and 4 levels of ten draw
    assert image_problem(fan_out_svg(2).encode(), "svg") == ""
    assert "draws more than" in image_problem(fan_out_svg(4).encode(), "svg")
    wide = fan_out_svg(1, width=MAX_SVG_ELEMENTS).encode()
    assert "draws more than" in image_problem(wide, "svg")
