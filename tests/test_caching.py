"""A cache or state file that cannot be read (damaged on disk, nested past the parser's
depth, of the wrong shape) is ignored with one warning and written again: it never stops
a build or an import."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cardpress.build.freshness import state_path
from cardpress.caching import build_folder
from cardpress.importers.merge import STATE_NAME
from cardpress.markup.formula_svg import FormulaCache
from cardpress.parse.cache import ENTRY_SUFFIX
from cardpress.renderers.pdf.part_cache import LaidOut, PartCache
from tests.conftest import snapshot
from tests.importers.formats.test_details import repo, run_import  # noqa: F401 (a fixture)

NESTED = b"[" * 200_000 + b"]" * 200_000  # RecursionError in json.loads, not ValueError
DAMAGED = {
    "nested": NESTED,
    "not utf-8": b"\xff\xfe{",
    "not json": b'{"version": 4, "decks": ',
    "a number": b"4",
    "wrong shape": b'{"version": 4, "decks": {"networking.md": {"key": []}}}',
    "wrong types": b'{"version": 4, "decks": {}, "warnings": [[1, "x", 1, "error", "m"]]}',
}


@pytest.mark.parametrize("damage", DAMAGED)
def test_a_damaged_build_state_is_ignored_with_one_warning(
    run_cli, example_content, tmp_path, damage
):
    out = tmp_path / "dist"
    assert run_cli("--content", example_content, "--out", out, "--only", "html,json").status == 0
    built = snapshot(out)
    state_path(out).write_bytes(DAMAGED[damage])

    result = run_cli("--content", example_content, "--out", out, "--only", "html,json")
    assert result.status == 0, result.err
    assert "Traceback" not in result.err and "nothing to do" not in result.out
    warnings = [line for line in result.err.splitlines() if "cannot be read" in line]
    assert len(warnings) == 1, result.err
    assert warnings[0].startswith(f"cardpress: warning: {state_path(out)}: the state of the last")
    assert warnings[0].endswith("it is ignored and every output is built again")
    assert snapshot(out) == built
    assert json.loads(state_path(out).read_bytes())["version"] == 4  # written again

    again = run_cli("--content", example_content, "--out", out, "--only", "html,json")
    assert again.status == 0 and "nothing to do" in again.out
    assert "cannot be read" not in again.err


def test_damaged_parse_cache_entries_are_counted_in_one_warning(run_cli, example_content, tmp_path):
    (example_content / "second.md").write_text(
        (example_content / "networking.md").read_text().replace("id: networking-basics", "id: b")
    )
    out = tmp_path / "dist"
    assert run_cli("--content", example_content, "--out", out, "--only", "json").status == 0
    entries = sorted((build_folder(out) / "parse").glob(f"*{ENTRY_SUFFIX}"))
    assert len(entries) == 2
    good = [entry.read_bytes() for entry in entries]
    for entry in entries:
        entry.write_bytes(NESTED)
    shutil.rmtree(out)

    result = run_cli("--content", example_content, "--out", out, "--only", "json")
    assert result.status == 0, result.err
    warnings = [line for line in result.err.splitlines() if "could not be read" in line]
    assert warnings == [
        f"cardpress: warning: {build_folder(out) / 'parse'}: 2 parse cache entries could not "
        "be read; ignored, parsed again"
    ]
    assert [entry.read_bytes() for entry in entries] == good


def test_damaged_pdf_part_and_formula_entries_are_made_again(tmp_path: Path) -> None:
    parts = PartCache(tmp_path / "parts")
    parts.put("k", LaidOut(b"%PDF-1.7 part", 1, {"c": (0, 1.0, 2.0)}))
    assert parts.get("k") == LaidOut(b"%PDF-1.7 part", 1, {"c": (0, 1.0, 2.0)})
    for damage in [NESTED, b'{"sha256": 1, "pages": 1, "anchors": []}', b"[]", b"\xff"]:
        (tmp_path / "parts" / "k.json").write_bytes(damage)
        assert PartCache(tmp_path / "parts").get("k") is None

    (tmp_path / "formulas").mkdir()
    for damage in [NESTED, b'{"box": [], "shapes": 5}', b"\xff"]:
        (tmp_path / "formulas" / "k.json").write_bytes(damage)
        assert FormulaCache(tmp_path / "formulas").get("k") is None


def test_a_damaged_import_state_is_ignored_with_a_warning(repo: Path, run_cli) -> None:  # noqa: F811
    assert run_import(run_cli).status == 0
    deck = Path("content/qa")
    written = snapshot(deck)
    containers = deck / "containers.md"
    edited = containers.read_text().replace("The kernel of the host.", "My own words.")
    containers.write_text(edited)
    for damage, why in [
        (NESTED, "nested too deeply"),
        (b'{"cardpress_import": 1, "blocks": {"a": {"file": 5, "written": 1}}}', "wrong type"),
        (b'{"cardpress_import": 1, "blocks": []}', "not a state cardpress wrote"),
    ]:
        (deck / STATE_NAME).write_bytes(damage)
        result = run_import(run_cli)
        assert result.status == 0, result.err
        assert f"  warning: content/qa/{STATE_NAME} cannot be read (" in result.out
        assert why in result.out
        assert containers.read_text() == edited  # a hand edit is kept
        assert (deck / STATE_NAME).read_bytes() == written[STATE_NAME]  # written again
        again = run_import(run_cli)
        assert again.status == 0 and "cannot be read" not in again.out
