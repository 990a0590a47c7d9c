"""What Anki's own scheduler answers for card states, to compare the page's scheduler with.

    ANKI_TEST_MODE=1 python -m tests.support.anki_scheduler < situations.json

Reads a JSON object: "situations", a list of a card's state as the page keeps it (queue, step, ivl,
ease, lapses, reps), how many days late it is (negative: early) or, for a learning card,
how many seconds, and a grade. Writes, for each, the state Anki's backend would give
the card for that grade and the four labels Anki puts on its answer buttons; "spans", a
list of waits in seconds, for each the text Anki writes for it on a button. Everything
is measured on one real collection with Anki's default preset. A child process, because
``ANKI_TEST_MODE`` (Anki's switch that turns fuzz off) is read once per process.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from anki.collection import Collection  # first: anki's modules import each other in a cycle
from anki.i18n_pb2 import FormatTimespanRequest
from anki.scheduler.v3 import Scheduler

GRADES = ("again", "hard", "good", "easy")
TYPES = {"learn": 1, "review": 2, "relearn": 3}
LEARN_STEPS = 2  # the default preset: 1m 10m
RELEARN_STEPS = 1  # 10m


def set_state(col: Collection, card: Any, situation: dict[str, Any]) -> None:
    """Give the card the page's state, its due date placed as far from today as on the page."""
    state = situation["state"]
    if state["queue"] == "new":
        card.type = card.queue = card.ivl = card.factor = card.left = card.lapses = card.reps = 0
        card.due = 1
        col.update_card(card)
        return
    card.type = TYPES[state["queue"]]
    card.ivl = int(state["ivl"])
    card.factor = round(state["ease"] * 1000)
    card.lapses = int(state["lapses"])
    card.reps = int(state["reps"])
    if state["queue"] == "review":
        card.queue = 2
        card.due = col.sched.today - int(situation["late_days"])
        card.left = 0
    else:
        card.queue = 1
        card.due = int(time.time()) - int(situation["late_secs"])
        steps = LEARN_STEPS if state["queue"] == "learn" else RELEARN_STEPS
        card.left = steps - int(state["step"])
    col.update_card(card)


def describe_state(state: Any) -> dict[str, Any]:
    """A scheduling state in the page's terms."""
    normal = state.normal
    kind = normal.WhichOneof("kind")
    if kind == "learning":
        learning = normal.learning
        return {
            "queue": "learn",
            "step": LEARN_STEPS - learning.remaining_steps,
            "secs": learning.scheduled_secs,
        }
    if kind == "review":
        review = normal.review
        return {"queue": "review", "ivl": review.scheduled_days, "ease": review.ease_factor}
    if kind == "relearning":
        relearning = normal.relearning
        return {
            "queue": "relearn",
            "step": RELEARN_STEPS - relearning.learning.remaining_steps,
            "secs": relearning.learning.scheduled_secs,
            "ivl": relearning.review.scheduled_days,
            "ease": relearning.review.ease_factor,
        }
    raise ValueError(f"unexpected scheduling state {kind}")


def measure(situations: list[dict[str, Any]], waits: list[float], folder: Path) -> dict[str, Any]:
    col = Collection(str(folder / "collection.anki2"))
    try:
        basic, default = col.models.by_name("Basic"), col.decks.id("Default")
        assert basic is not None and default is not None
        note = col.new_note(basic)
        note["Front"], note["Back"] = "question", "answer"
        col.add_note(note, default)
        card_id = note.card_ids()[0]
        results = []
        for situation in situations:
            card = col.get_card(card_id)
            set_state(col, card, situation)
            states = col._backend.get_scheduling_states(card_id)
            assert isinstance(col.sched, Scheduler)
            labels = col.sched.describe_next_states(states)
            chosen = getattr(states, GRADES[situation["grade"] - 1])
            results.append(
                {
                    "next": describe_state(chosen),
                    "labels": [isolated(label) for label in labels],
                }
            )
        return {"answers": results, "spans": spans(col, waits)}
    finally:
        col.close()


def spans(col: Collection, seconds: list[float]) -> list[str]:
    context = FormatTimespanRequest.ANSWER_BUTTONS
    return [isolated(col.format_timespan(value, context)) for value in seconds]


def isolated(text: str) -> str:
    """Anki wraps numbers in Unicode isolates, for right-to-left languages."""
    return text.replace("\u2068", "").replace("\u2069", "")


def main() -> None:
    request = json.load(sys.stdin)
    with tempfile.TemporaryDirectory() as folder:
        json.dump(measure(request["situations"], request["spans"], Path(folder)), sys.stdout)


if __name__ == "__main__":
    main()
