"""Where Anki desktop keeps its profiles' collections, and where their backups go.

Anki keeps one folder per profile under its base folder: ``~/.local/share/Anki2`` on
Linux, ``~/Library/Application Support/Anki2`` on macOS, ``%APPDATA%\\Anki2`` on Windows,
or the folder named by ``ANKI_BASE`` (which Anki itself honours, and so do we). A
profile's collection is ``<profile>/collection.anki2`` and Anki's automatic backups go to
``<profile>/backups``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cardpress.errors import UsageError

COLLECTION_FILE = "collection.anki2"
BASE_VARIABLE = "ANKI_BASE"
NOT_PROFILES = {"addons21", "addons", "logs"}


@dataclass(frozen=True)
class CollectionPlace:
    """A collection file to sync, and the folder its backups go to."""

    path: Path
    backups: Path
    """The profile's ``backups`` folder, or the collection's own folder for a path."""
    shown: str
    """How the report names it: the profile, or the path as given."""


def anki_base(
    environ: Mapping[str, str] = os.environ, platform: str = sys.platform, home: Path | None = None
) -> Path:
    """Anki's base folder on this system."""
    if environ.get(BASE_VARIABLE):
        return Path(environ[BASE_VARIABLE]).expanduser()
    home = home or Path.home()
    if platform.startswith("win"):
        appdata = environ.get("APPDATA")
        return Path(appdata) / "Anki2" if appdata else home / "AppData" / "Roaming" / "Anki2"
    if platform == "darwin":
        return home / "Library" / "Application Support" / "Anki2"
    data = environ.get("XDG_DATA_HOME")
    return (Path(data) if data else home / ".local" / "share") / "Anki2"


def profiles(base: Path) -> list[str]:
    """The profiles in ``base``: its folders that hold a collection."""
    try:
        folders = sorted(p for p in base.iterdir() if p.is_dir())
    except OSError:
        return []
    return [
        p.name for p in folders if p.name not in NOT_PROFILES and (p / COLLECTION_FILE).is_file()
    ]


def find_collection(
    profile: str | None, collection: Path | None, environ: Mapping[str, str] = os.environ
) -> CollectionPlace:
    """The collection ``--profile`` or ``--collection`` names; with neither, the only
    profile there is."""
    if collection is not None:
        if not collection.is_file():
            raise UsageError(f"--collection {collection}: no such collection file")
        return CollectionPlace(collection, collection.resolve().parent, str(collection))
    base = anki_base(environ)
    found = profiles(base)
    where = f"(Anki's folder {base}; set {BASE_VARIABLE} or use --collection PATH for another)"
    if profile is None:
        if len(found) == 1:
            profile = found[0]
        elif not found:
            raise UsageError(f"no Anki profile found {where}")
        else:
            raise UsageError(
                f"there are several Anki profiles ({', '.join(found)}): name one with --profile"
            )
    if profile not in found:
        known = f" (profiles: {', '.join(found)})" if found else ""
        raise UsageError(f"no Anki profile named '{profile}'{known} {where}")
    folder = base / profile
    return CollectionPlace(folder / COLLECTION_FILE, folder / "backups", f"profile {profile}")
