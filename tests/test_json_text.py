"""The indented JSON writer gives exactly the text of ``json.dumps`` with an indent."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardpress import json_text

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(
            st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False),
            inner,
            max_size=4,
        )
    ),
    max_leaves=30,
)


@given(values, st.sampled_from([0, 1, 2, 4]), st.booleans())
def test_same_text_as_json_dumps(value: object, indent: int, ensure_ascii: bool) -> None:
    expected = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)
    assert json_text.dumps(value, indent, ensure_ascii) == expected


def test_unencodable_values_raise_as_json_does() -> None:
    for value in ({"a": object()}, [b"bytes"], {(1, 2): "tuple key"}):
        with pytest.raises(TypeError):
            json.dumps(value, indent=1)
        with pytest.raises(TypeError):
            json_text.dumps(value, 1)
