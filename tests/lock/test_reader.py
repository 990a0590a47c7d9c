"""Reading a lock file (``cardpress.lock.reader``): what cardpress wrote reads back whole;
anything it could not have written is refused with the line (and column) where it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cardpress.lock.reader import LockDamaged, read_lock_bytes
from tests.support.paths import DATA

SHIPPED = DATA / "locks" / "aws-devops.v2.lock"
"""The shipped deck's lock as version 2 wrote it: what users' repositories hold."""
NOW = 1_800_000_000


def written() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SHIPPED.read_bytes())
    return data


def read(data: dict[str, Any] | bytes) -> object:
    raw = data if isinstance(data, bytes) else json.dumps(data, indent=1).encode()
    return read_lock_bytes(Path("cardpress.lock"), "aws-devops", NOW, raw)


def damaged(data: dict[str, Any] | bytes) -> LockDamaged:
    with pytest.raises(LockDamaged) as caught:
        read(data)
    return caught.value


def test_the_shipped_lock_file_reads_with_every_card() -> None:
    lock = read_lock_bytes(SHIPPED, "aws-devops", NOW, SHIPPED.read_bytes())
    assert set(lock.cards) == set(written()["cards"])
    assert lock.cards


def test_no_lock_file_yet_is_an_empty_lock() -> None:
    lock = read_lock_bytes(Path("cardpress.lock"), "new-deck", NOW, None)
    assert not lock.cards


def test_text_that_is_not_json_names_its_line_and_column() -> None:
    problem = damaged(b'{\n "cardpress_lock": 2,\n "deck": "aws-devops",\n  oops\n}\n')
    assert (problem.line, problem.col) == (4, 3)
    assert "not JSON" in str(problem) and "restore it from version control" in str(problem)


def test_an_id_cardpress_could_not_have_made_names_the_line_of_its_entry() -> None:
    data = written()
    first = next(iter(data["cards"]))
    data["cards"]["bad id!"] = data["cards"].pop(first)
    problem = damaged(data)
    text = json.dumps(data, indent=1)
    assert problem.line == text[: text.index('"bad id!":')].count("\n") + 1
    assert "card id 'bad id!' is not valid" in problem.problem


def test_an_unknown_card_kind_is_refused() -> None:
    data = written()
    entry = next(iter(data["cards"].values()))
    entry["kind"] = "flashcard"
    assert "unknown kind 'flashcard'" in damaged(data).problem


def test_a_time_out_of_range_is_refused() -> None:
    data = written()
    data["content"]["modified"] = -5
    assert damaged(data).problem == "a time is out of range"


def test_a_list_where_an_entry_belongs_is_refused() -> None:
    data = written()
    data["cards"][next(iter(data["cards"]))] = ["question", "answer"]
    assert damaged(data).problem == "an entry has the wrong type"
