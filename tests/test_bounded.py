"""Bounded work and bounded reports: what hostile content can cost is limited."""

from __future__ import annotations

from pathlib import Path

from cardpress.errors import MAX_SHOWN_PER_FILE

FRONT = "---\ntitle: T\nid: t\n---\n## S\n\n### Q\n\n"


def test_thousands_of_warnings_are_summarised(run_cli, tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    tags = 3_000
    (content / "t.md").write_text(FRONT + "A " + "<x>" * tags + "\n\n### R\n\nB <y>\n")
    first = run_cli("--content", content, "--out", tmp_path / "dist", "--only", "json")
    assert first.status == 0, first.err
    lines = first.err.splitlines()
    assert len(lines) == MAX_SHOWN_PER_FILE + 1
    assert lines[0] == "t.md:9:3: warning: raw HTML '<x>' is shown as text"
    assert lines[-1] == (
        f"t.md: warning: {tags + 1 - MAX_SHOWN_PER_FILE} more problem(s) in this file not "
        f"shown (0 error(s), {tags + 1 - MAX_SHOWN_PER_FILE} warning(s))"
    )
    again = run_cli("--content", content, "--out", tmp_path / "dist", "--only", "json")
    assert "nothing to do" in again.out
    assert again.err == first.err  # the no-op build repeats the same short report
    strict = run_cli("--content", content, "--out", tmp_path / "strict", "--strict")
    assert strict.status == 1
    assert strict.err.splitlines()[-2] == (
        f"t.md: error: {tags + 1 - MAX_SHOWN_PER_FILE} more problem(s) in this file not "
        f"shown ({tags + 1 - MAX_SHOWN_PER_FILE} error(s), 0 warning(s))"
    )
    assert (
        strict.err.splitlines()[-1]
        == f"cardpress: {tags + 1} error(s), 0 warning(s); nothing written"
    )
