"""Support for the Anki tests: a real Anki collection driven the way a user drives it.

Holds no tests itself. Everything goes through the real Anki engine (the ``anki``
package, the backend of Anki desktop), headless, in a temporary folder.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from anki.collection import Collection  # first: anki's modules import each other in a cycle
from anki.dbproxy import DBProxy
from anki.decks import DeckId
from anki.import_export_pb2 import ImportAnkiPackageRequest
from anki.scheduler.v3 import Scheduler
from anki.scheduler_pb2 import CardAnswer

if TYPE_CHECKING:
    from anki.cards import Card as AnkiCard
    from anki.notes import Note as AnkiNote

LOG_KINDS = (
    "new",
    "updated",
    "duplicate",
    "conflicting",
    "first_field_match",
    "missing_notetype",
    "missing_deck",
    "empty_first_field",
)


def scheduler(col: Collection) -> Scheduler:
    """The collection's scheduler: the v3 one, as every collection of ours has."""
    assert isinstance(col.sched, Scheduler), "the collection has no v3 scheduler"
    return col.sched


def database(col: Collection) -> DBProxy:
    """The open collection's database."""
    assert col.db is not None, "the collection is closed"
    return col.db


@dataclass(frozen=True)
class Rendered:
    question: str
    answer: str
    css: str


class AnkiUser:
    """One user's collection: import packages with the desktop defaults, study, look."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.col = Collection(str(folder / "collection.anki2"))

    def close(self) -> None:
        self.col.close()

    def import_package(self, package: Path) -> dict[str, list[str]]:
        """Import like File > Import with Anki's default options.

        Returns Anki's import log: for each kind of outcome ("new", "updated",
        "duplicate" for unchanged, "conflicting", ...) the Id fields of those notes.
        """
        options = self.col._backend.get_import_anki_package_presets()
        response = self.col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(package), options=options)
        )
        self.col.models._clear_cache()
        return {
            kind: sorted(note.fields[-1] for note in getattr(response.log, kind))
            for kind in LOG_KINDS
        }

    def notes(self, search: str = "") -> list[AnkiNote]:
        return [self.col.get_note(nid) for nid in sorted(self.col.find_notes(search))]

    def cards(self, search: str = "") -> list[AnkiCard]:
        return [self.col.get_card(cid) for cid in sorted(self.col.find_cards(search))]

    def note(self, card_id: str) -> AnkiNote:
        """The one note whose Id field is ``card_id``."""
        found = [note for note in self.notes() if note["Id"] == card_id]
        assert len(found) == 1, f"{len(found)} notes with Id {card_id}"
        return found[0]

    def note_type_name(self, note: AnkiNote) -> str:
        note_type = note.note_type()
        assert note_type is not None
        name: str = note_type["name"]
        return name

    def deck_of(self, card: AnkiCard) -> str:
        return self.col.decks.name(card.did)

    def deck_description(self, deck_id: int) -> str:
        deck = self.col.decks.get(DeckId(deck_id), default=False)
        assert deck is not None, f"no deck {deck_id}"
        description: str = deck["desc"]
        return description

    def deck_names(self) -> set[str]:
        return {deck.name for deck in self.col.decks.all_names_and_ids()}

    def render(self, card: AnkiCard) -> Rendered:
        output = self.col._backend.render_existing_card(
            card_id=card.id, browser=False, partial_render=True
        )
        return Rendered(
            question="".join(node.text for node in output.question_nodes),
            answer="".join(node.text for node in output.answer_nodes),
            css=output.css,
        )

    def study_all(self) -> int:
        """Answer every new card "Good" through the scheduler; how many were answered."""
        answered = 0
        for card in self.cards("is:new"):
            card.start_timer()
            states = self.col._backend.get_scheduling_states(card.id)
            sched = scheduler(self.col)
            answer = sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD)
            sched.answer_card(answer)
            answered += 1
        return answered

    def review_count(self) -> int:
        count: int = database(self.col).scalar("SELECT count() FROM revlog")
        return count

    def scheduling(self) -> dict[tuple[str, int], tuple[int, ...]]:
        """Every card's scheduling state, keyed by (note Id field, template ordinal)."""
        return {
            (card.note()["Id"], card.ord): (
                card.type,
                card.queue,
                card.due,
                card.ivl,
                card.reps,
                card.lapses,
                card.factor,
            )
            for card in self.cards()
        }

    def media_names(self) -> set[str]:
        return {path.name for path in Path(self.col.media.dir()).iterdir()}


def after_this_second() -> None:
    """Let the wall clock pass the second of the user's last edit in Anki.

    Anki updates a note on import only when the package's copy is strictly newer, and
    both sides count whole seconds; a person never builds in the second they edited."""
    started = int(time.time())
    while int(time.time()) == started:
        time.sleep(0.02)
