"""Outputs of a deck that no longer exists (deleted, or given another id) are reported once
by the build that finds them, with their paths, and left alone; ``--prune`` removes
exactly those files: never a file cardpress did not write, nor one changed since."""

from __future__ import annotations

from pathlib import Path

import pytest

ONLY = ("--only", "html,json")


def deck(key: str, cards: int = 2) -> str:
    body = "".join(
        f"### Question {n} of {key}?\n<!-- id: q{n} -->\n\nAnswer {n}.\n\n" for n in range(cards)
    )
    return f"---\ntitle: Deck {key}\nid: {key}\n---\n\n## Part\n<!-- id: part -->\n\n{body}"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content").mkdir()
    for key in ("alpha", "beta"):
        (tmp_path / "content" / f"{key}.md").write_text(deck(key), encoding="utf-8")
    return tmp_path


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "dist").iterdir()) if p.is_file()}


def test_a_deleted_decks_outputs_are_reported_once_then_pruned(folder: Path, run_cli) -> None:
    assert run_cli(*ONLY).status == 0
    (folder / "dist" / "notes.txt").write_text("mine")  # the user's own file
    (folder / "dist" / "beta.txt").write_text("mine too")  # named like the deck, not ours
    (folder / "content" / "beta.md").unlink()
    (folder / "content" / "beta.lock").unlink(missing_ok=True)
    before = files(folder)

    first = run_cli(*ONLY)
    assert first.status == 0, first.err
    assert "nothing to do" not in first.out
    assert (
        "cardpress: note: 2 file(s) in dist are outputs of a deck that no longer exist (beta); "
        "left in place (cardpress --prune removes them):\n  dist/beta.html\n  dist/beta.json\n"
    ) in first.err
    assert files(folder) == before  # left alone

    again = run_cli(*ONLY)
    assert again.status == 0 and "beta" not in again.err + again.out  # once
    assert "nothing to do" in again.out

    pruned = run_cli(*ONLY, "--prune")
    assert pruned.status == 0, pruned.err
    assert "removed dist/beta.html (an output of beta, which no longer exists)" in pruned.out
    assert "removed dist/beta.json" in pruned.out
    left = files(folder)
    assert set(before) - set(left) == {"beta.html", "beta.json"}
    assert left["notes.txt"] == b"mine" and left["beta.txt"] == b"mine too"
    assert "beta" not in run_cli(*ONLY, "--prune").out  # nothing more to remove


def test_a_renamed_deck_leaves_its_old_outputs_and_a_changed_one_is_kept(
    folder: Path, run_cli
) -> None:
    assert run_cli(*ONLY).status == 0
    (folder / "content" / "beta.md").write_text(deck("gamma"), encoding="utf-8")
    (folder / "dist" / "beta.json").write_text("{}")  # the user's copy now, not ours
    renamed = run_cli(*ONLY)
    assert renamed.status == 0, renamed.err
    assert "1 file(s) in dist are outputs of a deck that no longer exist (beta)" in renamed.err
    assert "  dist/beta.html\n" in renamed.err and "beta.json" not in renamed.err
    pruned = run_cli(*ONLY, "--prune")
    assert "removed dist/beta.html" in pruned.out
    assert set(files(folder)) == {
        "alpha.html",
        "alpha.json",
        "gamma.html",
        "gamma.json",
        "beta.json",
    }


def test_outputs_a_partial_build_did_not_rebuild_are_still_known(folder: Path, run_cli) -> None:
    """`--only html` after an edit keeps the record of the deck's JSON (stale, not lost),
    so when the deck goes, its JSON is reported with the page."""
    assert run_cli(*ONLY).status == 0
    (folder / "content" / "beta.md").write_text(deck("beta", cards=3), encoding="utf-8")
    assert run_cli("--only", "html").status == 0
    stale = run_cli("--only", "json", "-v")
    assert "wrote dist/beta.json" in stale.out  # the stale record did not pass for fresh
    (folder / "content" / "beta.md").unlink()
    gone = run_cli("--only", "html")
    assert "  dist/beta.html\n  dist/beta.json\n" in gone.err


def test_a_deck_of_the_same_id_elsewhere_owns_its_outputs(folder: Path, run_cli) -> None:
    assert run_cli(*ONLY).status == 0
    (folder / "content" / "beta.md").rename(folder / "content" / "beta-moved.md")
    moved = run_cli(*ONLY)
    assert moved.status == 0 and "no longer exist" not in moved.err


def test_prune_and_check_do_not_go_together(folder: Path, run_cli) -> None:
    result = run_cli("--check", "--prune")
    assert result.status == 2
    assert "--prune removes files and --check writes nothing" in result.err
