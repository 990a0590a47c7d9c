"""The tool as users get it: the wheel, installed without extras into a fresh virtual
environment, run from a folder outside the repository on a deck big enough to take every
code path, every output read back.

``python -m tests.support.installed_tool`` runs it alone (``.ci/run`` and ``make test`` run it
through ``tests/test_installed_tool.py``). Dependencies come from the package index
through pip's cache, so only the first run downloads them.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pypdf

from cardpress.renderers import FORMATS
from cardpress.renderers.pdf.parts import PARTS_FROM_CARDS
from tests.support.interrupt_support import with_ctrl_c

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "setup.py", "README.md", "cardpress", "templates")
IMPORT_FIXTURES = ROOT / "tests" / "data" / "importers"
DECK = "big"
SECTIONS = 15
CARDS_PER_SECTION = 28  # 420 cards, over the cheat sheet's parts threshold
KINDS = ("code", "table", "image", "callout", "cloze", "reversed", "formula")
CLOZE_DELETIONS = 2
CARDS_PER_A4_SHEET = 4  # A7 cards, the default size, two by two on A4 within its margins
MISSING_ANKI = "cardpress {what} needs the anki extra: pip install 'cardpress[anki]'\n"
TIMEOUT = 1200


class CheckFailed(AssertionError):
    """What the installed tool did wrong, with the command's output."""


@dataclass
class Installed:
    """A fresh virtual environment holding the wheel, and where to run it."""

    venv: Path
    work: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def cardpress(self) -> Path:
        return self.venv / "bin" / "cardpress"

    def run(
        self, *args: str | Path, cwd: Path, status: int = 0, timeout: float = TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(self.cardpress), *map(str, args)],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != status or "Traceback" in done.stderr:
            raise CheckFailed(
                f"cardpress {' '.join(map(str, args))} (in {cwd}) exited {done.returncode}, "
                f"not {status}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
            )
        return done


def _call(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    if done.returncode != 0:
        raise CheckFailed(f"{args} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def check(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def build_wheel(work: Path) -> Path:
    """The wheel of a copy of the sources, so building leaves nothing in the repository."""
    source = work / "source"
    source.mkdir(parents=True)
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    log = _call(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work, source, cwd=work
    )
    check("Deprecat" not in log, log)
    (wheel,) = work.glob("cardpress-*.whl")
    return wheel


def install(work: Path) -> Installed:
    """Build the wheel and install it, without extras, into a new virtual environment."""
    wheel = build_wheel(work)
    venv = work / "venv"
    _call(sys.executable, "-m", "venv", venv, cwd=work)
    pip = {**_clean_env(), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    _call(venv / "bin" / "python", "-m", "pip", "install", "-q", wheel, cwd=work, env=pip)
    env = _clean_env()
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    env["XDG_CACHE_HOME"] = str(work / "cache")  # the build state, away from the user's
    installed = Installed(venv, work, env)
    no_anki = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import anki"], capture_output=True, env=env
    )
    check(no_anki.returncode != 0, "the plain install has the anki extra")
    where = _call(
        venv / "bin" / "python",
        "-c",
        "from cardpress.template_folders import packaged_folder; print(packaged_folder())",
        cwd=work,
        env=env,
    )
    check(Path(where.strip()).is_relative_to(venv), f"templates from {where}, not the venv")
    return installed


def _clean_env() -> dict[str, str]:
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    return {k: v for k, v in os.environ.items() if k not in drop}


# --- the generated deck ---------------------------------------------------------------


def _png() -> bytes:
    """A 2x2 RGB PNG, written here so that the deck needs no file from elsewhere."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    rows = b"".join(b"\0" + bytes([200, 40, 40, 40, 40, 200]) for _ in range(2))
    header = (2).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
    '<rect x="1" y="1" width="118" height="38" fill="#eef" stroke="#335"/>'
    '<text x="60" y="25" font-size="14" text-anchor="middle">step</text></svg>\n'
)


def _card(section: int, number: int) -> tuple[str, str, int]:
    """One card's Markdown, its id and how many printed cards it makes."""
    kind = KINDS[number % len(KINDS)]
    card_id = f"s{section:02d}-c{number:02d}"
    n = section * 100 + number
    if kind == "cloze":
        text = (
            f"### Step {n}\n<!-- id: {card_id}; kind: cloze -->\n\n"
            f"Stage {n} runs {{{{c1::the build}}}} before {{{{c2::the tests::what runs next}}}}.\n"
        )
        return text, card_id, CLOZE_DELETIONS
    if kind == "reversed":
        text = f"### Port of service {n}\n<!-- id: {card_id}; kind: reversed -->\n\n{n + 1000}\n"
        return text, card_id, 1
    head = f"### Question {n} about {kind}?\n<!-- id: {card_id} -->\n\n"
    body = {
        "code": (
            f"It prints {n}.\n\n```python\ndef value():\n    return {n}\n\nprint(value())\n```\n"
        ),
        "table": (
            f"Three rows.\n\n| name | value |\n| --- | --- |\n| a{n} | {n} |\n"
            f"| b{n} | {n + 1} |\n| c{n} | {n + 2} |\n"
        ),
        "image": f"The steps, drawn.\n\n![Steps of card {n}](images/steps.svg)\n\n"
        "![A pixel](images/pixel.png)\n",
        "callout": (
            f"Keep it short ({n}).\n\n> [!TIP]\n> One idea per card.\n\n"
            "> [!WARNING]\n> Long answers are hard to remember.\n"
        ),
        "formula": (
            f"The power rule: $\\frac{{d}}{{dx}} x^{{{n}}} = {n} x^{{{n - 1}}}$.\n\n"
            f"$$\\sum_{{k=1}}^{{{n}}} k = \\frac{{{n}({n}+1)}}{{2}}$$\n"
        ),
    }[kind]
    return head + body, card_id, 1


@dataclass
class GeneratedDeck:
    ids: list[str]
    printed: int  # printed cards: one per card, one per deletion of a cloze card


def write_deck(content: Path) -> GeneratedDeck:
    folder = content / DECK
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "steps.svg").write_text(SVG, encoding="utf-8")
    (folder / "images" / "pixel.png").write_bytes(_png())
    ids, printed = [], 0
    front = (
        "---\ntitle: Installed Check\nid: big\nmath: true\ncards: true\nquiz: true\n"
        "description: Every kind of card, enough of them for every code path.\n---\n\n"
    )
    for section in range(SECTIONS):
        lines = [f"## Section {section}\n<!-- id: section-{section:02d} -->\n"]
        for number in range(CARDS_PER_SECTION):
            text, card_id, count = _card(section, number)
            lines.append(text)
            ids.append(card_id)
            printed += count
        name = "index.md" if section == 0 else f"{section:02d}-section.md"
        body = (front if section == 0 else "") + "\n".join(lines)
        (folder / name).write_text(body, encoding="utf-8")
    return GeneratedDeck(ids, printed)


# --- the checks -------------------------------------------------------------------------


def check_package(path: Path, deck: GeneratedDeck) -> None:
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        collection = next((n for n in names if n.startswith("collection.anki2")), None)
        check(collection, f"{path}: no collection in {names}")
        assert collection is not None
        with tempfile.TemporaryDirectory() as folder:
            database = Path(folder) / "collection.sqlite"
            database.write_bytes(package.read(collection))
            connection = sqlite3.connect(database)
            try:
                notes = connection.execute("select count(*) from notes").fetchone()[0]
                cards = connection.execute("select count(*) from cards").fetchone()[0]
            finally:
                connection.close()
        media = json.loads(package.read("media"))
    check(notes == len(deck.ids), f"{path}: {notes} notes, not {len(deck.ids)}")
    check(cards >= len(deck.ids), f"{path}: {cards} cards for {len(deck.ids)} notes")
    shipped = sorted(name.rsplit("-", 1)[-1] for name in media.values())
    check(shipped == ["pixel.png", "steps.svg"], f"{path}: media {media}")


def pdf_pages(path: Path) -> pypdf.PdfReader:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    check(len(reader.pages) > 0, f"{path}: no pages")
    return reader


def check_cheat_sheet(path: Path, deck: GeneratedDeck, log: str) -> None:
    merged = re.search(rf"{DECK}: merged (\d+) parts into (\d+) pages", log)
    check(merged, f"the cheat sheet did not take the parts path:\n{log}")
    assert merged is not None
    reader = pdf_pages(path)
    check(len(reader.pages) == int(merged.group(2)), f"{path}: {len(reader.pages)} pages")
    found = {str(name).removeprefix("card-") for name in reader.named_destinations}
    missing = [card_id for card_id in deck.ids if card_id not in found]
    check(not missing, f"{path}: no place for cards {missing[:5]}")


def check_outputs(dist: Path, deck: GeneratedDeck, log: str) -> None:
    check_package(dist / f"{DECK}.apkg", deck)
    check_cheat_sheet(dist / f"{DECK}.pdf", deck, log)
    page = (dist / f"{DECK}.html").read_text(encoding="utf-8")
    missing = [card_id for card_id in deck.ids if f'id="card-{card_id}"' not in page]
    check(not missing, f"the page lacks cards {missing[:5]}")
    model = json.loads((dist / f"{DECK}.json").read_text(encoding="utf-8"))
    ids = [card["id"] for section in model["deck"]["sections"] for card in section["cards"]]
    check(ids == deck.ids, f"the JSON holds {len(ids)} cards, not {len(deck.ids)}")
    sheets = math.ceil(deck.printed / CARDS_PER_A4_SHEET)
    cards = pdf_pages(dist / f"{DECK}-cards.pdf")
    check(len(cards.pages) == 2 * sheets, f"cards: {len(cards.pages)} pages, not {2 * sheets}")
    quiz = pdf_pages(dist / f"{DECK}-quiz.pdf")
    text = " ".join(page.extract_text() for page in quiz.pages)
    counted = f"{len(deck.ids)} questions · {SECTIONS} sections"
    check(
        counted in text and f"{len(deck.ids)}. " in text, f"the quiz lacks questions: {text[:200]}"
    )


def check_imports(tool: Installed, notes: Path) -> None:
    fixtures = notes / "sources"
    shutil.copytree(IMPORT_FIXTURES, fixtures)
    imports: dict[str, list[str | Path]] = {
        "csv": [fixtures / "csv" / "cards.csv", "--license", "CC0-1.0"],
        "details": [fixtures / "details" / "repo" / "topics" / "containers"],
        "numbered": [fixtures / "numbered" / "repo" / "README.md"],
        "files": [fixtures / "files" / "repo" / "questions"],
    }
    for fmt, sources in imports.items():
        done = tool.run("import", fmt, *sources, "--to", f"content/from-{fmt}", cwd=notes)
        written = list((notes / "content" / f"from-{fmt}").glob("*.md"))
        check(written, f"import {fmt} wrote no deck:\n{done.stdout}")
    shapes = fixtures / "shapes" / "details"  # emoji shortcodes: a dependency of the wheel
    done = tool.run("import", "details", shapes, "--to", "content/from-shapes", cwd=notes)
    titles = (notes / "content" / "from-shapes" / "details.md").read_text(encoding="utf-8")
    check("## Levels › 💠 Junior" in titles, f"import details lost its emoji:\n{done.stdout}")
    shutil.rmtree(fixtures)
    tool.run("--check", cwd=notes)  # every imported deck reads back


def check_serve(tool: Installed, notes: Path) -> None:
    """``serve`` builds, answers on loopback, and stops on Ctrl-C without a traceback."""
    server = subprocess.Popen(
        [str(tool.cardpress), "serve", "--port", "0", "--only", "html", "--out", "served"],
        cwd=notes,
        env=tool.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=with_ctrl_c,  # stopped as in a terminal, even where Ctrl-C is ignored
    )
    try:
        assert server.stdout is not None
        address = None
        deadline = time.monotonic() + TIMEOUT
        while address is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            check(line or server.poll() is None, "serve ended before serving")
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            address = found.group(1) if found else None
        check(address, "serve never said where it serves")
        with urllib.request.urlopen(f"{address}{DECK}.html", timeout=60) as answer:
            check(answer.status == 200, f"serve answered {answer.status}")
            check(b"s00-c00" in answer.read(), "the served page is not the deck's")
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=120)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    check(server.returncode in (0, 130), f"serve stopped with {server.returncode}: {err}")
    check("Traceback" not in err, err)


def check_forget_removed(tool: Installed, notes: Path) -> None:
    """A removed card's note is carried (a tombstone) until forget-removed drops it."""
    index = notes / "content" / DECK / "01-section.md"
    text = index.read_text(encoding="utf-8")
    first = text.index("### ", text.index("### ") + 1)
    second = text.index("### ", first + 1)
    index.write_text(text[:first] + text[second:], encoding="utf-8")
    tool.run("--only", "anki", cwd=notes)
    forgotten = tool.run("forget-removed", cwd=notes).stdout
    check(f"{DECK}: 1 tombstone(s) forgotten" in forgotten, forgotten)


def check_extras(tool: Installed, notes: Path) -> None:
    for what, args in {
        "sync": ["sync", "--collection", "collection.anki2"],
        "import anki": ["import", "anki", "deck.apkg", "--to", "content/from-anki"],
    }.items():
        done = tool.run(*args, cwd=notes, status=2)
        check(done.stderr == MISSING_ANKI.format(what=what), done.stderr)
        check(not (notes / "content" / "from-anki").exists(), "import anki wrote a deck")


def run_checks(tool: Installed) -> dict[str, float]:
    """Every check, in order; the seconds each took."""
    times: dict[str, float] = {}
    work = tool.work
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    notes = work / "notes"

    def step(name: str, started: float) -> None:
        times[name] = time.perf_counter() - started
        print(f"installed tool: {name} ({times[name]:.1f} s)", flush=True)

    started = time.perf_counter()
    tool.run("init", notes, cwd=elsewhere)
    check(not list(elsewhere.iterdir()), "init wrote into the current folder")
    starter = (notes / "content" / "notes.md").read_text(encoding="utf-8")
    check(all(f"`{name}`" in starter for name in FORMATS), "the starter lacks a format")
    deck = write_deck(notes / "content")
    check(len(deck.ids) >= max(400, PARTS_FROM_CARDS), "the deck is too small")
    step("init", started)

    started = time.perf_counter()
    built = tool.run("--strict", cwd=notes)
    step("build every output", started)
    check("warning" not in built.stderr, built.stderr)
    check_outputs(notes / "dist", deck, built.stdout)
    again = tool.run(cwd=notes)
    check("nothing to do" in again.stdout, again.stdout)

    started = time.perf_counter()
    check_imports(tool, notes)
    preview = tool.run("preview", cwd=notes).stdout
    check(DECK in preview, preview)
    check_extras(tool, notes)
    step("import, preview, sync and import anki without the extra", started)

    started = time.perf_counter()
    check_serve(tool, notes)
    check_forget_removed(tool, notes)
    step("serve, forget-removed", started)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    keep = Path(args[1]) if args[:1] == ["--keep"] and len(args) > 1 else None
    work = keep or Path(tempfile.mkdtemp(prefix="cardpress-installed-"))
    try:
        started = time.perf_counter()
        tool = install(work)
        print(f"installed tool: wheel and venv ({time.perf_counter() - started:.1f} s)")
        run_checks(tool)
    except CheckFailed as failed:
        print(f"installed tool: FAILED\n{failed}", file=sys.stderr)
        return 1
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print("installed tool: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
