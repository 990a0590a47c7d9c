"""``cardpress init [DIR]``: start a notes folder with a small deck that shows the format.

The starter files ship in ``cardpress/starter/``; ``init`` copies them, naming the deck
after the folder, and never replaces a file that is already there.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from cardpress.renderers import FORMATS

STARTER = Path(__file__).resolve().parent.parent / "starter"
DECK_FILE = "content/{id}.md"
IMAGE_FILE = "content/images/build-steps.svg"
GITIGNORE_LINES = ("dist/",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dir",
        nargs="?",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="folder to start in (default: the current folder); created when missing",
    )


def deck_id(folder: Path) -> str:
    """The deck's id from the folder's name: ``My Notes`` gives ``my-notes``."""
    words = re.findall(r"[a-z0-9]+", folder.resolve().name.lower())
    return "-".join(words)[:64].strip("-") or "notes"


def run(args: argparse.Namespace) -> int:
    folder: Path = args.dir
    key = deck_id(folder)
    title = " ".join(w.capitalize() for w in key.split("-"))
    deck = (STARTER / "deck.md").read_text(encoding="utf-8")
    for name, value in {"title": title, "id": key, **_format_lists()}.items():
        deck = deck.replace("{" + name + "}", value)
    files = {
        DECK_FILE.format(id=key): deck,
        IMAGE_FILE: (STARTER / "build-steps.svg").read_text(encoding="utf-8"),
    }
    taken = [name for name in [*files, "content"] if (folder / name).exists()]
    if folder.exists() and not folder.is_dir():
        taken = [""]
    if taken:
        where = folder / taken[0]
        print(
            f"cardpress: error: {where} already exists; init writes only into a folder "
            "without content/ (run it in an empty folder, or give another DIR)",
            file=sys.stderr,
        )
        return 1
    try:
        for name, text in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as file:  # never replaces a file
                file.write(text)
        ignore = _ignore_outputs(folder / ".gitignore")
    except OSError as error:
        print(f"cardpress: error: {error.filename or folder}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"Started a deck in {'the current folder' if str(folder) == '.' else folder}:")
    for name in files:
        print(f"  {folder / name}")
    if ignore:
        print(f"  {folder / '.gitignore'} ({ignore})")
    print("Next:")
    if folder.resolve() != Path.cwd().resolve():
        print(f"  cd {_quoted(folder)}")
    print("  cardpress --check     # check the content")
    suffixes = [row.suffix for row in FORMATS.values() if row.by_default]
    print(f"  cardpress             # build dist/{key}{_listed(suffixes, '')}")
    print("  cardpress serve       # rebuild on every save; the page at 127.0.0.1 reloads")
    return 0


def _listed(names: list[str], quote: str = "`") -> str:
    """``a``, ``b`` and ``c``: a list as the starter deck's prose writes it."""
    quoted = [f"{quote}{name}{quote}" for name in names]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1] if len(quoted) > 1 else "".join(quoted)


def _format_lists() -> dict[str, str]:
    """The starter deck's lists of outputs, from the formats table (so they stay true)."""
    by_default = [name for name, row in FORMATS.items() if row.by_default]
    asked = [name for name, row in FORMATS.items() if not row.by_default]
    return {
        "formats": _listed(list(FORMATS)),
        "default_formats": _listed(by_default),
        "asked_formats": _listed(asked),
        "asked_settings": ", ".join(f"`{name}: true`" for name in asked),
    }


def _ignore_outputs(path: Path) -> str:
    """Add ``dist/`` to the folder's .gitignore: a new file, or one line more in an
    existing one (nothing in it is replaced). Returns what was done, or ''."""
    if not path.exists():
        with path.open("x", encoding="utf-8") as file:
            file.write("".join(line + "\n" for line in GITIGNORE_LINES))
        return "ignores dist/"
    text = path.read_text(encoding="utf-8", errors="replace")
    missing = [line for line in GITIGNORE_LINES if line not in text.splitlines()]
    if not missing:
        return ""
    with path.open("a", encoding="utf-8") as file:
        file.write(("" if not text or text.endswith("\n") else "\n") + "\n".join(missing) + "\n")
    return "added dist/"


def _quoted(folder: Path) -> str:
    text = str(folder)
    return text if re.fullmatch(r"[\w./-]+", text) else "'" + text.replace("'", "'\\''") + "'"
