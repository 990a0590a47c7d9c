"""Every script the HTML page shows prints in the PDF: Chinese, Japanese, Korean, Arabic,
Greek and emoji, each glyph from a font that has it (read back from the PDF's embedded
fonts); a character no installed font has is a warning at its card."""

from __future__ import annotations

import io
import os
import unicodedata
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from fontTools.ttLib import TTFont

from cardpress.renderers.pdf.fonts import covered, installed_coverage
from tests.support.files_support import write_files

SCRIPTS = {
    "Chinese": "汉字简体",
    "Japanese": "ひらがなカタカナ日本語",
    "Korean": "한국어",
    "Arabic": "العربية",
    "Greek": "Ελληνικά",
    "emoji": "😀🚀👍",
}
FRONT = "---\ntitle: Scripts\nid: scripts\n---\n\n## Scripts\n\n"


def _fonts_or_skip() -> None:
    coverage = installed_coverage()
    wanted = "".join(SCRIPTS.values())
    if coverage is None or not all(covered(c, coverage) for c in wanted):
        reason = "fonts for CJK and emoji are not installed (see README: fonts)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def _embedded_characters(pdf: Path) -> dict[str, set[str]]:
    """For each font of the PDF (by its PDF name), the characters its embedded program
    has glyphs for, Arabic presentation forms counted as their letters."""
    found: dict[str, set[str]] = {}
    for page in pypdf.PdfReader(pdf).pages:
        resources = page["/Resources"]
        assert isinstance(resources, pypdf.generic.DictionaryObject)
        page_fonts = resources["/Font"]
        assert isinstance(page_fonts, pypdf.generic.DictionaryObject)
        for font in page_fonts.values():
            font = font.get_object()
            name = str(font["/BaseFont"]).removeprefix("/")
            if font["/Subtype"] != "/Type0":
                continue
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            program = next(
                descriptor[key].get_object().get_data()
                for key in ("/FontFile2", "/FontFile3", "/FontFile")
                if key in descriptor
            )
            characters: set[str] = set()
            for code in TTFont(io.BytesIO(program)).getBestCmap() or {}:
                characters.add(chr(code))
                base = unicodedata.decomposition(chr(code)).split()
                if base and base[0].startswith("<"):  # <initial> 0628 and the like
                    characters.add(chr(int(base[1], 16)))
            found[name] = characters
    return found


def test_every_script_prints_from_a_font_that_has_its_glyphs(build_deck, tmp_path: Path) -> None:
    _fonts_or_skip()
    answer = " ".join(SCRIPTS.values())
    content = write_files(
        tmp_path / "content",
        {"scripts.md": FRONT + f"### Which scripts print?\n\n{answer}\n\n`code {answer}`\n"},
    )
    out = build_deck(content, tmp_path / "dist", "pdf", "--strict")
    pdf = out / "scripts.pdf"
    glyphs = _embedded_characters(pdf)
    with pdfplumber.open(pdf) as document:
        chars = [c for page in document.pages for c in page.chars]
    for script, text in SCRIPTS.items():
        for character in text:
            fonts = {c["fontname"] for c in chars if c["text"] == character}
            assert fonts, f"{script}: {character!r} is not in the PDF"
            for font in fonts:
                assert character in glyphs[font], f"{script}: {character!r} set in {font}"


def test_a_character_no_font_has_is_a_warning_at_its_card(run_cli, tmp_path: Path) -> None:
    if installed_coverage() is None:
        pytest.skip("fontconfig's fc-list is not installed")
    content = write_files(
        tmp_path / "content",
        {"scripts.md": FRONT + "### Fine?\n\nYes.\n\n### Private?\n\nA \ue000 B\n"},
    )
    built = run_cli("--content", content, "--out", tmp_path / "dist", "--only", "pdf,json")
    assert built.status == 0
    warning = (
        f"{content}/scripts.md:12:1: warning: no installed font has '\ue000' (U+E000): the "
        "PDF prints a box instead; install fonts that cover them (fonts-noto-core, "
        "fonts-noto-cjk and fonts-noto-color-emoji on Debian)"
    )
    assert built.err.splitlines() == [warning]
    strict = run_cli("--content", content, "--out", tmp_path / "strict", "--strict")
    assert strict.status == 1
    assert strict.err.splitlines()[0] == warning.replace(": warning: ", ": error: ")
    assert not (tmp_path / "strict").exists()
    # Without a PDF to lay out, fonts do not matter.
    assert run_cli("--content", content, "--out", tmp_path / "h", "--only", "html").err == ""
