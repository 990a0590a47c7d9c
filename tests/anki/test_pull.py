"""``cardpress pull`` with the real Anki engine and a real collection file: edits made in
Anki come back into the Markdown (formatting, cloze deletions, code, images, a question),
what Markdown cannot say and what changed on both sides is reported and left alone, and
after a pull and a build nothing pulled is at risk any more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cardpress.anki.pull import with_fence_languages
from cardpress.markup.from_html import html_to_markdown
from tests.conftest import snapshot
from tests.support.anki_support import AnkiUser, after_this_second
from tests.support.files_support import write_files
from tests.support.journey_deck import BASICS_V1, FILES_V1

EDITS = {  # card id -> field -> (old text in the field, new text)
    "what-is-the-capital-of-france": {"Answer": ("Pariss.", "Paris, <b>on the Seine</b>.")},
    "handshake": {"Text": ("{{c3::ACK}}.", "{{c3::ACK}}, then {{c4::data}}.")},
    "how-do-you-list-files-with": {"Answer": ("-la", "-lah")},
    "what-colour-is-this-square": {
        "Answer": ('alt="a square"', 'alt="a red square"'),
        "Details": ("Red.", "Red, like a <i>stop</i> sign."),
    },
    "which-port-does-https-use": {"Question": ("Which port", "Which TCP port")},
    "what-does-tcp-guarantee": {
        "Answer": ("Ordered, reliable delivery.", '<font color="red">Ordered</font>, reliable.')
    },
    "what-is-a-socket": {"Answer": ("An endpoint", "One endpoint")},
}


@pytest.fixture
def edited(tmp_path: Path, run_cli: Any) -> dict[str, Path]:
    """The journey deck imported into a collection, its fields edited in Anki, and the
    socket's answer changed in the Markdown too."""
    content = tmp_path / "content"
    write_files(content / "journey", FILES_V1)
    out = tmp_path / "out"
    assert run_cli("--content", content, "--out", out, "--only", "anki").status == 0
    anki = AnkiUser(tmp_path / "anki")
    anki.import_package(out / "journey.apkg")
    for card_id, fields in EDITS.items():
        note = anki.note(card_id)
        for name, (old, new) in fields.items():
            assert old in note[name], (card_id, name, note[name])
            note[name] = note[name].replace(old, new)
        anki.col.update_note(note)
    anki.close()
    after_this_second()
    socket = BASICS_V1.replace("An endpoint of", "The endpoint of")
    write_files(content / "journey", {"10-basics.md": socket})
    return {"content": content, "collection": tmp_path / "anki" / "collection.anki2"}


def test_pull_writes_what_was_edited_in_anki_into_the_markdown(edited, run_cli, tmp_path):
    content, collection = edited["content"], edited["collection"]
    before = snapshot(content)
    dry = run_cli("pull", "--content", content, "--collection", collection, "--dry-run")
    assert dry.status == 0, dry.err
    assert "+Paris, **on the Seine**." in dry.out
    assert "dry run: 6 field(s) would be pulled; nothing was written" in dry.out
    assert snapshot(content) == before

    result = run_cli("pull", "--content", content, "--collection", collection)
    assert result.status == 0, result.err
    assert "pulled 6 field(s) edited in Anki into 3 file(s)" in result.out
    basics = (content / "journey" / "10-basics.md").read_text()
    more = (content / "journey" / "20-more.md").read_text()
    tools = (content / "journey" / "30-tools.md").read_text()
    assert "### What is the capital of France?\n\nParis, **on the Seine**.\n" in basics
    assert "![a red square](img/square.png)\n\nRed, like a *stop* sign.\n" in basics
    assert "### Which TCP port does HTTPS use?\n\n443.\n" in basics
    assert "{{c3::ACK}}, then {{c4::data}}." in more
    assert "```bash\nls -lah\n```" in tools
    # Reported and left alone: Markdown has no colour, and the socket changed on both sides.
    assert "what-does-tcp-guarantee, field Answer: not pulled: Markdown cannot say it" in (
        result.out
    )
    assert "what-is-a-socket, field Answer: not pulled: changed in the Markdown too" in result.out
    assert "Ordered, reliable delivery." in basics and "The endpoint of" in basics

    # Built, the pulled fields are what Anki holds: only the two left alone are at risk.
    assert run_cli("--content", content, "--out", tmp_path / "out", "--only", "anki").status == 0
    preview = run_cli("preview", "--content", content, "--collection", collection)
    assert preview.status == 0, preview.err
    at_risk, older = preview.out.split("differ from the last build")
    assert "1 field(s) edited in Anki that the Markdown would replace:" in at_risk
    assert "what-does-tcp-guarantee, field Answer" in at_risk
    assert "what-is-a-socket, field Answer" in older  # edited before the last build
    again = run_cli("pull", "--content", content, "--collection", collection, "--dry-run")
    assert "0 field(s) would be pulled" in again.out

    anki = AnkiUser(collection.parent)
    try:
        log = anki.import_package(tmp_path / "out" / "journey.apkg")
        assert not log["new"] and not log["conflicting"]
        assert (
            "Paris, <strong>on the Seine</strong>."
            in anki.note("what-is-the-capital-of-france")["Answer"]
        )
        [card] = [c for c in anki.note("handshake").cards() if c.ord == 3]
        assert "data" in anki.render(card).answer
    finally:
        anki.close()


def test_nothing_to_pull_says_so(tmp_path, run_cli):
    content = tmp_path / "content"
    write_files(content / "journey", FILES_V1)
    assert run_cli("--content", content, "--out", tmp_path / "out", "--only", "anki").status == 0
    anki = AnkiUser(tmp_path / "anki")
    anki.import_package(tmp_path / "out" / "journey.apkg")
    anki.close()
    result = run_cli(
        "pull", "--content", content, "--collection", tmp_path / "anki" / "collection.anki2"
    )
    assert result.status == 0, result.err
    assert "nothing to pull" in result.out


def test_pulled_code_keeps_each_fences_language_when_one_holds_backticks() -> None:
    """Anki's HTML loses the languages; they come back from the card's fences in order,
    fences of tildes (code that shows a fence) counted like the others."""
    converted = html_to_markdown(
        "<pre>```yaml\nkey: 1\n```</pre><p>then</p><pre>print(2)</pre>", lambda src, alt: src
    )
    pulled = with_fence_languages(converted.strip(), ["markdown", "python"])
    assert pulled.split("\n") == [
        "~~~markdown",
        "```yaml",
        "key: 1",
        "```",
        "~~~",
        "",
        "then",
        "",
        "```python",
        "print(2)",
        "```",
    ]
