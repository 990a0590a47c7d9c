"""What a plain install has is what the code imports.

Every module imported anywhere in ``cardpress/`` (at the top of a module or inside a
function) is the standard library's, cardpress's own, or comes from a distribution named
in the package's ``dependencies`` or in one of its extras; the ``test`` extra does not
count, since users do not install it. A module of an extra is imported only inside
functions, and every command or importer that reaches it names the extra in its row, so
that it is checked before anything runs. Without the extra, such a command ends with one
line naming the extra and how to install it, exit status 2.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cardpress.commands import COMMANDS
from cardpress.extras import EXTRAS
from cardpress.importers import IMPORTERS
from tests.conftest import ROOT

PACKAGE = ROOT / "cardpress"
DEVELOPMENT_EXTRAS = {"test"}


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    return normalised(match.group(1))


def declared() -> dict[str, str]:
    """Distribution -> where pyproject.toml declares it: 'dependencies' or the extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = {requirement_name(r): "dependencies" for r in project["dependencies"]}
    for extra, requirements in project.get("optional-dependencies", {}).items():
        if extra in DEVELOPMENT_EXTRAS:
            continue
        for requirement in requirements:
            found.setdefault(requirement_name(requirement), extra)
    return found


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    name: str  # the imported module, dotted
    line: int
    top_level: bool  # executed when the module is imported (not inside a function)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[Import]:
    """Every absolute import in the file; relative ones are cardpress's own."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    here = module_name(path)

    def visit(node: ast.AST, top: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            inner = top and not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                inner = False  # read by the type checker only
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield Import(here, alias.name, child.lineno, top)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                yield Import(here, child.module, child.lineno, top)
                for alias in child.names:  # `from cardpress import lock` imports a module
                    yield Import(here, f"{child.module}.{alias.name}", child.lineno, top)
            yield from visit(child, inner)

    yield from visit(tree, True)


def all_imports() -> list[Import]:
    files = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
    assert len(files) > 50, files
    return [found for path in files for found in imports(path)]


def third_party(name: str) -> str | None:
    top = name.split(".")[0]
    if top in sys.stdlib_module_names or top in {"cardpress", "__future__"}:
        return None
    return top


def test_every_imported_module_comes_from_a_declared_distribution() -> None:
    owners = importlib.metadata.packages_distributions()
    where = declared()
    problems = []
    seen = set()
    for found in all_imports():
        top = third_party(found.name)
        if top is None or (top, found.module) in seen:
            continue
        seen.add((top, found.module))
        distributions = owners.get(top)
        if not distributions:
            problems.append(
                f"{found.module}:{found.line}: imports {top}, which no installed "
                "distribution provides: install it and declare it in pyproject.toml"
            )
            continue
        if not any(normalised(d) in where for d in distributions):
            problems.append(
                f"{found.module}:{found.line}: imports {top} (from {', '.join(distributions)}), "
                "which is neither in the dependencies nor in an extra of pyproject.toml"
            )
    assert not problems, "\n".join(problems)
    assert {"weasyprint", "pypdf", "genanki", "anki"} <= {
        third_party(i.name) for i in all_imports()
    }, "the walk missed imports it must see"


def extra_of(top: str) -> str | None:
    for extra in EXTRAS.values():
        if top in extra.modules:
            return extra.name
    return None


def test_the_extras_table_matches_the_package_metadata() -> None:
    where = declared()
    owners = importlib.metadata.packages_distributions()
    extras = {extra for extra in where.values() if extra != "dependencies"}
    assert extras == set(EXTRAS)
    for extra in EXTRAS.values():
        for module in extra.modules:
            assert {where.get(normalised(d)) for d in owners[module]} == {extra.name}


def test_modules_of_an_extra_are_imported_only_where_it_is_needed() -> None:
    """Not when a module is imported, and only below a command or importer that names the
    extra in its row (followed through every import of cardpress's own modules)."""
    found = all_imports()
    graph: dict[str, set[str]] = {}
    needs: dict[str, set[str]] = {}
    for item in found:
        top = third_party(item.name)
        extra = extra_of(top) if top else None
        if extra is not None:
            assert not item.top_level, (
                f"{item.module}:{item.line}: imports {item.name} of the {extra} extra when "
                "the module is imported; import it inside the function that needs it"
            )
            needs.setdefault(item.module, set()).add(extra)
        elif item.name.startswith("cardpress"):
            graph.setdefault(item.module, set()).add(item.name)
    assert needs, "no module uses an extra: the walk is broken"

    def reached(start: str) -> set[str]:
        seen, stack = set(), [start]
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.add(name)
                stack.extend(graph.get(name, ()))
        return seen

    rows = [
        (f"cardpress {c.name}", c.module, c.extra or (c.extra_for_options or (None,))[0])
        for c in COMMANDS.values()
    ]
    rows += [(f"cardpress import {i.name}", i.module, i.extra) for i in IMPORTERS.values()]
    users: set[str] = set()
    for what, module, extra in rows:
        wanted = {e for m in reached(module) for e in needs.get(m, ())}
        if what == "cardpress import":
            continue
        assert wanted <= {extra}, f"{what} reaches the {wanted} extra but its row names {extra}"
        users.update(m for m in reached(module) if m in needs)
    assert users == set(needs), f"modules of an extra that no command reaches: {set(needs) - users}"


@pytest.fixture
def without_anki(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in an install without the extra: ``import anki`` fails."""
    for name in [n for n in sys.modules if n == "anki" or n.startswith("anki.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "anki", None)


@pytest.mark.parametrize(
    "argv",
    [
        ["sync", "--collection", "collection.anki2"],
        ["import", "anki", "deck.apkg", "--to", "content/imported"],
    ],
)
def test_a_command_without_its_extra_says_which_in_one_line(
    argv: list[str], without_anki: None, run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deck.apkg").write_bytes(b"PK")
    result = run_cli(*argv)
    what = " ".join(argv[:2]) if argv[0] == "import" else argv[0]
    assert result.status == 2
    assert result.out == ""
    assert result.err == f"cardpress {what} needs the anki extra: pip install 'cardpress[anki]'\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.apkg"]


def test_the_help_of_a_command_that_needs_an_extra_works_without_it(
    without_anki: None, run_cli
) -> None:
    result = run_cli("sync", "--help")
    assert result.status == 0 and "--collection" in result.out
