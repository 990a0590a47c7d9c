"""Sources that are not UTF-8 are never imported with characters replaced: the import
stops at the first bad byte and says how to go on, or converts from ``--encoding`` and
reports which files it converted."""

from __future__ import annotations

from pathlib import Path

import pytest

CSV = (
    "Front,Back,Deck\nCafé au lait?,Un café avec du lait chaud,Cuisine\n"
    "Crème brûlée?,Dessert,Cuisine\n"
)
MARKDOWN = (
    "# Cuisine\n\n## Desserts\n\n<details><summary>Crème brûlée?</summary>\n\n"
    "Un dessert à la crème.\n\n</details>\n"
)


@pytest.fixture
def src(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    return folder


def _imported_text() -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(Path("content").rglob("*.md")))


def test_a_windows_1252_csv_is_refused_with_where_and_the_fix(src: Path, run_cli) -> None:
    (src / "cards.csv").write_bytes(CSV.encode("cp1252"))
    result = run_cli("import", "csv", "src", "--to", "content/deck")
    assert result.status == 1
    assert result.err == (
        "cardpress: error: cards.csv:2:4: file is not UTF-8 (byte 0xe9); if it reads right as "
        "Windows-1252 ('Café au lait?,Un café avec du lai'), run again with --encoding cp1252\n"
    )
    assert not Path("content").exists()


def test_the_given_encoding_converts_and_is_reported(src: Path, run_cli, build_deck) -> None:
    (src / "cards.csv").write_bytes(CSV.encode("cp1252"))
    (src / "more.csv").write_text(CSV.replace("Cuisine", "Plats"), encoding="utf-8")
    result = run_cli("import", "csv", "src", "--to", "content/deck", "--encoding", "cp1252")
    assert result.status == 0, result.err
    assert "  converted to UTF-8 from cp1252: 1 file (cards.csv)\n" in result.out
    text = _imported_text()
    assert "\ufffd" not in text and "Ã" not in text  # the UTF-8 file was read as UTF-8
    assert text.count("### Crème brûlée?") == 2 and text.count("Un café avec du lait chaud") == 2
    out = build_deck(Path("content"), Path("dist"), "json")
    model = next(out.glob("*.json")).read_text(encoding="utf-8")
    assert '"Café au lait?"' in model and "\\ufffd" not in model


def test_a_byte_the_given_encoding_lacks_is_an_error(src: Path, run_cli) -> None:
    (src / "cards.csv").write_bytes(CSV.encode("cp1252").replace(b"\xe8", b"\x81"))
    result = run_cli("import", "csv", "src", "--to", "content/deck", "--encoding", "cp1252")
    assert result.status == 1
    assert result.err == (
        "cardpress: error: cards.csv:3:3: file is neither UTF-8 nor cp1252 (byte 0x81): "
        "name its encoding with --encoding\n"
    )
    assert not Path("content").exists()


@pytest.mark.parametrize("fmt", ["details", "numbered", "files"])
def test_markdown_importers_share_the_check(src: Path, run_cli, fmt: str) -> None:
    (src / "notes.md").write_bytes(MARKDOWN.encode("latin-1"))
    result = run_cli("import", fmt, "src", "--to", "content/deck")
    assert result.status == 1
    assert result.err.startswith(
        "cardpress: error: notes.md:5:21: file is not UTF-8 (byte 0xe8); if it reads right as "
        "Windows-1252 ("
    ), result.err
    assert not Path("content").exists()


def test_utf16_is_named_and_converted_when_asked(src: Path, run_cli) -> None:
    (src / "notes.md").write_bytes(MARKDOWN.encode("utf-16"))  # with a byte order mark
    result = run_cli("import", "details", "src", "--to", "content/deck")
    assert result.status == 1
    assert result.err == (
        "cardpress: error: notes.md:1:1: file is not UTF-8 (byte 0xff); "
        "it is UTF-16: run again with --encoding utf-16\n"
    )
    result = run_cli("import", "details", "src", "--to", "content/deck", "--encoding", "utf-16")
    assert result.status == 0, result.err
    assert "converted to UTF-8 from utf-16: 1 file (notes.md)" in result.out
    assert "### Crème brûlée?\n" in _imported_text()

    (src / "notes.md").write_bytes(MARKDOWN.encode("utf-16-le"))  # no byte order mark
    result = run_cli("import", "details", "src", "--to", "content/d2", "--encoding", "utf-16-le")
    assert result.status == 0, result.err
    assert "### Crème brûlée?\n" in Path("content/d2/notes.md").read_text(encoding="utf-8")


def test_an_unknown_encoding_is_a_usage_error(src: Path, run_cli) -> None:
    (src / "cards.csv").write_text(CSV, encoding="utf-8")
    for name in ("klingon", "base64"):
        result = run_cli("import", "csv", "src", "--to", "content/deck", "--encoding", name)
        assert result.status == 2
        assert result.err == f"cardpress: error: --encoding: '{name}' is not a text encoding\n"
