"""The test files named as the longest in tests/conftest.py exist: a renamed file would
otherwise drop silently to the end of the queue of files handed out to the workers."""

from tests.conftest import LONGEST_FIRST, ROOT


def test_the_longest_files_named_exist_once() -> None:
    assert [path for path in LONGEST_FIRST if not (ROOT / path).is_file()] == []
    assert len(set(LONGEST_FIRST)) == len(LONGEST_FIRST)
