"""The page's own CSS and JavaScript, and the Content-Security-Policy that admits them.

The assets live in ``templates/html/`` and are read through the Jinja loader, so a
custom templates folder can replace them. Each inline ``<style>`` and ``<script>`` is
admitted by its SHA-256 hash, so nothing else (no handler attribute, no injected
element) can run. Trusted Types are enforced: no script may hand a string to an HTML
sink, except a big deck's page through the one policy that renders its card chunks.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from cardpress.errors import BuildError
from cardpress.markup.highlight import CSS_CLASS, highlight_css

STYLESHEET = "html/style.css"
BOOT_SCRIPT = "html/boot.js"
# One inline script at the end of the page, in this order: app.js uses the other two.
APP_SCRIPTS = ("html/scheduler.js", "html/study.js", "html/cards.js", "html/app.js")
CARDS_POLICY = "cardpress-cards"
"""The Trusted Types policy cards.js creates, once, to render the page's own card chunks."""

LIGHT_CODE_STYLE = "default"
DARK_CODE_STYLE = "github-dark"
DARK_SCOPE = ':root[data-theme="dark"]'
SYSTEM_DARK_SCOPE = ':root:not([data-theme="light"])'
TOKEN_COMMENT_RE = re.compile(r"\s*/\*[^*]*\*/\s*$")


@dataclass(frozen=True)
class PageAssets:
    css: Markup
    boot_js: Markup
    app_js: Markup
    csp: str


def load_assets(
    env: jinja2.Environment, extra_css: str = "", policies: list[str] | None = None
) -> PageAssets:
    """The page's assets; ``extra_css`` (generated, never content) joins the stylesheet;
    ``policies`` are the Trusted Types policies the page's script may create."""
    css = read_asset(env, STYLESHEET) + "\n" + code_css() + extra_css
    boot_js = read_asset(env, BOOT_SCRIPT)
    app_parts = [(name, read_asset(env, name)) for name in APP_SCRIPTS]
    app_js = "\n".join(text for _, text in app_parts)
    for name, text, closing in [
        (STYLESHEET, css, "</style"),
        (BOOT_SCRIPT, boot_js, "</script"),
        *((name, text, "</script") for name, text in app_parts),
    ]:
        if closing in text.lower():
            raise BuildError(f"{name} must not contain {closing}")
    return PageAssets(
        css=Markup(css),
        boot_js=Markup(boot_js),
        app_js=Markup(app_js),
        csp=content_security_policy(styles=[css], scripts=[boot_js, app_js], policies=policies),
    )


def read_asset(env: jinja2.Environment, name: str) -> str:
    if env.loader is None:
        raise BuildError("the template environment has no loader")
    try:
        source, _, _ = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound as error:
        raise BuildError(f"template asset not found: {name}") from error
    return source.strip() + "\n"


def code_css() -> str:
    """Pygments CSS for light pages, and for dark ones by system setting or by choice."""
    dark_by_choice = _scoped_rules(DARK_CODE_STYLE, DARK_SCOPE)
    dark_by_system = _scoped_rules(DARK_CODE_STYLE, SYSTEM_DARK_SCOPE)
    return "\n".join(
        [
            _scoped_rules(LIGHT_CODE_STYLE, ""),
            "@media screen {",
            dark_by_choice,
            "}",
            "@media screen and (prefers-color-scheme: dark) {",
            dark_by_system,
            "}",
        ]
    )


def _scoped_rules(style: str, scope: str) -> str:
    """Only the rules under the highlight class (Pygments adds global ``pre`` rules too),
    without the comment naming each token type."""
    prefix = f"{scope} .{CSS_CLASS}".strip()
    return "\n".join(
        TOKEN_COMMENT_RE.sub("", line)
        for line in highlight_css(style, scope).splitlines()
        if line.startswith(prefix)
    )


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(
    *, styles: list[str], scripts: list[str], policies: list[str] | None = None
) -> str:
    """Nothing may load; only images from data: URIs and our own hashed inline code run;
    no HTML sink takes a string, save through the named ``policies`` (each created once)."""
    directives = [
        "default-src 'none'",
        "img-src data:",
        "style-src " + " ".join(csp_hash(text) for text in styles),
        "script-src " + " ".join(csp_hash(text) for text in scripts),
        "base-uri 'none'",
        "form-action 'none'",
        "require-trusted-types-for 'script'",
        "trusted-types " + (" ".join(policies) if policies else "'none'"),
    ]
    return "; ".join(directives)
