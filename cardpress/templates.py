"""The one place that builds the Jinja environment every renderer uses."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import jinja2

from cardpress.template_folders import looked_in, search_path


class _Loader(jinja2.FileSystemLoader):
    """A file-system loader whose "not found" says which folders it searched."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        super().__init__([str(base) for base in search_path(folder)])

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        try:
            return super().get_source(environment, template)
        except jinja2.TemplateNotFound:
            raise jinja2.TemplateNotFound(
                template, f"template {template} not found (looked in {looked_in(self.folder)})"
            ) from None


def environment(templates_dir: Path | None) -> jinja2.Environment:
    """Autoescaping is always on: card HTML is marked safe by the parser, nothing else is."""
    return jinja2.Environment(
        loader=_Loader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.lru_cache(maxsize=4)
def shared_environment(templates_dir: Path | None) -> jinja2.Environment:
    """One environment per templates folder for the renderers that add nothing to it (the
    Anki package and its note types, rendered twice a build): each template is compiled
    once a process, and Jinja still reloads a template whose file changed (``--watch``).
    A renderer that adds filters or globals takes its own ``environment``."""
    return environment(templates_dir)
