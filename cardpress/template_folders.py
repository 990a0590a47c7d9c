"""Where templates come from: the ones that ship with cardpress, and a folder of the user's
own whose files override them one by one (a file missing there comes from the package).

No Jinja here: the no-op build hashes these files without importing it."""

from __future__ import annotations

from pathlib import Path

from cardpress.errors import UsageError

PACKAGE_DIR = Path(__file__).resolve().parent


def packaged_folder() -> Path:
    """The default templates: ``cardpress/default_templates`` in an installed wheel, or the
    repository's ``templates/`` when running from a checkout (or an editable install)."""
    installed = PACKAGE_DIR / "default_templates"
    return installed if installed.is_dir() else PACKAGE_DIR.parent / "templates"


def chosen_folder(folder: Path | None) -> Path:
    """The folder whose templates win, resolved: ``folder`` (``--templates``), else the
    packaged one. UsageError when ``folder`` is given but is not a folder."""
    if folder is not None and not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(f"{folder}: templates folder {what} (looked for {folder.absolute()})")
    return (folder or packaged_folder()).resolve()


def search_path(folder: Path | None) -> tuple[Path, ...]:
    """Where a template is looked for, in order: the user's folder, then the packaged one."""
    default = packaged_folder().resolve()
    if folder is None or folder.resolve() == default:
        return (default,)
    return (folder.resolve(), default)


def find(folder: Path | None, name: str) -> Path | None:
    """The file that provides template ``name``, or None."""
    for base in search_path(folder):
        path = base / name
        if path.is_file():
            return path
    return None


def files(folder: Path | None, under: str = "") -> dict[str, Path]:
    """Every template file under ``under`` by its name, the one that wins for each name."""
    found: dict[str, Path] = {}
    for base in reversed(search_path(folder)):
        root = base / under if under else base
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                found[path.relative_to(base).as_posix()] = path
    return dict(sorted(found.items()))


def looked_in(folder: Path | None) -> str:
    return ", ".join(str(base) for base in search_path(folder))
