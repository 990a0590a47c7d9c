"""The page's scheduler against Anki's own backend: the same grades at the same moments,
early, on time and late, give the same next state and the same button labels.

The page runs in headless Chromium; Anki's answers come from the real ``anki`` package
in a child process (tests/support/anki_scheduler.py) with its default preset and fuzz off.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.renderers.html.test_study import DAY_MS, T0, Study, content, ms, page_file, study  # noqa: F401

GRADE_WEIGHTS = (15, 20, 45, 20)  # Again, Hard, Good, Easy, in percent
# When a review is answered, as a share of its interval from its due day: early, on
# time, late.
REVIEW_TIMING = (-0.8, -0.5, -0.2, -0.05, 0.0, 0.0, 0.1, 0.5)
# When a learning step is answered, in seconds from its due time: ahead of it, or later.
LEARN_TIMING = (-20, 0, 45, 600)

# Plays each plan from a new card: answers at the moment the plan says, and records the
# state before, the page's button labels and the state after each answer.
PLAY_JS = """
([plans, start, DAY]) => {
  const s = cardpressScheduler;
  return plans.map(plan => {
    let state = s.newState();
    let now = start;
    return plan.map(([grade, reviewTiming, learnTiming]) => {
      if (state.queue === "review") now = state.due + Math.round(reviewTiming * state.ivl) * DAY;
      else if (state.queue !== "new") now = state.due + learnTiming * 1000;
      const before = state;
      const after = s.answer(state, grade, now);
      state = after;
      return {
        before, grade, now,
        lateDays: s.dayNumber(now) - s.dayNumber(before.due),
        lateSecs: Math.round((now - before.due) / 1000),
        labels: s.preview(before, now).map(s.buttonLabel),
        after
      };
    });
  });
}
"""


def plans(seed: int, count: int, length: int) -> list[list[tuple[int, float, int]]]:
    rng = random.Random(seed)
    result = []
    for _ in range(count):
        plan = []
        for _ in range(length):
            grade = rng.choices((1, 2, 3, 4), weights=GRADE_WEIGHTS)[0]
            plan.append((grade, rng.choice(REVIEW_TIMING), rng.choice(LEARN_TIMING)))
        result.append(plan)
    return result


def page_terms(answer: dict[str, Any]) -> dict[str, Any]:
    """The page's state after an answer, in the terms tests/support/anki_scheduler.py reports."""
    after = answer["after"]
    wait = (after["due"] - answer["now"]) / 1000
    if after["queue"] == "learn":
        return {"queue": "learn", "step": after["step"], "secs": wait}
    if after["queue"] == "review":
        return {"queue": "review", "ivl": after["ivl"], "ease": after["ease"]}
    return {
        "queue": "relearn",
        "step": after["step"],
        "secs": wait,
        "ivl": after["ivl"],
        "ease": after["ease"],
    }


def ask_anki(situations: list[dict[str, Any]], spans: list[float]) -> dict[str, Any]:
    pytest.importorskip("anki")
    env = dict(os.environ, ANKI_TEST_MODE="1")  # Anki's own switch: no fuzz
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.anki_scheduler"],
        input=json.dumps({"situations": situations, "spans": spans}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    measured: dict[str, Any] = json.loads(done.stdout)
    return measured


def rounded(state: dict[str, Any]) -> dict[str, Any]:
    """Anki keeps the ease as a 32-bit float: 2.35 comes back as 2.3499999."""
    return {key: round(value, 3) if key == "ease" else value for key, value in state.items()}


def test_the_page_schedules_and_labels_like_anki(
    study: Callable[..., Study],  # noqa: F811
    page_file: Path,  # noqa: F811
) -> None:
    v = study(page_file)
    played = v.page.evaluate(PLAY_JS, [plans(32, 16, 9), ms(T0), DAY_MS])
    answers = [answer for sequence in played for answer in sequence]
    situations = [
        {
            "state": answer["before"],
            "grade": answer["grade"],
            "late_days": answer["lateDays"],
            "late_secs": answer["lateSecs"],
        }
        for answer in answers
    ]
    anki = ask_anki(situations, [])["answers"]
    assert len(anki) == len(answers) == 16 * 9
    for number, (answer, theirs) in enumerate(zip(answers, anki, strict=True)):
        where = (number // 9, number % 9, answer["before"], answer["grade"], answer["lateDays"])
        assert rounded(page_terms(answer)) == rounded(theirs["next"]), where
        assert answer["labels"] == theirs["labels"], where
    # The plans reach what the comparison is about: reviews answered early and late,
    # lapses, and labels in minutes, days and months.
    reviews = [a for a in answers if a["before"]["queue"] == "review"]
    assert sum(a["lateDays"] < 0 for a in reviews) >= 10
    assert sum(a["lateDays"] > 0 for a in reviews) >= 5
    assert any(a["before"]["queue"] == "relearn" for a in answers)
    labels = {label for a in answers for label in a["labels"]}
    assert {"<1m", "<6m", "<10m", "1d", "4d"} <= labels
    assert any(label.endswith("mo") for label in labels)


def test_waits_are_written_as_anki_writes_them(
    study: Callable[..., Study],  # noqa: F811
    page_file: Path,  # noqa: F811
) -> None:
    """Seconds, minutes and days whole, hours, months and years to a tenth, each unit
    from where Anki starts it; the same text the page shows under a card ("Next review
    in 1.6mo") and, after "<" for a learning wait, on a grade button."""
    v = study(page_file)
    day = 86400
    seconds: list[float] = [1, 30, 59, 60, 89, 90, 330, 599, 1199, 1200, 3599, 3600, 5400, 19800]
    seconds += [day - 1, day, 1.5 * day, 2.5 * day, 29.5 * day, 30 * day, 30.4 * day]
    seconds += [30.42 * day, 31 * day, 33 * day, 45.6 * day, 50 * day, 364 * day]
    seconds += [365 * day, 547 * day, 36500 * day]
    page = v.page.evaluate("secs => secs.map(x => cardpressScheduler.describe(x * 1000))", seconds)
    anki = ask_anki([], seconds)["spans"]
    assert page == anki
    assert anki[seconds.index(50 * day)] == "1.6mo"
    buttons = v.page.evaluate(
        "secs => secs.map(x => cardpressScheduler.buttonLabel(x * 1000))", [60, 600, 1200]
    )
    assert buttons == ["<1m", "<10m", "20m"]
