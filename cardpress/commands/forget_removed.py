"""``cardpress forget-removed``: stop carrying the tombstones of removed cards.

A removed card's note stays in each package, tagged ``cardpress::removed``, so that an
import tags it in Anki. Once the user has deleted those notes in Anki, the tombstones
would add them back at the next import; this drops them from the lock files (the ids
stay taken). Only the lock files are written, and only their tombstones change.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cardpress.commands.options import add_content_arguments

    add_content_arguments(parser, templates=False)


def run(args: argparse.Namespace) -> int:
    from cardpress.commands.failures import reported

    return reported(lambda: _forget(args), "no lock file changed")


def _forget(args: argparse.Namespace) -> int:
    from cardpress.build.pipeline import source_date_epoch
    from cardpress.lock import Lock
    from cardpress.parse import read_content

    now = source_date_epoch()
    state = read_content(args.content, now=now)
    for deck in state.decks:
        # The lock as the last build wrote it: not the ids this read assigned.
        lock = Lock.read(state.locks[deck.key].path, deck.key, now or 0)
        forgotten = lock.forget_tombstones()
        if forgotten:
            lock.save()
            print(
                f"{deck.key}: {len(forgotten)} tombstone(s) forgotten: "
                f"{', '.join(forgotten)}; the next packages no longer carry them"
            )
        else:
            print(f"{deck.key}: no tombstones")
    return 0
