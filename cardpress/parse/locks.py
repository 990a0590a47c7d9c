"""A deck's lock file, read and checked like any other input of the content folder."""

from __future__ import annotations

import json
import re
from pathlib import Path

from cardpress.content_files import MAX_LOCK_BYTES, Unreadable, display_path, shown
from cardpress.errors import Reporter
from cardpress.lock import Lock
from cardpress.model import CardKind, SourceLocation
from cardpress.scan import ContentScan

MAX_STAMP = 10**11  # lock file times are seconds since 1970
_LOCK_ID_RE = re.compile(r"^[\w.-]{1,200}$")  # ids the lock may hold, explicit or made


def read_lock(scan: ContentScan, path: Path, deck: str, now: int, report: Reporter) -> Lock | None:
    """The deck's lock file, checked like any other input; None (reported) if unusable."""
    rel = display_path(path.relative_to(scan.root).as_posix())
    raw = None
    if path.is_symlink() or path.exists():
        try:
            raw = scan.read(path, MAX_LOCK_BYTES, "lock file").data
        except Unreadable as refused:
            report.error(SourceLocation(rel, 0), str(refused))
            return None
    where = SourceLocation(rel, 1)
    try:
        lock = Lock.from_bytes(path, deck, now, raw)
        problem, line = _lock_problem(lock)
        where = SourceLocation(rel, line)
    except json.JSONDecodeError as exc:
        where = SourceLocation(rel, exc.lineno, exc.colno)
        problem = f"not JSON: {exc.msg}"
    except ValueError as exc:  # the wrong version, or a time that is not a number
        problem = shown(exc, 100)
    except KeyError as exc:
        problem = f"an entry has no {shown(exc.args[0])!r}"
    except (TypeError, AttributeError):  # a list where a mapping belongs, say
        problem = "an entry has the wrong type"
    except OverflowError:
        problem = "a number is too large"
    except RecursionError:
        problem = "nested too deeply"
    if problem:
        report.error(where, f"lock file is damaged ({problem}); restore it from version control")
        return None
    return lock


def _lock_problem(lock: Lock) -> tuple[str, int]:
    """What in a readable lock file could not have been written by cardpress, or '',
    and the line of the entry it is in."""
    kinds = {kind.value for kind in CardKind}
    for card_id, entry in lock.cards.items():
        for named in (card_id, entry.note, entry.renamed_to):
            if named is not None and not _LOCK_ID_RE.match(named):
                return f"card id '{shown(named)}' is not valid", _lock_line(lock, card_id)
        for kind in entry.kinds:
            if kind not in kinds:
                return (
                    f"card '{card_id}' has the unknown kind '{shown(kind)}'",
                    _lock_line(lock, card_id),
                )
        if entry.kind is not None and entry.kind not in kinds:
            return (
                f"card '{card_id}' has the unknown kind '{shown(entry.kind)}'",
                _lock_line(lock, card_id),
            )
    times = [t for _, t in lock.stamps.values()] + ([lock.content[1]] if lock.content else [])
    if any(not 0 <= t < MAX_STAMP for t in times):
        return "a time is out of range", 1
    return "", 1


def _lock_line(lock: Lock, card_id: str) -> int:
    """The line of the lock file where the entry of ``card_id`` starts (else 1)."""
    text = lock.original_text()
    at = text.find(json.dumps(card_id, ensure_ascii=False) + ":")
    if at < 0:
        at = text.find(json.dumps(card_id) + ":")
    return text.count("\n", 0, at) + 1 if at >= 0 else 1
