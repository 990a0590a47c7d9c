"""``--watch`` (``cardpress.build.watch``): what counts as a change, and a rebuild for each.

The whole command, rebuilding the example deck on save, is in ``test_freshness.py``."""

from __future__ import annotations

import threading
from pathlib import Path

from cardpress.build.pipeline import BuildOptions
from cardpress.build.watch import changes, scan, watch


def test_the_scan_leaves_out_lock_files_and_hidden_files(tmp_path: Path) -> None:
    for name in ("deck.md", "deck.lock", ".deck.md.swp", "d/index.md", "d/cardpress.lock"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "index.md").write_text("x")
    assert sorted(Path(p).relative_to(tmp_path).as_posix() for p in scan(tmp_path)) == [
        "d/index.md",
        "deck.md",
    ]


def test_changes_name_changed_and_new_files_then_deleted_ones() -> None:
    before = {"a.md": (1, 1), "b.md": (1, 1), "c.md": (1, 1)}
    after = {"a.md": (2, 1), "c.md": (1, 1), "d.md": (1, 1)}
    assert changes(before, after) == ["a.md", "d.md", "b.md (deleted)"]


def test_a_saved_file_makes_one_more_build(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    card = content / "deck.md"
    card.write_text("before")
    builds: list[str] = []
    lines: list[str] = []
    watching = threading.Event()  # set once the first build's files are noted

    def run() -> int:
        builds.append(card.read_text())
        return 0 if len(builds) > 1 else 1

    def info(line: str) -> None:
        lines.append(line)
        watching.set()

    def edit() -> None:
        watching.wait(10)
        card.write_text("after, longer")

    editor = threading.Thread(target=edit)
    editor.start()
    status = watch(BuildOptions(content=content), run, info, 0.05, max_builds=2)
    editor.join()
    assert builds == ["before", "after, longer"]
    assert status == 0  # the last build's status, not the first one's
    assert f"changed: {card}" in lines
    assert lines.count("watching for changes (Ctrl-C to stop)") == 2


def test_the_scan_sees_a_vaults_settings_in_its_hidden_folder(tmp_path: Path) -> None:
    """Obsidian's own files (the workspace it rewrites all the time) are not looked at."""
    settings = tmp_path / ".obsidian" / "app.json"
    settings.parent.mkdir()
    settings.write_text("{}")
    (tmp_path / ".obsidian" / "workspace.json").write_text("{}")
    (tmp_path / "Note.md").write_text("x")
    found = scan(tmp_path, files=(settings, tmp_path / ".obsidian" / "templates.json"))
    assert sorted(Path(p).relative_to(tmp_path).as_posix() for p in found) == [
        ".obsidian/app.json",
        "Note.md",
    ]
