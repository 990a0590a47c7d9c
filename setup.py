"""The package's files: the code, the starter deck of ``cardpress init``, and the top-level
templates/ folder, which stays the one copy in the repository and ships inside the wheel
as ``cardpress/default_templates``.

Everything else about the package is in pyproject.toml.
"""

from pathlib import Path

from setuptools import find_packages, setup

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_PACKAGES = {
    ".".join(("cardpress.default_templates", *folder.relative_to(TEMPLATES).parts)): (
        Path("templates", folder.relative_to(TEMPLATES)).as_posix()
    )
    for folder in [TEMPLATES, *sorted(p for p in TEMPLATES.rglob("*") if p.is_dir())]
    if "__pycache__" not in folder.parts
}

DATA_PACKAGES = [*TEMPLATE_PACKAGES, "cardpress.starter"]  # folders of files, not code

setup(
    packages=[*find_packages(include=["cardpress", "cardpress.*"]), *DATA_PACKAGES],
    package_dir=TEMPLATE_PACKAGES,
    package_data={name: ["*"] for name in DATA_PACKAGES},
)
