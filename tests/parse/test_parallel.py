"""A cold build parses a deck's later files in a worker process: the model, the outputs
and the diagnostics are exactly those of parsing every file in order here."""

from __future__ import annotations

import multiprocessing
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from cardpress.build.pipeline import BuildOptions, build
from cardpress.errors import ContentError
from cardpress.parse.cache import ParseCache
from cardpress.parse.loader import read_content
from cardpress.parse.parallel import ParallelParse
from cardpress.processes import stop_now
from cardpress.renderers.json_model import deck_to_dict
from tests.support.paths import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import run as bench


@pytest.fixture
def many_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A deck of 12 section files of 8 cards, with code, tables, callouts and clozes."""
    monkeypatch.setattr(bench, "CARDS_PER_SECTION", 8)
    return bench.generate(tmp_path / "deck", 96)


def parse_ahead(
    content: Path, cache_folder: Path, busy: bool = False
) -> tuple[list[dict[str, object]], int]:
    """The decks as dicts, read through a worker, and how many files the worker gave;
    ``busy``: the worker is kept busy with something else all along."""
    executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    if busy:
        executor.submit(time.sleep, 1)
    ahead = ParallelParse(ParseCache(cache_folder), executor, content.resolve(), strict=False)
    try:
        state = read_content(content, now=0, cache=ahead)
    finally:
        stop_now(executor)
    return [deck_to_dict(deck) for deck in state.decks], len(ahead.cache.encoded)


def test_the_worker_gives_the_model_parsing_in_order_gives(many_files: Path, tmp_path: Path):
    in_order = [deck_to_dict(deck) for deck in read_content(many_files, now=0).decks]
    through_worker, from_worker = parse_ahead(many_files, tmp_path / "cache")
    # Where the two meet depends on their speeds; the last file is the worker's first
    # task, begun long before this process gets there. index.md is always parsed here.
    assert 1 <= from_worker <= 12
    assert through_worker == in_order


def test_files_the_worker_has_not_taken_are_parsed_here(many_files: Path, tmp_path: Path):
    in_order = [deck_to_dict(deck) for deck in read_content(many_files, now=0).decks]
    through_worker, from_worker = parse_ahead(many_files, tmp_path / "cache", busy=True)
    # A busy worker holds only what is queued for it already (one file here, the last,
    # and one more once it is free); every other file is parsed here, not waited for.
    assert from_worker <= 2
    assert through_worker == in_order


def test_a_clash_in_a_file_the_worker_parsed_is_reported_as_in_order(
    many_files: Path, tmp_path: Path
):
    deck = many_files / "synthetic"
    early, late = deck / "0001.md", deck / "0010.md"
    early.write_text(early.read_text().replace("number 8?\n", "number 8?\n<!-- id: twice -->\n"))
    late.write_text(late.read_text().replace("number 80?\n", "number 80?\n<!-- id: twice -->\n"))
    with pytest.raises(ContentError) as in_order:
        read_content(many_files, now=0)
    with pytest.raises(ContentError) as through_worker:
        parse_ahead(many_files, tmp_path / "cache")
    assert "twice" in str(in_order.value.diagnostics[0])
    assert through_worker.value.diagnostics == in_order.value.diagnostics


def test_a_cold_build_on_two_cores_writes_what_one_core_writes(many_files: Path, tmp_path: Path):
    def build_into(content: Path, out: Path, jobs: int) -> None:
        options = BuildOptions(
            content=content,
            templates=ROOT / "templates",
            out=out,
            formats=("anki", "html", "json"),
            jobs=jobs,
            progress=False,
        )
        build(options, lambda _: None, lambda _: None, lambda _: None)

    build_into(many_files, tmp_path / "one", jobs=1)  # also writes the lock both builds use
    copy = tmp_path / "copy"
    shutil.copytree(many_files, copy)
    build_into(copy, tmp_path / "two", jobs=2)
    for name in ("synthetic.apkg", "synthetic.html", "synthetic.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
