"""A repository can ship an output folder too: nothing in it may run code, decide what
gets rebuilt or be taken for a parse; the outputs may not lie inside the content."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path

import pytest

from cardpress.build.freshness import state_path
from cardpress.caching import build_folder
from cardpress.content.scan import ContentScan
from cardpress.parse.cache import ENTRY_SUFFIX, ParseCache, decode_entry
from tests.conftest import snapshot

MARKER_NAME = "code-ran"


class _RunsCode:
    """Unpickling this writes a marker file: proof that a pickle was loaded."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')", "eval"))


def test_a_shipped_cache_and_state_are_ignored(run_cli, example_content, tmp_path):
    out = tmp_path / "dist"
    assert run_cli("--content", example_content, "--out", out, "--only", "html,json").status == 0
    genuine = snapshot(out)
    state = json.loads(state_path(out).read_bytes())
    keys = [p.name.removesuffix(ENTRY_SUFFIX) for p in (build_folder(out) / "parse").iterdir()]
    shutil.rmtree(build_folder(out))

    # What a repository could ship in dist/: a doctored page, the state of a real build
    # claiming that page is current, and parse-cache entries (pickles that run code)
    # under the keys of its real files, where older versions kept them.
    page = out / "networking-basics.html"
    page.write_bytes(b"<script>alert('doctored')</script>")
    state["decks"]["networking.md"]["outputs"]["html"]["sha256"] = hashlib.sha256(
        page.read_bytes()
    ).hexdigest()
    (out / ".cardpress-state.json").write_text(json.dumps(state))
    marker = tmp_path / MARKER_NAME
    payload = pickle.dumps(_RunsCode(marker))
    for folder in (out / ".cardpress-cache" / "parse", build_folder(out) / "parse"):
        folder.mkdir(parents=True)
        for key in keys:
            (folder / f"{key}.pickle").write_bytes(payload)
            (folder / f"{key}.json").write_bytes(payload)

    result = run_cli("--content", example_content, "--out", out, "--only", "html,json")
    assert result.status == 0, result.err
    assert "nothing to do" not in result.out
    assert not marker.exists()
    assert page.read_bytes() == genuine[page.name]


def test_the_state_lives_in_the_user_cache_folder(run_cli, example_content, tmp_path):
    out = tmp_path / "dist"
    assert run_cli("--content", example_content, "--out", out, "--only", "json").status == 0
    assert sorted(p.name for p in out.iterdir()) == ["networking-basics.json"]
    assert state_path(out).is_file()
    assert state_path(out).is_relative_to(Path(os.environ["XDG_CACHE_HOME"]) / "cardpress")
    again = run_cli("--content", example_content, "--out", out, "--only", "json")
    assert again.status == 0 and "nothing to do" in again.out


def test_a_damaged_or_forged_cache_entry_is_parsed_again(run_cli, example_content, tmp_path):
    out = tmp_path / "dist"
    assert run_cli("--content", example_content, "--out", out, "--only", "json").status == 0
    model = (out / "networking-basics.json").read_bytes()
    folder = build_folder(out) / "parse"
    (entry,) = folder.glob(f"*{ENTRY_SUFFIX}")
    key = entry.name.removesuffix(ENTRY_SUFFIX)
    good = json.loads(entry.read_bytes())
    wrong_type = json.loads(entry.read_bytes())
    wrong_type["parsed"][5] = "many"  # card_count must be a number
    wrong_shape = json.loads(entry.read_bytes())
    wrong_shape["parsed"][0][0] = [1, 2]  # a section of two fields
    other_file = {**good, "key": "0" * 64}
    forged = [json.dumps(e).encode() for e in (wrong_type, wrong_shape, other_file)]
    for data in [*forged, b"\x80\x04not json", b"[" * 100_000, pickle.dumps(good)]:
        entry.write_bytes(data)
        assert ParseCache(folder).get(key, ContentScan(example_content.resolve())) is None
        (out / "networking-basics.json").unlink()
        result = run_cli("--content", example_content, "--out", out, "--only", "json")
        assert result.status == 0, result.err
        assert (out / "networking-basics.json").read_bytes() == model
        assert json.loads(entry.read_bytes()) == good  # parsed again and stored again


def _leaves(value: object, path: tuple[int, ...] = ()) -> list[tuple[tuple[int, ...], object]]:
    if isinstance(value, list):
        found: list[tuple[tuple[int, ...], object]] = [(path, value)]
        for index, item in enumerate(value):
            found += _leaves(item, (*path, index))
        return found
    return [(path, value)]


def _replaced(value: object, path: tuple[int, ...], new: object) -> object:
    if not path:
        return new
    assert isinstance(value, list)
    return [_replaced(v, path[1:], new) if i == path[0] else v for i, v in enumerate(value)]


def test_every_value_of_an_entry_is_checked_against_the_model(run_cli, example_content, tmp_path):
    """Each string, number, flag and list of a stored entry, given a value of another
    JSON type, makes the entry damaged: none reaches the model unchecked."""
    out = tmp_path / "dist"
    assert run_cli("--content", example_content, "--out", out, "--only", "json").status == 0
    (entry,) = (build_folder(out) / "parse").glob(f"*{ENTRY_SUFFIX}")
    key = entry.name.removesuffix(ENTRY_SUFFIX)
    good = json.loads(entry.read_bytes())
    assert decode_entry(entry.read_bytes(), key) is not None
    wrong = {str: 12345, int: "many", bool: "yes", list: {"a": 1}}
    checked = 0
    for path, value in _leaves(good["parsed"]):
        if value is None:  # a field that may be empty: anything of its type would do
            continue
        data = {**good, "parsed": _replaced(good["parsed"], path, wrong[type(value)])}
        with pytest.raises(ValueError):  # Damaged is a ValueError, as an unknown kind is
            decode_entry(json.dumps(data).encode(), key)
        checked += 1
    assert checked > 100


def test_outputs_inside_the_content_folder_are_refused(run_cli, example_content):
    before = snapshot(example_content)
    for out in (example_content / "dist", example_content):
        result = run_cli("--content", example_content, "--out", out)
        assert result.status == 2
        assert result.err == (
            f"cardpress: error: --out {out} lies inside the content folder {example_content}: "
            "write the outputs to a folder outside it (for example --out dist)\n"
        )
        assert snapshot(example_content) == before


def test_an_unwritable_cache_folder_costs_only_the_next_build(
    run_cli, example_content, tmp_path, monkeypatch
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    out = tmp_path / "dist"
    result = run_cli("--content", example_content, "--out", out, "--only", "json")
    assert result.status == 0, result.err
    assert "cannot keep the build cache" in result.err
    assert (out / "networking-basics.json").is_file()
