"""Reading a lock file from its bytes: a ``Lock``, or ``LockDamaged`` saying where it is wrong.

A lock file is committed with the content, so it may have been edited by hand or by a
merge: anything cardpress could not have written is refused with its line (and column,
when JSON itself failed) before the build writes anything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from cardpress.content.files import shown
from cardpress.lock import Lock
from cardpress.model import CardKind

MAX_STAMP = 10**11  # lock file times are seconds since 1970
_LOCK_ID_RE = re.compile(r"^[\w.-]{1,200}$")  # ids the lock may hold, explicit or made


class LockDamaged(Exception):
    """A lock file cardpress could not have written; ``line`` and ``col`` say where."""

    def __init__(self, problem: str, line: int = 1, col: int | None = None):
        super().__init__(f"lock file is damaged ({problem}); restore it from version control")
        self.problem = problem
        self.line = line
        self.col = col


def read_lock_bytes(
    path: Path,
    deck: str,
    now: int,
    raw: bytes | None,
    read_part: Callable[[Path], bytes | None] | None = None,
) -> Lock:
    """The lock of ``deck`` from the bytes of its file (None: there is none yet), its
    parts read by ``read_part``."""
    try:
        lock = Lock.from_bytes(path, deck, now, raw, read_part)
    except json.JSONDecodeError as exc:
        raise LockDamaged(f"not JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except ValueError as exc:  # the wrong version, or a time that is not a number
        raise LockDamaged(shown(exc, 100)) from None
    except KeyError as exc:
        raise LockDamaged(f"an entry has no {shown(exc.args[0])!r}") from None
    except (TypeError, AttributeError):  # a list where a mapping belongs, say
        raise LockDamaged("an entry has the wrong type") from None
    except OverflowError:
        raise LockDamaged("a number is too large") from None
    except RecursionError:
        raise LockDamaged("nested too deeply") from None
    _check(lock)
    return lock


def _check(lock: Lock) -> None:
    """Refuse what in a readable lock file could not have been written by cardpress."""
    kinds = {kind.value for kind in CardKind}
    for card_id, entry in lock.cards.items():
        for named in (card_id, entry.note, entry.renamed_to, entry.section):
            if named is not None and not _LOCK_ID_RE.match(named):
                raise LockDamaged(f"card id '{shown(named)}' is not valid", _line(lock, card_id))
        for kind in [*entry.kinds, *([entry.kind] if entry.kind is not None else [])]:
            if kind not in kinds:
                raise LockDamaged(
                    f"card '{card_id}' has the unknown kind '{shown(kind)}'", _line(lock, card_id)
                )
    times = [t for _, t in lock.stamps.values()] + ([lock.content[1]] if lock.content else [])
    if any(not 0 <= t < MAX_STAMP for t in times):
        raise LockDamaged("a time is out of range")


def _line(lock: Lock, card_id: str) -> int:
    """The line of the lock file where the entry of ``card_id`` starts (else 1)."""
    text = lock.original_text()
    at = text.find(json.dumps(card_id, ensure_ascii=False) + ":")
    if at < 0:
        at = text.find(json.dumps(card_id) + ":")
    return text.count("\n", 0, at) + 1 if at >= 0 else 1
