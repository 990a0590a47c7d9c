"""Ids from the lock: every build after the first gives every card the id the first build
gave it, however many cards share a question or an answer, whatever the order of the lock
file, and whether files come from the parse cache or from a worker process."""

from __future__ import annotations

import json
import multiprocessing
import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from cardpress.parse.cache import ParseCache
from cardpress.parse.drafts import FileCache
from cardpress.parse.loader import read_content
from cardpress.parse.parallel import ParallelParse
from tests.support.files_support import write_files

INDEX = "---\ntitle: Interview\nid: interview\n---\n"
QUESTIONS = ("What is it used for?", "What are its drawbacks?", "Who made it?", "When?")

Ids = dict[tuple[str, str, str], str]
"""(section key, question, answer) -> id: what a card is, and the id it was given; the
answer of a card the section repeats ends with `` #n`` for its n-th repetition."""


def interview_section(topic: str, answers: dict[str, str] | None = None) -> str:
    """A section asking the four questions every section asks, about ``topic``."""
    answers = answers or {}
    cards = [f"### {q}\n\n{answers.get(q, f'{q[:-1]}: {topic}.')}\n" for q in QUESTIONS]
    return f"## {topic}\n<!-- id: {topic.lower().replace(' ', '-')} -->\n\n" + "\n".join(cards)


def interview(
    folder: Path, topics: list[str], edits: dict[str, dict[str, str]] | None = None
) -> Path:
    """A deck folder: one file per topic, 14 topics asking the same four questions."""
    edits = edits or {}
    files: dict[str, str | bytes] = {"index.md": INDEX}
    for n, topic in enumerate(topics):
        files[f"{n:02d}.md"] = interview_section(topic, edits.get(topic))
    for old in (folder / "interview").glob("[0-9]*.md"):
        old.unlink()
    write_files(folder / "interview", files)
    return folder


def read_ids(content: Path, cache: FileCache | None = None) -> Ids:
    """Read the content as a build does, save its lock, and return what got which id."""
    state = read_content(content, now=1, cache=cache)
    for lock in state.locks.values():
        lock.save()
    ids: Ids = {}
    for deck in state.decks:
        for section in deck.sections:
            for card in section.cards:
                key, n = (section.key, card.question.text, card.answer.text), 1
                while key in ids:
                    n += 1
                    key = (section.key, card.question.text, f"{card.answer.text} #{n}")
                ids[key] = card.id
    return ids


def shuffle_lock(content: Path, seed: int) -> None:
    """Write the lock's entries in another order, as a merge or a hand edit might."""
    lock = lock_file(content)
    data = json.loads(lock.read_text())
    entries = list(data["cards"].items())
    random.Random(seed).shuffle(entries)
    data["cards"] = dict(entries)
    lock.write_text(json.dumps(data, indent=1))


def lock_file(content: Path) -> Path:
    return next(content.rglob("*.lock"))


TOPICS = [f"Topic {n}" for n in range(1, 15)]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return interview(tmp_path / "content", TOPICS)


def test_fourteen_sections_asking_the_same_questions_keep_every_id(content: Path):
    first = read_ids(content)
    assert len(set(first.values())) == 56
    assert read_ids(content) == first
    for seed in range(5):
        shuffle_lock(content, seed)
        assert read_ids(content) == first


def test_the_lock_order_where_minus_10_sorts_before_minus_2_moves_nothing(content: Path):
    first = read_ids(content)
    assert "what-is-it-used-for-10" in first.values()
    lock = json.loads(lock_file(content).read_text())
    assert list(lock["cards"]).index("what-is-it-used-for-10") < list(lock["cards"]).index(
        "what-is-it-used-for-2"
    )
    assert first[("topic-2", "What is it used for?", "What is it used for: Topic 2.")] == (
        "what-is-it-used-for-2"
    )
    assert read_ids(content) == first


def test_an_edited_answer_keeps_its_id_and_takes_no_other_cards(content: Path):
    first = read_ids(content)
    edits = {
        "Topic 3": {"Who made it?": "Someone else."},
        "Topic 11": {"Who made it?": "A committee.", "When?": "Later."},
    }
    interview(content, TOPICS, edits)
    after = read_ids(content)
    assert sorted(after.values()) == sorted(first.values())
    for (section, question, answer), card_id in after.items():
        old = next(i for (s, q, _), i in first.items() if (s, q) == (section, question))
        assert card_id == old, (section, question, answer)


def test_sections_moved_and_a_section_added_with_the_same_questions(content: Path):
    first = read_ids(content)
    reordered = ["Topic 0", *reversed(TOPICS[7:]), *TOPICS[:7]]
    interview(content, reordered)
    after = read_ids(content)
    for key, card_id in first.items():
        assert after[key] == card_id
    new = {card_id for (s, _, _), card_id in after.items() if s == "topic-0"}
    assert len(new) == 4 and not new & set(first.values())
    shuffle_lock(content, 1)
    assert read_ids(content) == after


def test_identical_cards_keep_their_places(tmp_path: Path):
    same = "### What is it used for?\n\nNothing.\n"
    deck = INDEX + "".join(f"\n## Part {n}\n\n{same}" for n in range(1, 13))
    content = write_files(tmp_path / "content", {"interview.md": deck})
    first = read_ids(content)
    assert len(set(first.values())) == 12
    shuffle_lock(content, 3)
    assert read_ids(content) == first


def test_the_whole_card_wins_over_a_card_with_its_question(content: Path):
    """Topic 1's card is changed to topic 2's answer; topic 2's card keeps its id, and
    topic 1's card keeps its own through its question, not topic 2's through its answer."""
    first = read_ids(content)
    interview(content, TOPICS, {"Topic 1": {"Who made it?": "Who made it: Topic 2."}})
    after = read_ids(content)
    assert (
        after[("topic-2", "Who made it?", "Who made it: Topic 2.")]
        == first[("topic-2", "Who made it?", "Who made it: Topic 2.")]
    )
    assert (
        after[("topic-1", "Who made it?", "Who made it: Topic 2.")]
        == first[("topic-1", "Who made it?", "Who made it: Topic 1.")]
    )


def generated(folder: Path, seed: int, cards: int = 1000) -> Path:
    """``cards`` cards in 25 files, drawing questions and answers from small pools so that
    most questions and many answers repeat (as in imported interview repositories)."""
    rng = random.Random(seed)
    questions = [f"What is the output of snippet {n}?" for n in range(40)]
    answers = [f"It prints {n}." for n in range(120)]
    files: dict[str, str | bytes] = {"index.md": INDEX}
    per_file = cards // 25
    for f in range(25):
        body = [f"## Part {f}\n"]
        for n in range(per_file):
            body.append(f"### {rng.choice(questions)}\n\n{rng.choice(answers)} ({f}.{n % 7})\n")
        files[f"{f:02d}.md"] = "\n".join(body)
    return write_files(folder / "interview", files).parent


@pytest.mark.parametrize("seed", [1, 2])
def test_a_thousand_cards_with_repeats_keep_every_id_with_the_cache_and_a_worker(
    tmp_path: Path, seed: int
):
    content = generated(tmp_path / "content", seed)
    first = read_ids(content)
    assert len(first) == 1000 and len(set(first.values())) == 1000
    cache = ParseCache(tmp_path / "cache")
    assert read_ids(content, cache) == first  # cold: every file parsed, then cached
    assert read_ids(content, ParseCache(tmp_path / "cache")) == first  # warm
    executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    try:
        ahead = ParallelParse(ParseCache(tmp_path / "cold"), executor, content.resolve(), False)
        assert read_ids(content, ahead) == first
        assert ahead.cache.encoded  # the worker did parse files
    finally:
        executor.shutdown()
    shuffle_lock(content, seed)
    assert read_ids(content) == first
