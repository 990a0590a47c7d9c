"""A build reads each content file once, and renders exactly the bytes it checked."""

from __future__ import annotations

import base64
import builtins
import io
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import cardpress.parse.loader
from cardpress.parse.loader import ContentState
from tests.conftest import format_example

PNG_RED = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
PNG_BLUE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPj/HwADBwIAMCbHYQAAAABJRU5ErkJggg=="
)
DECK = """---
title: Pictures
id: pictures
---

## Colours

### Which colour is this?

![a square](square.png)
"""


def count_opens(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each file of ``folder`` is opened from now on, by relative path."""
    opened: Counter[str] = Counter()
    real_open = builtins.open
    root = folder.resolve()

    def counting_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, Path)) and Path(file).resolve().is_relative_to(root):
            opened[Path(file).resolve().relative_to(root).as_posix()] += 1
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(io, "open", counting_open)
    return opened


@pytest.fixture
def picture_content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    (content / "pictures.md").write_text(DECK, encoding="utf-8")
    (content / "square.png").write_bytes(PNG_RED)
    (content / "networking.md").write_text(format_example(), encoding="utf-8")
    return content


def test_each_content_file_is_opened_once_per_build(
    run_cli, picture_content, tmp_path, monkeypatch
):
    out = tmp_path / "dist"
    assert run_cli("--content", picture_content, "--out", out, "--only", "json").status == 0
    (picture_content / "pictures.md").write_text(DECK + "\nEdited.\n", encoding="utf-8")
    opened = count_opens(picture_content, monkeypatch)
    result = run_cli("--content", picture_content, "--out", out, "--only", "json,html")
    assert result.status == 0, result.err
    inputs = ["networking.md", "networking.lock", "pictures.md", "pictures.lock", "square.png"]
    assert {path: opened[path] for path in inputs} == dict.fromkeys(inputs, 1)


def test_an_image_swapped_after_it_was_checked_is_never_read(
    run_cli, picture_content, tmp_path, monkeypatch
):
    """Replacing a checked image by a link to a file outside the content folder, between
    parsing and rendering, changes nothing: the outputs hold the bytes that were checked."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG_BLUE)
    parse = cardpress.parse.loader.read_content

    def parse_then_swap(*args: Any, **kwargs: Any) -> ContentState:
        state = parse(*args, **kwargs)
        image = picture_content / "square.png"
        image.unlink()
        image.symlink_to(secret)
        return state

    monkeypatch.setattr(cardpress.parse.loader, "read_content", parse_then_swap)
    out = tmp_path / "dist"
    result = run_cli("--content", picture_content, "--out", out, "--only", "anki,html,pdf")
    assert result.status == 0, result.err

    page = (out / "pictures.html").read_text(encoding="utf-8")
    assert base64.b64encode(PNG_RED).decode() in page
    assert base64.b64encode(PNG_BLUE).decode() not in page
    with zipfile.ZipFile(out / "pictures.apkg") as package:
        contents = [package.read(name) for name in package.namelist()]
    assert PNG_RED in contents
    assert PNG_BLUE not in contents


def test_a_vaults_settings_are_opened_once_per_build(run_cli, tmp_path, monkeypatch):
    """The settings that decide a vault's deck are parsed from the bytes that are hashed."""
    vault = tmp_path / "Vault"
    settings = vault / ".obsidian/plugins/obsidian-spaced-repetition/data.json"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"settings": {"flashcardTags": ["#cards"]}}', encoding="utf-8")
    (vault / ".obsidian/app.json").write_text('{"attachmentFolderPath": "/"}', encoding="utf-8")
    (vault / "cardpress.yml").write_text("title: Notes\n", encoding="utf-8")
    (vault / "Note.md").write_text("#cards\n\nCapital of France::Paris\n", encoding="utf-8")
    opened = count_opens(vault, monkeypatch)
    result = run_cli("--content", vault, "--out", tmp_path / "dist", "--only", "json")
    assert result.status == 0, result.err
    inputs = [settings.relative_to(vault).as_posix(), ".obsidian/app.json", "cardpress.yml"]
    assert {path: opened[path] for path in [*inputs, "Note.md"]} == dict.fromkeys(
        [*inputs, "Note.md"], 1
    )
