"""A corpus of broken content, each case run through the CLI against its expected report.

Every folder under tests/data/broken/ is one case: ``content/`` is the content folder (files
next to it play the part of the world outside) and ``expected.txt`` holds the exact
diagnostic lines the CLI prints when run in the case's folder, as a user runs it next to
``content/`` (paths are relative to the current folder). Cases
whose input cannot live in Git or trips up tools that read the repository (a 2 MB file, a
pipe, a name with an escape character, Markdown that is not UTF-8) are made by the
functions in GENERATED. With errors the exit status is 1 and nothing is
written: the outputs of an earlier build stay as they were, and no lock file appears; a
case with only warnings builds (status 0) and fails with ``--strict``.

Set CARDPRESS_UPDATE_BROKEN=1 to rewrite expected.txt after an intended change, and
review the diff.
"""

from __future__ import annotations

import os
import shutil
import signal
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from cardpress.content.sources import MAX_MARKDOWN_FILES
from cardpress.errors import ContentError
from cardpress.parse import MAX_CARDS_PER_DECK, MAX_DECK_BYTES, MAX_FILE_BYTES, read_content
from tests.conftest import snapshot
from tests.support.files_support import png
from tests.support.paths import DATA

BROKEN = DATA / "broken"
FRONT = "---\ntitle: Broken\nid: broken\n---\n"


def _latin_1(content: Path) -> None:
    text = FRONT + "## Section\n\n### Café?\n\nAu lait.\n"
    (content / "d.md").write_bytes(text.encode("latin-1"))


def _utf_16(content: Path) -> None:
    text = FRONT + "## Section\n\n### Question?\n\nAnswer.\n"
    (content / "d.md").write_bytes(text.encode("utf-16"))


def _binary(content: Path) -> None:
    (content / "d.md").write_bytes(png(2, 2, (0, 0, 0)))


def _too_large(content: Path) -> None:
    words = "word " * (MAX_FILE_BYTES // 5 + 10)
    (content / "d.md").write_text(FRONT + "## Section\n\n### Question?\n\n" + words + "\n")


def _too_many_cards(content: Path) -> None:
    cards = "".join(f"### Question {i}?\n\nAnswer.\n\n" for i in range(MAX_CARDS_PER_DECK + 1))
    (content / "deck").mkdir()
    (content / "deck" / "index.md").write_text(FRONT + "## Section\n\n")
    half = cards.index(f"### Question {MAX_CARDS_PER_DECK // 2}?")
    (content / "deck" / "10-first.md").write_text("## First\n\n" + cards[:half])
    (content / "deck" / "20-second.md").write_text("## Second\n\n" + cards[half:])


def _deck_too_large(content: Path) -> None:
    (content / "deck").mkdir()
    (content / "deck" / "index.md").write_text(FRONT + "## Section\n\n### Question?\n\nA.\n")
    words = "word " * (MAX_FILE_BYTES // 5 - 20)
    for number in range(MAX_DECK_BYTES // MAX_FILE_BYTES + 1):
        (content / "deck" / f"{number:02}.md").write_text(f"## S{number}\n\n{words}\n")


def _control_character_name(content: Path) -> None:
    (content / "esc\x1b[31mape.md").write_text(FRONT + "## Section\n\n### Question?\n")


def _named_pipe(content: Path) -> None:
    (content / "deck").mkdir()
    (content / "deck" / "index.md").write_text(FRONT + "## Section\n\n### Question?\n\nA.\n")
    os.mkfifo(content / "deck" / "pipe.md")


def _top_level_pipe(content: Path) -> None:
    (content / "ok.md").write_text(FRONT + "## Section\n\n### Question?\n\nA.\n")
    os.mkfifo(content / "piped.md")


def _link_loops(content: Path) -> None:
    (content / "loop.md").symlink_to("loop.md")
    (content / "d").symlink_to("d")
    (content / "one.md").symlink_to("two.md")
    (content / "two.md").symlink_to("one.md")
    (content / "gone.md").symlink_to("missing.md")


def _too_many_files(content: Path) -> None:
    (content / "deck").mkdir()
    (content / "deck" / "index.md").write_text(FRONT + "## Section\n\n### Question?\n\nA.\n")
    for number in range(MAX_MARKDOWN_FILES):
        (content / "deck" / f"{number:05}.md").write_text("")


def fan_out_svg(levels: int, width: int = 10) -> str:
    """A small SVG whose ``<use>`` elements multiply: ``width ** levels`` shapes drawn."""
    groups = ['<g id="l0"><rect width="1" height="1"/></g>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use href="#l{level - 1}" x="{i}"/>' for i in range(width))
        groups.append(f'<g id="l{level}">{uses}</g>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs>'
        + "".join(groups)
        + f'</defs><use href="#l{levels}"/></svg>'
    )


def _unbounded_images(content: Path) -> None:
    images = content / "img"
    images.mkdir()
    bomb = bytearray(png(1, 1, (0, 0, 0)))
    bomb[16:24] = struct.pack(">II", 30_000, 30_000)  # the header claims 900 megapixels
    (images / "bomb.png").write_bytes(bytes(bomb))
    svg = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    (images / "self.svg").write_text(svg + '<g id="me"><use xlink:href="#me"/></g></svg>')
    (images / "fan-out.svg").write_text(fan_out_svg(5))
    (images / "entity.svg").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY word "lol">]>\n'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&word;</text></svg>'
    )
    (images / "broken.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')
    cards = "".join(
        f"### Image {name}?\n\nSee ![{name}]({target}).\n\n"
        for name, target in [
            ("bomb", "img/bomb.png"),
            ("self", "img/self.svg"),
            ("fan-out", "img/fan-out.svg"),
            ("entity", "img/entity.svg"),
            ("broken", "img/broken.svg"),
            ("share", "\\\\server\\share\\x.png"),
        ]
    )
    (content / "d.md").write_text(FRONT + "## Section\n\n" + cards)


GENERATED: dict[str, Callable[[Path], None]] = {
    "image-unbounded": _unbounded_images,
    "content-named-pipe": _top_level_pipe,
    "content-link-loops": _link_loops,
    "content-too-many-files": _too_many_files,
    "encoding-latin-1": _latin_1,
    "encoding-utf-16-bom": _utf_16,
    "binary-file": _binary,
    "file-too-large": _too_large,
    "deck-too-many-cards": _too_many_cards,
    "deck-too-large": _deck_too_large,
    "file-name-control-characters": _control_character_name,
    "file-named-pipe": _named_pipe,
}
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


def prepare(case: str, tmp_path: Path) -> Path:
    root = tmp_path / "case"
    shutil.copytree(BROKEN / case, root, symlinks=True)
    content = root / "content"
    content.mkdir(exist_ok=True)
    if case in GENERATED:
        GENERATED[case](content)
    return content


def diagnostics(err: str, content: Path) -> list[str]:
    """The diagnostic lines of the CLI's stderr, without the summary line."""
    text = err.replace(str(content), "{content}")
    return [line for line in text.splitlines() if not line.startswith("cardpress: ")]


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    for case in CASES:
        assert (BROKEN / case / "expected.txt").is_file(), case
        assert (BROKEN / case / "content").is_dir() or case in GENERATED, case


@pytest.mark.parametrize("case", CASES)
def test_broken_content_is_reported_exactly(
    case: str,
    tmp_path: Path,
    run_cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    content = prepare(case, tmp_path)
    monkeypatch.chdir(content.parent)
    out = tmp_path / "dist"  # the outputs of an earlier build, which errors must not touch
    out.mkdir()
    (out / "broken.json").write_text("previous build\n")
    (out / "other.apkg").write_bytes(b"old deck")
    before = snapshot(out)
    locks = sorted(content.rglob("*.lock"))
    result = run_cli("--content", content, "--out", out, "--only", "json")
    found = diagnostics(result.err, content)
    expected_path = BROKEN / case / "expected.txt"
    if os.environ.get("CARDPRESS_UPDATE_BROKEN"):
        expected_path.write_text("".join(line + "\n" for line in found), encoding="utf-8")
    expected = expected_path.read_text(encoding="utf-8").splitlines()
    assert found == expected
    assert "Traceback" not in result.err
    errors = sum(": error: " in line for line in expected)
    if errors:
        assert result.status == 1
        warnings = len(expected) - errors
        assert result.err.splitlines()[-1] == (
            f"cardpress: {errors} error(s), {warnings} warning(s); nothing written"
        )
        assert snapshot(out) == before
        assert sorted(content.rglob("*.lock")) == locks
        return
    assert result.status == 0, result.err
    assert (out / "broken.json").read_text() != "previous build\n"
    if expected:
        strict = run_cli("--content", content, "--out", tmp_path / "strict", "--strict")
        assert strict.status == 1
        assert diagnostics(strict.err, content) == [
            line.replace(": warning: ", ": error: ") for line in expected
        ]
        assert not (tmp_path / "strict").exists()


def test_the_parser_never_opens_a_named_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parser on its own reports a pipe too (opening one would wait for ever)."""
    content = prepare("file-named-pipe", tmp_path)
    monkeypatch.chdir(content.parent)
    signal.alarm(60)
    try:
        with pytest.raises(ContentError) as raised:
            read_content(content)
    finally:
        signal.alarm(0)
    expected = (BROKEN / "file-named-pipe" / "expected.txt").read_text().splitlines()
    assert [d.shown(content) for d in raised.value.diagnostics] == expected
