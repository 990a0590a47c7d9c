"""``cardpress import details`` on a clone shaped like the big interview repositories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import snapshot
from tests.support.paths import DATA

FIXTURE = DATA / "importers" / "details" / "repo"

REPORT = """\
cardpress import details: 2 source files in repo/topics
  questions: 12 found, 10 imported (1 repaired), 2 skipped
  10 cards in 4 sections: 10 added, 0 updated, 0 unchanged
  repaired 1:
    shell/README.md:28: <details> is never closed: ended at the next heading
  skipped 2 (2 with an empty answer):
    containers/README.md:27: empty answer
    shell/README.md:11: empty answer
  images: 1 copied, 1 not copied:
    containers/README.md:50: image not found: images/gone.png
  source: https://github.com/example/qa-collection
  license: CC BY-NC-ND 3.0 (LICENSE): for personal study only
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture clone with its git remote, the current folder its parent."""
    clone = tmp_path / "repo"
    shutil.copytree(FIXTURE, clone)
    (clone / ".git").mkdir()
    (clone / ".git" / "config").write_text(
        '[core]\n\tbare = false\n[remote "origin"]\n'
        "\turl = https://github.com/example/qa-collection.git\n"
    )
    monkeypatch.chdir(tmp_path)
    return clone


def run_import(run_cli, *extra: str):
    return run_cli(
        "import", "details", "repo/topics", "--to", "content/qa", "--exclude", "README-*", *extra
    )


def test_report_and_deck(repo: Path, run_cli) -> None:
    result = run_import(run_cli)
    assert result.status == 0, result.err
    assert result.out == REPORT + "wrote 6 files in content/qa\n"
    deck = Path("content/qa")
    assert sorted(p.relative_to(deck).as_posix() for p in deck.rglob("*") if p.is_file()) == [
        "cardpress-import.json",
        "cardpress.lock",
        "containers.md",
        "images/topics/containers/layers.png",
        "index.md",
        "shell.md",
    ]
    index = (deck / "index.md").read_text()
    assert "source: https://github.com/example/qa-collection\n" in index
    assert "license: CC BY-NC-ND 3.0 (LICENSE)\n" in index
    containers = (deck / "containers.md").read_text()
    # the same question in two sections: ids qualified by section
    assert "<!-- id: containers.basics.what-does-a-container-share-with-its-host -->" in containers
    assert "<!-- id: containers.images.what-does-a-container-share-with-its-host -->" in containers
    # inline HTML in summaries becomes Markdown; a placeholder stays text
    assert "### Which command lists the containers that have <b>stopped</b>, using `ps`?" in (
        containers
    )
    assert "### How do you open a shell in `<container id>`?" in containers
    assert "or attach with podman attach \\<container id>." in containers
    # a summary over several lines with a list: one heading
    assert "### Which of these are namespaces? pid; net; cgroup\n" in containers
    assert "[the spec](https://example.org/image-spec)" in containers
    assert "![Layers of an image](images/topics/containers/layers.png)" in containers
    # the <br><b> wrapper is gone, a heading in an answer is no card
    assert "<b>\n" not in containers and "</b>" not in containers.replace("<b>stopped</b>", "")
    assert "**Short version**" in containers
    assert "inside code and is not a question" not in containers
    shell = (deck / "shell.md").read_text()
    assert 'echo \\$HOME prints it; `echo "$HOME"` also keeps' in shell
    assert "echo $?\n```" in shell


def test_builds_and_shows_shell_variables(repo: Path, run_cli, build_deck) -> None:
    assert run_import(run_cli).status == 0
    out = build_deck(Path("content"), Path("dist"), "json,html")
    import json

    model = json.loads((out / "qa.json").read_text())
    cards = [c for s in model["deck"]["sections"] for c in s["cards"]]
    assert len(cards) == 10
    home = next(c for c in cards if "HOME" in c["question"]["text"])
    assert home["answer"]["text"].startswith("echo $HOME prints it")
    assert all("guid" not in c for c in cards)


def test_dry_run_writes_nothing(repo: Path, run_cli) -> None:
    result = run_import(run_cli, "--dry-run")
    assert result.status == 0, result.err
    assert result.out == REPORT + "dry run: would write 6 files in content/qa\n"
    assert not Path("content").exists()


def test_again_changes_no_byte(repo: Path, run_cli, build_deck) -> None:
    assert run_import(run_cli).status == 0
    build_deck(Path("content"), Path("dist"), "anki")  # the build adds stamps to the lock
    before = snapshot(Path("content"))
    result = run_import(run_cli)
    assert result.status == 0, result.err
    assert result.out.endswith("content/qa is up to date\n")
    assert "10 cards in 4 sections: 0 added, 0 updated, 10 unchanged" in result.out
    assert snapshot(Path("content")) == before


def test_upstream_changes_and_hand_edits(repo: Path, run_cli) -> None:
    assert run_import(run_cli).status == 0
    deck = Path("content/qa")
    containers = deck / "containers.md"
    # by hand: edit one card that also changes upstream, one that does not, add a card
    text = containers.read_text()
    text = text.replace("The kernel of the host.", "The host kernel (my words).").replace(
        "`podman ps --all` lists", "`podman ps -a` lists"
    )
    text = text.replace(
        "## Containers: Images",
        "### A card of my own\n\nWritten by hand.\n\n## Containers: Images",
    )
    containers.write_text(text)
    # upstream: change two answers, add a question, remove one
    source = repo / "topics" / "containers" / "README.md"
    upstream = source.read_text()
    upstream = upstream.replace("The kernel of the host.", "The host's kernel.")
    upstream = upstream.replace(
        "A list of layer digests and a config digest.", "Layer digests and one config digest."
    )
    upstream = upstream.replace(
        "<details>\n<summary>What is a layer?</summary><br><b>\n</b></details>",
        "<details>\n<summary>What is a layer?</summary><br><b>\n\nA tar of file changes.\n"
        "</b></details>",
    )
    start = upstream.index("<details>\n<summary>Which of these are namespaces?")
    end = upstream.index("</details>", start) + len("</details>")
    source.write_text(upstream[:start] + upstream[end:])

    result = run_import(run_cli)
    assert result.status == 0, result.err
    assert result.out == (
        "cardpress import details: 2 source files in repo/topics\n"
        "  questions: 11 found, 10 imported (1 repaired), 1 skipped\n"
        "  10 cards in 4 sections: 1 added, 1 updated, 6 unchanged\n"
        "  repaired 1:\n"
        "    shell/README.md:28: <details> is never closed: ended at the next heading\n"
        "  kept 1 edited or deleted by hand (unchanged in the source)\n"
        "  removed from the source: 1:\n"
        "    content/qa/containers.md:19: card "
        "'containers.basics.which-of-these-are-namespaces-pid-net-cgroup'\n"
        "  skipped 1 (1 with an empty answer):\n"
        "    shell/README.md:11: empty answer\n"
        "  images: 0 copied, 1 not copied:\n"
        "    containers/README.md:43: image not found: images/gone.png\n"
        "  conflicts: 1:\n"
        "    content/qa/containers.md:4: card "
        "'containers.basics.what-does-a-container-share-with-its-host' was edited by hand "
        "and changed in the source; kept yours\n"
        "  source: https://github.com/example/qa-collection\n"
        "  license: CC BY-NC-ND 3.0 (LICENSE): for personal study only\n"
        "wrote 3 files in content/qa\n"
    )
    text = containers.read_text()
    assert "The host kernel (my words)." in text and "The host's kernel." not in text
    assert "`podman ps -a` lists" in text
    assert "### A card of my own\n\nWritten by hand.\n" in text
    assert "Layer digests and one config digest." in text
    assert "### What is a layer?" in text and "Which of these are namespaces" not in text
    # the conflict is reported again until it is resolved; nothing else changes
    before = snapshot(Path("content"))
    again = run_import(run_cli)
    assert "1 conflicts" not in again.out and "  conflicts: 1:\n" in again.out
    assert again.out.endswith("content/qa is up to date\n")
    assert snapshot(Path("content")) == before


def test_reworded_question_keeps_its_id(repo: Path, run_cli) -> None:
    assert run_import(run_cli).status == 0
    source = repo / "topics" / "shell" / "README.md"
    source.write_text(
        source.read_text().replace(
            "What is the exit status of the last command?",
            "Where is the exit status of the last command kept?",
        )
    )
    result = run_import(run_cli)
    assert "0 added, 1 updated, 9 unchanged" in result.out
    shell = Path("content/qa/shell.md").read_text()
    assert (
        "### Where is the exit status of the last command kept?\n"
        "<!-- id: shell.variables.what-is-the-exit-status-of-the-last-command -->"
    ) in shell


def test_without_exclude_the_translation_is_read(repo: Path, run_cli) -> None:
    result = run_cli("import", "details", "repo/topics", "--to", "content/qa", "--dry-run")
    assert result.status == 0, result.err
    assert result.out.startswith(
        "cardpress import details: 3 source files in repo/topics\n"
        "  questions: 13 found, 11 imported (1 repaired), 2 skipped\n"
        "  11 cards in 5 sections: 11 added, 0 updated, 0 unchanged\n"
    )


def test_usage_errors(repo: Path, run_cli) -> None:
    result = run_cli("import", "details", "repo/nothing", "--to", "content/qa")
    assert result.status == 2
    assert result.err == "cardpress: error: source 'repo/nothing' does not exist\n"
    result = run_cli("import", "details", "repo/topics", "--to", "content/Not_A_Key")
    assert result.status == 2
    assert result.err == (
        "cardpress: error: 'Not_A_Key' cannot be a deck id (lowercase letters, digits and "
        "'-'): name the folder so, or give --id\n"
    )
    result = run_cli("import", "details", "repo/topics", "--to", "c/qa", "--exclude", "*.md")
    assert result.status == 2
    assert result.err == (
        "cardpress: error: no source files to read (looked for .md, .markdown) after --exclude\n"
    )


def test_a_card_deleted_by_hand(repo: Path, run_cli) -> None:
    """Stays deleted while its source is unchanged; comes back when the source changes."""
    assert run_import(run_cli).status == 0
    shell = Path("content/qa/shell.md")
    text = shell.read_text()
    start = text.index("### What is the exit status")
    shell.write_text(text[:start].rstrip("\n") + "\n")
    result = run_import(run_cli)
    assert "  10 cards in 4 sections: 0 added, 0 updated, 8 unchanged\n" in result.out
    assert "  kept 2 edited or deleted by hand (unchanged in the source)\n" in result.out
    assert "exit status" not in shell.read_text()
    source = repo / "topics" / "shell" / "README.md"
    source.write_text(source.read_text().replace("is 0 on success", "is 0 when it succeeded"))
    result = run_import(run_cli)
    assert "  10 cards in 4 sections: 1 added, 0 updated, 8 unchanged\n" in result.out
    assert "It is in \\$? and is 0 when it succeeded." in shell.read_text()


def test_nothing_outside_the_clone_is_read(repo: Path, run_cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes((repo / "topics/containers/images/layers.png").read_bytes())
    (repo / "topics/containers/images/leak.png").symlink_to(secret)
    readme = repo / "topics/containers/README.md"
    readme.write_text(readme.read_text().replace("images/gone.png", "images/leak.png"))
    result = run_import(run_cli, "--dry-run")
    assert result.status == 0, result.err
    assert (
        "    containers/README.md:50: image is a link that leads outside the source folder: "
        "images/leak.png\n"
    ) in result.out
    (repo / "topics/shell/leak.md").symlink_to(tmp_path / "secret.png")
    result = run_import(run_cli)
    assert result.status == 2
    assert result.err == (
        "cardpress: error: shell/leak.md: source file is a link that leads outside the "
        "sources' folder\n"
    )
    assert not Path("content").exists()


def test_a_deck_file_that_is_not_text(repo: Path, run_cli) -> None:
    assert run_import(run_cli).status == 0
    Path("content/qa/shell.md").write_bytes("caf\xe9\n".encode("latin-1"))
    before = snapshot(Path("content"))
    result = run_import(run_cli)
    assert result.status == 1
    assert result.err == (
        "cardpress: error: content/qa/shell.md:1:4: not UTF-8 (byte 0xe9): save it as UTF-8, "
        "then import again\n"
    )
    assert snapshot(Path("content")) == before
