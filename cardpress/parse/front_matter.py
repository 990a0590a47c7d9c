"""YAML front matter: read from the top of a file, its lines blanked so lines stay file lines.

PyYAML is bounded first: its scanner slows with bracket depth, building a document recurses
per level, and aliases could multiply it, so each of those is refused before loading.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from cardpress.content.files import SourceFile, shown
from cardpress.errors import Reporter

MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_FRONT_MATTER_DEPTH = 8  # the front matter needs two levels; PyYAML recurses per level
_BRACKET_RE = re.compile(r"[\[\]{}]")


def split_front_matter(source: SourceFile, reporter: Reporter, wanted: bool) -> None:
    """Parse YAML front matter and blank its lines, so token line numbers stay file lines."""
    lines = source.lines
    if not lines or lines[0].rstrip() != "---":
        if wanted:
            reporter.error(
                source.location(1, 1),
                "missing front matter: start the file with '---', then title: and id:, then '---'",
            )
        return
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:  # the rest is still read as Markdown, to report its problems too
        reporter.error(source.location(1, 1), "front matter is not closed: add a '---' line")
        return
    if not wanted:
        reporter.error(
            source.location(1, 1),
            "front matter is only allowed in the deck's first file (index.md)",
        )
    yaml_text = "\n".join(lines[1:end])
    source.set_lines([""] * (end + 1) + lines[end + 1 :])
    if not wanted:
        return
    if len(yaml_text.encode()) > MAX_FRONT_MATTER_BYTES:
        reporter.error(
            source.location(2, 1),
            f"front matter is over the limit of {MAX_FRONT_MATTER_BYTES} bytes",
        )
        return
    try:
        if _bracket_depth(yaml_text) > 4 * MAX_FRONT_MATTER_DEPTH or (
            _yaml_depth(yaml_text) > MAX_FRONT_MATTER_DEPTH
        ):
            reporter.error(
                source.location(2, 1),
                f"front matter is nested too deeply (more than {MAX_FRONT_MATTER_DEPTH} levels)",
            )
            return
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        if node is not None and _yaml_has_aliases(node):
            reporter.error(source.location(2, 1), "front matter may not use YAML aliases")
            return
        data = yaml.safe_load(yaml_text)
    except yaml.reader.ReaderError as exc:  # a control character, before any parsing
        before = yaml_text[: exc.position]
        line, col = before.count("\n") + 2, len(before) - (before.rfind("\n") + 1) + 1
        character = chr(exc.character) if isinstance(exc.character, int) else exc.character
        reporter.error(
            source.location(line, col),
            f"invalid front matter: character '{shown(character)}' is not allowed in YAML",
        )
        return
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 2
        col = mark.column + 1 if mark else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        syntax = isinstance(exc, (yaml.scanner.ScannerError, yaml.parser.ParserError))
        reporter.error(
            source.location(line, col),
            f"invalid front matter: {shown(problem, 100)}"
            f"{_yaml_fix(yaml_text, mark, problem) if syntax else ''}",
        )
        return
    if not isinstance(data, dict):
        reporter.error(source.location(2, 1), "front matter must be a mapping of keys to values")
        return
    source.front_matter = data
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            source.front_matter_lines[str(key_node.value)] = key_node.start_mark.line + 2
    source.front_matter_start = 1


def _bracket_depth(text: str) -> int:
    """An upper bound of how deeply brackets nest, at a glance: PyYAML's scanner takes
    time in proportion to the depth for every token, so 30,000 '[' would take a minute."""
    depth = deepest = 0
    for match in _BRACKET_RE.finditer(text):
        depth = depth + 1 if match.group(0) in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _yaml_depth(yaml_text: str) -> int:
    """How deeply the YAML nests, from its events: PyYAML's parser does not recurse, but
    building the document does, once per level."""
    depth = deepest = 0
    for event in yaml.parse(yaml_text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            deepest = max(deepest, depth)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return deepest


def _yaml_has_aliases(node: yaml.Node) -> bool:
    stack: list[Any] = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            return True
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((key, value))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return False


def _yaml_fix(yaml_text: str, mark: Any, problem: str) -> str:
    """The usual fix of invalid front matter: quote the value, shown on the line when the
    problem is a ': ' inside it (PyYAML marks other problems after where they start)."""
    lines = yaml_text.split("\n")
    if problem != "mapping values are not allowed here" or mark is None:
        return "; put text values in quotes"
    if not 0 <= mark.line < len(lines):
        return "; put text values in quotes"
    key, colon, value = lines[mark.line].partition(": ")
    value = value.strip()
    if not colon or not key.strip() or not value or value[0] in "\"'":
        return "; put text values in quotes"
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'; put the value in quotes: {shown(key.strip())}: "{shown(quoted, 80)}"'
