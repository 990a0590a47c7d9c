"""Installed from its wheel into a clean virtual environment, cardpress works anywhere:
``cardpress init`` in an empty folder, then ``cardpress`` there builds all four outputs
with the templates that ship inside the package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SOURCES = ("pyproject.toml", "setup.py", "README.md", "cardpress", "templates")


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.mark.slow
def test_the_wheel_installed_in_a_clean_venv_inits_and_builds_anywhere(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy, so building leaves nothing in the repository
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    log = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", wheels, source, cwd=tmp_path
    )
    assert "Deprecat" not in log, log
    (wheel,) = wheels.glob("cardpress-*.whl")

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)

    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    cardpress = venv / "bin" / "cardpress"
    where = _run(
        venv / "bin" / "python",
        "-c",
        "from cardpress.template_folders import packaged_folder; print(packaged_folder())",
        cwd=tmp_path,
        env=env,
    )
    assert Path(where.strip()).is_relative_to(venv), where  # not the repository's folder

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    notes = tmp_path / "notes"
    notes.mkdir()
    started = _run(cardpress, "init", notes, cwd=elsewhere, env=env)
    assert f"cd {notes}" in started
    built = _run(cardpress, "--strict", cwd=notes, env=env)
    assert "warning" not in built, built
    for suffix in (".apkg", ".pdf", ".html", ".json"):
        assert (notes / "dist" / f"notes{suffix}").stat().st_size > 0, built
    assert not list(elsewhere.iterdir())

    # importing needs only what the wheel declares (emoji shortcodes included)
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / "README.md").write_text(
        "## :bulb: Basics\n\n<details>\n<summary>What is a port?</summary><br><b>\n\n"
        "A number.\n</b></details>\n"
    )
    imported = _run(
        cardpress, "import", "details", clone, "--to", "content/basics", cwd=notes, env=env
    )
    assert "1 imported" in imported, imported
    assert "## 💡 Basics" in (notes / "content" / "basics" / "clone.md").read_text()
