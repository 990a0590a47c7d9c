"""``cardpress import anki``: packages read by the real Anki engine, and the round trip
through a user's collection that keeps every note and every review."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, snapshot
from tests.support.anki_packages import export, make_collection
from tests.support.anki_support import AnkiUser

REPORT = """\
cardpress import anki: 1 source file in .
  questions: 6 found, 4 imported, 2 skipped
  4 cards in 3 sections: 4 added, 0 updated, 0 unchanged
  skipped 2 (1 with an empty answer):
    {name}: 1 note(s) of note type 'Vocab' (fields: Word, Meaning, Example): map them with \
--map 'Vocab:question=FIELD,answer=FIELD'
    {name}: empty answer (note 3: 'Which port does HTTPS use?')
  images: 1 copied, 0 not copied
  source: {name}
  license: unknown
wrote 7 files in content/net
"""

NETWORKING = """\
## Networking
<!-- id: networking -->

### Name the layers of the OSI model
<!-- id: networking.name-the-layers-of-the-osi-model; tags: net; guid: {guid1} -->

Seven, from physical to application:

![](images/osi-layers.png)
- physical
- data link
- ...

***

### A [...] limits the hops of a [...].
<!-- id: networking.a-limits-the-hops-of-a; kind: cloze; tags: net; guid: {guid2} -->

A {{{{c1::TTL}}}} limits the hops of a {{{{c2::packet}}}}.
"""


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("packages")
    col = make_collection(folder / "anki")
    made = {
        "legacy.apkg": export(col, folder / "legacy.apkg", legacy=True),
        "new.apkg": export(col, folder / "new.apkg", legacy=False),
    }
    guids = {n.fields[0]: n.guid for n in (col.get_note(i) for i in col.find_notes(""))}
    cram = col.decks.new_filtered("Cram")  # the collection: a card studied in a filtered deck
    deck = col.decks.get(cram)
    assert deck is not None
    deck["terms"] = [['deck:"Networking::Ports"', 100, 0]]
    col.decks.save(deck)
    assert col.sched.rebuild_filtered_deck(cram).count == 2
    col.export_collection_package(str(folder / "all.colpkg"), include_media=True, legacy=False)
    made["all.colpkg"] = folder / "all.colpkg"
    (folder / "guids").write_text("\n".join(f"{k}\t{v}" for k, v in guids.items()))
    return made


def _guid(packages: dict[str, Path], front: str) -> str:
    lines = (packages["new.apkg"].parent / "guids").read_text().split("\n")
    found: str = dict(line.split("\t") for line in lines)[front]
    return found.replace("%", "%25").replace(";", "%3B").replace(">", "%3E")


@pytest.mark.parametrize("name", ["legacy.apkg", "new.apkg", "all.colpkg"])
def test_every_package_version(packages, name, tmp_path, monkeypatch, run_cli) -> None:
    shutil.copy(packages[name], tmp_path / name)
    monkeypatch.chdir(tmp_path)
    if name == "new.apkg":  # a new package: the real collection and Anki's dummy beside it
        names = zipfile.ZipFile(name).namelist()
        assert "collection.anki21b" in names and "collection.anki2" in names
    extra = ["--map", "Vocab:question=Word,answer=Meaning,details=Example"]
    result = run_cli(
        "import", "anki", name, "--to", "content/net", *([] if "apkg" in name else extra)
    )
    assert result.status == 0, result.err
    if "apkg" in name:
        assert result.out == REPORT.format(name=name)
    else:
        assert "  5 cards in 3 sections: 5 added, 0 updated, 0 unchanged\n" in result.out
        web = Path("content/net/web.md").read_text()
        assert "### latency\n<!-- id: web.latency; tags: words; guid: " in web
        assert web.endswith("-->\n\ndelay before a transfer\n")
        ports = Path("content/net/ports.md").read_text()  # its home deck, not "Cram"
        assert ports.startswith("## Ports\n") and "### What port does **SSH** use?" in ports
        assert not Path("content/net/cram.md").exists()
    guid1 = _guid(packages, "Name the layers of the OSI model")
    guid2 = _guid(packages, "A {{c1::TTL}} limits the hops of a {{c2::packet}}.")
    text = Path("content/net/networking.md").read_text()
    assert text == NETWORKING.format(guid1=guid1, guid2=guid2)
    assert Path("content/net/images/osi-layers.png").read_bytes()[:4] == b"\x89PNG"
    assert "title: Networking\n" in Path("content/net/index.md").read_text()
    before = snapshot(Path("content"))
    again = run_cli(
        "import", "anki", name, "--to", "content/net", *([] if "apkg" in name else extra)
    )
    assert again.out.endswith("content/net is up to date\n")
    assert snapshot(Path("content")) == before


def test_notes_of_anki_note_types_are_never_duplicated(
    packages, tmp_path, monkeypatch, run_cli, build_deck
) -> None:
    """Notes of Anki's stock note types, imported and built: same GUIDs, so the package
    adds no note; Anki changes no note's type on import, so it leaves them (and their
    reviews) as they were and says so ("conflicting")."""
    monkeypatch.chdir(tmp_path)
    anki = AnkiUser(tmp_path / "user")
    try:
        anki.import_package(packages["new.apkg"])
        notes = len(anki.notes())
        anki.study_all()
        reviews = anki.review_count()
        assert run_cli("import", "anki", packages["new.apkg"], "--to", "content/net").status == 0
        built = build_deck(Path("content"), tmp_path / "dist", "anki") / "net.apkg"
        log = anki.import_package(built)
        assert log["new"] == [] and log["updated"] == []
        assert len(log["conflicting"]) == 4
        assert len(anki.notes()) == notes
        assert anki.review_count() == reviews
    finally:
        anki.close()


def test_round_trip_keeps_every_review(tmp_path, monkeypatch, run_cli, build_deck) -> None:
    """The shipped deck: built, imported and studied in Anki, imported back into a new
    content folder, built again and imported again: no new note, every review kept."""
    shipped = tmp_path / "shipped"
    shutil.copytree(ROOT / "content", shipped)
    package = build_deck(shipped, tmp_path / "dist-shipped", "anki") / "aws-devops.apkg"
    anki = AnkiUser(tmp_path / "user")
    try:
        first = anki.import_package(package)
        notes = len(anki.notes())
        assert len(first["new"]) == notes > 100
        studied = anki.study_all()
        assert studied >= notes
        reviews, scheduling = anki.review_count(), anki.scheduling()
        monkeypatch.chdir(tmp_path)
        result = run_cli("import", "anki", package, "--to", "content/aws-again")
        assert result.status == 0, result.err
        assert f"  {notes} cards in 9 sections: {notes} added," in result.out
        again = build_deck(Path("content"), tmp_path / "dist-again", "anki")
        log = anki.import_package(again / "aws-again.apkg")
        assert log["new"] == [] and log["conflicting"] == [] and log["missing_notetype"] == []
        assert len(anki.notes()) == notes
        assert anki.review_count() == reviews
        assert anki.scheduling() == scheduling
    finally:
        anki.close()


def test_without_the_backend_a_clear_error(tmp_path, monkeypatch, run_cli) -> None:
    import sys

    (tmp_path / "deck.apkg").write_bytes(b"PK\x05\x06" + bytes(18))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "anki.collection", None)
    result = run_cli("import", "anki", "deck.apkg", "--to", "content/deck")
    assert result.status == 2
    assert result.err == (
        "cardpress: error: reading Anki packages needs the Anki backend: "
        "pip install 'cardpress[anki]'\n"
    )


def test_a_damaged_package(tmp_path, monkeypatch, run_cli) -> None:
    (tmp_path / "deck.apkg").write_bytes(b"not a zip file")
    monkeypatch.chdir(tmp_path)
    result = run_cli("import", "anki", "deck.apkg", "--to", "content/deck")
    assert result.status == 1
    assert result.err.startswith("cardpress: error: deck.apkg: Anki cannot read this package:")
    assert not Path("content").exists()
