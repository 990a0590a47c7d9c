"""Fixtures of the Anki tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.anki_support import AnkiUser


@pytest.fixture
def anki(tmp_path: Path) -> Iterator[AnkiUser]:
    """A user of Anki's own engine with an empty collection of their own."""
    user = AnkiUser(tmp_path / "anki")
    yield user
    user.close()
