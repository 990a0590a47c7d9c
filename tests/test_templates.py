"""Templates: the packaged ones are used by default; a user's folder replaces them file by
file; a template that cannot be found says where it was looked for."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from cardpress.cli import main
from cardpress.template_folders import files, packaged_folder, search_path
from cardpress.templates import environment
from tests.conftest import TEMPLATES


def test_the_packaged_templates_are_the_repositorys_in_a_checkout() -> None:
    assert packaged_folder().resolve() == TEMPLATES.resolve()
    assert search_path(None) == (TEMPLATES.resolve(),)
    assert search_path(TEMPLATES) == (TEMPLATES.resolve(),)


def test_no_templates_option_builds_with_the_packaged_templates(
    example_content: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dist"
    status = main(["--content", str(example_content), "--out", str(out), "--only", "html,json"])
    assert status == 0, capfd.readouterr().err
    assert (out / "networking-basics.html").read_text().startswith("<!DOCTYPE html>")


def test_a_users_file_replaces_the_packaged_one_and_the_rest_come_from_the_package(
    run_cli, example_content: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "mine"
    (mine / "html").mkdir(parents=True)
    packaged_css = (TEMPLATES / "html" / "style.css").read_text()
    (mine / "html" / "style.css").write_text(packaged_css + "\n.my-own-rule { color: teal; }\n")
    assert files(mine)["html/style.css"] == mine / "html" / "style.css"
    assert files(mine)["html/app.js"] == TEMPLATES.resolve() / "html" / "app.js"

    out = tmp_path / "dist"
    result = run_cli("--content", example_content, "--out", out, "--templates", mine)
    assert result.status == 0, result.err
    page = (out / "networking-basics.html").read_text()
    assert ".my-own-rule { color: teal; }" in page
    assert "function" in page  # the packaged scripts are still there
    assert (out / "networking-basics.pdf").stat().st_size > 0

    # Changing the user's file makes the page stale; the PDF, which does not use it, is not.
    (mine / "html" / "style.css").write_text(packaged_css + "\n.changed { color: red; }\n")
    again = run_cli("--content", example_content, "--out", out, "--templates", mine)
    assert again.status == 0, again.err
    assert "wrote" in again.out and "networking-basics.html" in again.out
    assert "networking-basics.pdf (" not in again.out
    assert ".changed { color: red; }" in (out / "networking-basics.html").read_text()


def test_a_missing_template_says_where_it_looked(tmp_path: Path) -> None:
    env = environment(tmp_path)
    with pytest.raises(jinja2.TemplateNotFound) as raised:
        env.get_template("html/nowhere.html.j2")
    assert str(raised.value) == (
        f"template html/nowhere.html.j2 not found "
        f"(looked in {tmp_path.resolve()}, {TEMPLATES.resolve()})"
    )


def test_a_users_template_that_includes_a_missing_one_is_a_clear_error(
    run_cli, example_content: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "mine"
    (mine / "pdf").mkdir(parents=True)
    (mine / "pdf" / "cheatsheet.html.j2").write_text('{% include "pdf/gone.html" %}\n')
    out = tmp_path / "dist"
    result = run_cli(
        "--content", example_content, "--out", out, "--templates", mine, "--only", "pdf"
    )
    assert result.status == 1
    assert result.err == (
        "cardpress: error: networking-basics.pdf: template pdf/gone.html not found "
        f"(looked in {mine.resolve()}, {TEMPLATES.resolve()})\n"
    )
    assert not out.joinpath("networking-basics.pdf").exists()


def test_a_missing_templates_folder_says_where_it_looked(
    run_cli, example_content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("--content", example_content, "--templates", "theme")
    assert result.status == 2
    assert result.err == (
        f"cardpress: error: theme: templates folder does not exist "
        f"(looked for {tmp_path / 'theme'})\n"
    )
