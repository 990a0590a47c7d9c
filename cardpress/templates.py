"""The one place that builds the Jinja environment every renderer uses."""

from __future__ import annotations

from pathlib import Path

import jinja2


def environment(templates_dir: Path) -> jinja2.Environment:
    """Autoescaping is always on: card HTML is marked safe by the parser, nothing else is."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
