"""Arrows go one way: every module imports only from its own layer or the layers below.

``LAYERS`` is the architecture, bottom first (docs/architecture.md draws it). Every
import counts: at the top of a module, inside a function, under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cardpress"

LAYERS: list[tuple[str, ...]] = [
    # the model and what needs nothing else of cardpress
    ("cardpress", "model", "papers", "print_options", "json_text", "atomic", "processes"),
    ("caching", "extras"),
    ("content",),  # reading a folder someone else wrote
    ("errors",),
    ("template_folders", "templates"),
    ("markup",),  # Markdown to HTML and back, cloze, formulas, highlighting
    ("lock",),
    ("parse",),
    ("anki",),  # notes in Anki, and the commands that meet a collection
    ("importers",),
    ("renderers",),
    ("build",),
    ("serve",),
    ("commands",),
    ("cli", "__main__"),
]


def _layer_of(module: str) -> int:
    """The layer of ``cardpress.a.b``: the first entry of ``LAYERS`` naming it or a parent."""
    parts = module.split(".")[1:] or ["cardpress"]
    for depth in range(len(parts), 0, -1):
        name = ".".join(parts[:depth])
        for index, layer in enumerate(LAYERS):
            if name in layer:
                return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every cardpress import in the file, nested ones included."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("cardpress")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "cardpress":  # from cardpress import x: x may be a module
                found += [(node.lineno, _from_package(a.name)) for a in node.names]
            elif node.module.startswith("cardpress."):
                found.append((node.lineno, node.module))
    return found


def _from_package(name: str) -> str:
    is_module = (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name).is_dir()
    return f"cardpress.{name}" if is_module else "cardpress"


MODULES = sorted(
    p for p in PACKAGE.rglob("*.py") if "default_templates" not in p.parts and p.is_file()
)


def test_every_module_has_a_layer() -> None:
    assert MODULES
    for path in MODULES:
        _layer_of(_module_name(path))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_module_imports_a_layer_above_its_own(path: Path) -> None:
    own = _module_name(path)
    upward = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {own} imports {target} "
        f"(layer {LAYERS[_layer_of(target)]} is above {LAYERS[_layer_of(own)]})"
        for line, target in _imports(path)
        if target != "cardpress" and _layer_of(target) > _layer_of(own)
    ]
    assert not upward, "\n".join(upward)


def test_relative_imports_are_not_used() -> None:
    """The check above reads absolute names only; a relative import would slip past it."""
    relative = [
        f"{p.relative_to(PACKAGE.parent)}:{n.lineno}"
        for p in MODULES
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(n, ast.ImportFrom) and n.level
    ]
    assert not relative


def test_the_check_sees_imports_inside_functions_and_for_types(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "from cardpress import model, __version__\n"
        "if TYPE_CHECKING:\n"
        "    from cardpress.build.pipeline import BuildOptions\n"
        "def run() -> None:\n"
        "    import cardpress.cli\n"
        "    from cardpress.commands.build import run_build\n",
        encoding="utf-8",
    )
    assert _imports(module) == [
        (2, "cardpress.model"),
        (2, "cardpress"),
        (4, "cardpress.build.pipeline"),
        (6, "cardpress.cli"),
        (7, "cardpress.commands.build"),
    ]
    assert _layer_of("cardpress.commands.build") > _layer_of("cardpress.build.pipeline")
    assert _layer_of("cardpress.cli") > _layer_of("cardpress.commands")
