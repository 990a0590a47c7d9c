"""Support for the tests of ``cardpress sync`` on a user's collection: a collection holding
notes of the user's own, syncs run as processes that are really killed at a named step, a
small file system that really fills or turns read-only, and a comparison of two
collections by what a user sees in them.

Holds no tests itself.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.conftest import ROOT
from tests.support.anki_support import AnkiUser, scheduler
from tests.support.fs_support import _drop_permission_overrides

USER_NOTES = 40
"""Notes of the user's own, of Anki's stock Basic note type, in a deck of the user's."""

STOPPING_SYNC = """
import os, signal, sys
import cardpress.commands.sync as sync

def stop_here(step):
    if step == os.environ["CARDPRESS_TEST_STOP_AT"]:
        os.kill(os.getpid(), signal.SIGKILL)

sync.checkpoint = stop_here
from cardpress.cli import main
sys.exit(main())
"""
"""``python -c STOPPING_SYNC sync ...``: a sync killed (SIGKILL) when it reaches the step
named by ``CARDPRESS_TEST_STOP_AT`` (see ``cardpress.commands.sync.checkpoint``)."""

STEPS = ("planned", "backed-up", "built", "kept-own-tags", "imported", "applied", "recorded")


def add_user_notes(collection: Path, count: int = USER_NOTES) -> None:
    """The user's own notes: a deck of theirs, tagged, half of them studied."""
    user = AnkiUser(collection.parent)
    try:
        col = user.col
        basic = col.models.by_name("Basic")
        deck = col.decks.id("My own::Verbs")
        assert basic is not None and deck is not None
        for n in range(count):
            note = col.new_note(basic)
            note["Front"] = f"My question {n}"
            note["Back"] = f"My answer {n}"
            note.tags = ["mine", *(["marked"] if n % 3 == 0 else [])]
            col.add_note(note, deck)
        studied = sorted(col.find_cards('"deck:My own::Verbs"'))[: count // 2]
        for cid in studied:
            card = col.get_card(cid)
            card.start_timer()
            states = col._backend.get_scheduling_states(card.id)
            from anki.scheduler_pb2 import CardAnswer

            sched = scheduler(col)
            answer = sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD)
            sched.answer_card(answer)
    finally:
        user.close()


def user_notes(collection: Path) -> list[tuple[Any, ...]]:
    """The user's own notes and cards as they are stored, read with plain SQLite."""
    db = sqlite3.connect(f"file:{collection}?mode=ro", uri=True)
    try:
        return db.execute(
            "select n.id, n.guid, n.mod, n.tags, n.flds, c.id, c.did, c.queue, c.mod, c.reps "
            "from notes n join cards c on c.nid = n.id "
            "where n.flds like 'My question%' order by c.id"
        ).fetchall()
    finally:
        db.close()


def seen_by_user(collection: Path) -> dict[str, Any]:
    """What a user sees in a collection, without the times a sync stamps: every note's
    GUID, note type, fields and tags; every card's note, template, deck, queue and
    schedule; the decks; the review log."""
    db = sqlite3.connect(f"file:{collection}?mode=ro", uri=True)
    try:
        decks = dict(db.execute("select id, name from decks"))
        notes = sorted(
            (guid, mid, flds, tuple(sorted(tags.split(), key=str.casefold)))
            for guid, mid, flds, tags in db.execute("select guid, mid, flds, tags from notes")
        )
        cards = sorted(
            (guid, ord_, decks.get(odid or did), queue, type_, ivl, reps, lapses, factor)
            for guid, ord_, did, odid, queue, type_, ivl, reps, lapses, factor in db.execute(
                "select n.guid, c.ord, c.did, c.odid, c.queue, c.type, c.ivl, c.reps, c.lapses, "
                "c.factor from cards c join notes n on n.id = c.nid"
            )
        )
        revlog = sorted(db.execute("select cid, ease, ivl, type from revlog"))
        return {
            "notes": notes,
            "cards": cards,
            "decks": sorted(decks.values()),
            "revlog": revlog,
        }
    finally:
        db.close()


def sync_process(
    *args: str | Path,
    stop_at: str | None = None,
    permissions_bind: bool = False,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """``cardpress sync ARGS`` as its own process; killed at ``stop_at`` when given; bound
    by file permissions even as root when ``permissions_bind``; ``env`` added to ours."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    env.pop("SOURCE_DATE_EPOCH", None)
    if stop_at is None:
        command = [sys.executable, "-m", "cardpress", "sync", *map(str, args)]
    else:
        env["CARDPRESS_TEST_STOP_AT"] = stop_at
        command = [sys.executable, "-c", STOPPING_SYNC, "sync", *map(str, args)]
    return subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_drop_permission_overrides if permissions_bind else None,
    )


@contextlib.contextmanager
def small_disk(mount_point: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``mount_point`` for the block (needs root and a
    kernel that lets the tests mount; the caller skips when it cannot)."""
    mount_point.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise PermissionError(f"cannot mount a small file system: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def remount(mount_point: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(mount_point)], check=True)


def fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last byte; returns the filler file."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for size in (1 << 20, 1 << 16, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)
    return filler


def can_mount(folder: Path) -> str:
    """ "" when the tests can mount a small file system here, else why not."""
    try:
        with small_disk(folder / "probe", "1m"):
            return ""
    except (PermissionError, FileNotFoundError) as exc:
        return str(exc)
