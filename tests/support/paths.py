"""Where the repository and the tests' data are, for every test module at any depth."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository: the shipped deck in ``content/``, ``templates/``, ``bench/``."""
DATA = ROOT / "tests" / "data"
"""The tests' fixtures: golden decks, broken and hostile content, import sources."""
