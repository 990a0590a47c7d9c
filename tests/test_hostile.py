"""Content written by someone else is inert: nothing in it runs, fetches or reads outside.

tests/data/hostile/content is a deck that tries every trick we know (script in titles,
questions, tags and cloze hints, event handlers, javascript: and data: links, frames,
forms, CSS that fetches, braces in alt text, hostile lock-free ids). It builds with
warnings only, and each output is checked: the model and the JSON against the allow-list
of docs/format.md ("Safety"), the HTML page statically and in headless Chromium, the
Anki package imported with the real Anki engine, the PDF read back with pypdf; the
whole build runs with the network cut. SVG images that carry scripts and references
(the parser refuses them; here they are put in a deck by hand) neither run nor fetch in
the page or the PDF. ``html_problems`` is shared with the fuzz test.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import re
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pypdf
import pytest

from cardpress.cli import main as cli_main
from cardpress.errors import BuildError
from cardpress.markup import cloze
from cardpress.model import (
    EMPTY,
    Card,
    CardKind,
    Deck,
    Fragment,
    MediaFile,
    Section,
    SourceLocation,
)
from cardpress.parse import ContentState, read_content
from cardpress.renderers import RenderContext
from cardpress.renderers.html.page import render as html_render
from cardpress.renderers.pdf.html import MEDIA_BASE_URL, FetchPolicy, RefusedReference
from cardpress.renderers.pdf.sheet import render as pdf_render
from cardpress.templates import environment
from tests.conftest import TEMPLATES, format_example
from tests.support.anki_support import AnkiUser
from tests.support.html_support import WATCH_CSP, find_chromium, launched_chromium, missing_browser
from tests.support.paths import DATA

if TYPE_CHECKING:
    from playwright.sync_api import Dialog

SAFE_TAGS = frozenset(
    [
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "code",
        "em",
        "strong",
        "s",
        "del",
        "ins",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "div",
        "span",
        "kbd",
        "sub",
        "sup",
        "mark",
        "small",
        "u",
        "b",
        "i",
    ]
)
SAFE_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title"}),
    "ol": frozenset({"start"}),
    "th": frozenset({"class"}),
    "td": frozenset({"class"}),
    "div": frozenset({"class"}),
    "pre": frozenset({"class"}),
    "code": frozenset({"class"}),
    "span": frozenset({"class", "data-cloze", "data-hint"}),
}
SAFE_HREF_RE = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)
SAFE_CLASS_RE = re.compile(r"^align-(left|right|center)$")


class _Inspector(HTMLParser):
    def __init__(self, media_names: set[str]):
        super().__init__(convert_charrefs=True)
        self.media_names = media_names
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SAFE_TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = SAFE_ATTRIBUTES.get(tag, frozenset())
        for name, value in attrs:
            value = value or ""
            if name not in allowed:
                self.problems.append(f"attribute {name}= on <{tag}>")
            elif name == "href" and not SAFE_HREF_RE.match(value.strip()):
                self.problems.append(f"href {value!r}")
            elif name == "src" and value not in self.media_names:
                self.problems.append(f"src {value!r} is not a media name of the deck")
            elif name == "class" and tag in ("th", "td") and not SAFE_CLASS_RE.match(value):
                self.problems.append(f"class {value!r} on <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.problems.append("an HTML comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"a declaration <!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"a processing instruction <?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"a declaration <![{data}]>")


def html_problems(markup: str, media_names: set[str]) -> list[str]:
    """Everything in ``markup`` outside the allow-list of docs/format.md ("Safety")."""
    inspector = _Inspector(media_names)
    inspector.feed(markup)
    inspector.close()
    return inspector.problems


def deck_fragments(deck: Deck) -> list[tuple[str, Fragment]]:
    """Every fragment of a deck, named for the assertion message."""
    found = [("deck intro", deck.intro)]
    for section in deck.sections:
        found += [(f"{section.key} title", section.title), (f"{section.key} intro", section.intro)]
        for card in section.cards:
            for name in ("question", "answer", "details", "cloze"):
                found.append((f"card {card.id} {name}", getattr(card, name)))
            found += [(f"card {card.id} callout", c.body) for c in card.callouts]
    return found


def deck_html_problems(deck: Deck) -> list[str]:
    names = {media.name for media in deck.media}
    return [
        f"{where}: {problem}"
        for where, fragment in deck_fragments(deck)
        for problem in html_problems(fragment.html, names)
    ]


# -- the hostile fixture through every output --------------------------------------------

HOSTILE = DATA / "hostile" / "content"
DECK = "hostile"
FORBIDDEN_TAGS = {"iframe", "frame", "object", "embed", "applet", "base", "form", "portal"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
ON_ATTRIBUTE = re.compile(r"^on", re.IGNORECASE)
UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data:text|file):", re.IGNORECASE)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


class _Collector(HTMLParser):
    """Every element of a document, with the text of script and style elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: Element | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag in ("script", "style"):
            self._open = element

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.text += data

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag == self._open.tag:
            self._open = None


def elements(document: str) -> list[Element]:
    collector = _Collector()
    collector.feed(document)
    collector.close()
    return collector.elements


def dangerous_markup(document: str, allowed_src: Callable[[str], bool]) -> list[str]:
    """Script, handlers, frames and unsafe URLs in any HTML (an output, an Anki field)."""
    problems = []
    for element in elements(document):
        if element.tag in FORBIDDEN_TAGS:
            problems.append(f"<{element.tag}>")
        for name, value in element.attrs.items():
            if ON_ATTRIBUTE.match(name):
                problems.append(f"{name}= on <{element.tag}>")
            if name in URL_ATTRIBUTES and UNSAFE_URL.match(value):
                problems.append(f"{name}={value[:40]!r} on <{element.tag}>")
            if name == "src" and not allowed_src(value):
                problems.append(f"src={value[:40]!r} on <{element.tag}>")
            if name == "style" and "url(" in value.replace(" ", ""):
                problems.append(f"style with a URL on <{element.tag}>")
    return problems


@dataclass
class Built:
    content: Path
    out: Path
    state: ContentState
    warnings: str


def build_all(content: Path, out: Path) -> str:
    """Build every output through the CLI; returns stderr (the warnings)."""
    stderr = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
        status = cli_main(
            ["--content", str(content), "--templates", str(TEMPLATES), "--out", str(out), "-q"]
        )
    assert status == 0, stderr.getvalue()
    return stderr.getvalue()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("hostile")
    content = root / "content"
    shutil.copytree(HOSTILE, content)
    connections: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        connections.append(args)
        raise OSError("the hostile build tried to use the network")

    with pytest.MonkeyPatch.context() as patch:  # forked render workers inherit the patch
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        warnings = build_all(content, root / "dist")
    assert connections == []
    return Built(content, root / "dist", read_content(content), warnings)


@pytest.fixture(scope="module")
def benign_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("benign")
    (root / "content").mkdir()
    (root / "content" / "networking.md").write_text(format_example(), encoding="utf-8")
    build_all(root / "content", root / "dist")
    return (root / "dist" / "networking-basics.html").read_text(encoding="utf-8")


def card(built: Built, card_id: str) -> Card:
    return next(c for c in built.state.decks[0].cards() if c.id == card_id)


def test_the_model_holds_only_the_allow_list(hostile: Built) -> None:
    deck = hostile.state.decks[0]
    assert deck_html_problems(deck) == []
    names = {media.name for media in deck.media}
    for card_ in deck.cards():
        shown = cloze.as_spans(card_.cloze.html)
        assert html_problems(shown, names) == []
    # Hostile markup is kept as text, visibly, not dropped.
    assert '<script>alert("question")</script>' in card(hostile, "markup").question.text
    assert '<img src=x onerror=alert("answer")>' in card(hostile, "markup").answer.text
    assert '<script>alert("code")</script>' in card(hostile, "code").answer.text
    every_html = " ".join(f.html for _, f in deck_fragments(deck)).lower()
    assert "javascript:" in every_html  # as text
    assert not re.search(r"""(href|src)=["']?\s*javascript""", every_html)
    # Braces in an image's alt text and title are not deletions; the hint stays text.
    tricks = card(hostile, "tricks")
    assert cloze.numbers(tricks.cloze.html) == [1, 2, 4]
    assert "{{c2::answer::&quot; onmouseover=&quot;alert(1)}}" in tricks.cloze.html
    assert "warning: link to 'javascript:alert(\"link\")' is shown as text" in hostile.warnings


def test_the_json_output_holds_only_the_allow_list(hostile: Built) -> None:
    data = json.loads((hostile.out / f"{DECK}.json").read_text(encoding="utf-8"))
    names = {media["name"] for media in data["deck"]["media"]}
    fragments: list[str] = []

    def collect(value: object) -> None:
        if isinstance(value, dict):
            if set(value) == {"html", "text"}:
                fragments.append(str(value["html"]))
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(data)
    assert len(fragments) >= 15
    assert [p for html in fragments for p in html_problems(html, names)] == []


def test_the_html_page_runs_only_its_own_code(hostile: Built, benign_page: str) -> None:
    page = (hostile.out / f"{DECK}.html").read_text(encoding="utf-8")
    found = elements(page)
    own = elements(benign_page)

    def bodies(items: list[Element], tag: str, json_too: bool = False) -> list[str]:
        return [
            e.text
            for e in items
            if e.tag == tag and (json_too or e.attrs.get("type") != "application/json")
        ]

    assert bodies(found, "script") == bodies(own, "script")  # the page's own scripts only
    assert bodies(found, "style") == bodies(own, "style")
    assert len([e for e in found if e.tag == "script"]) == len(bodies(own, "script", True))
    assert dangerous_markup(page, lambda src: src.startswith("data:image/")) == []
    for element in found:
        if element.tag == "a" and "href" in element.attrs:
            assert re.match(r"^(#|https?:|mailto:)", element.attrs["href"]), element
        if element.tag == "link":
            assert element.attrs.get("href", "").startswith("data:"), element
        if element.tag == "meta" and "http-equiv" in element.attrs:
            assert element.attrs["http-equiv"] == "Content-Security-Policy"
    index = next(e for e in found if e.attrs.get("type") == "application/json").text
    assert "</script" not in index.lower() and "<script" not in index.lower()


def dismissed_into(messages: list[str]) -> Callable[[Dialog], None]:
    """A page's dialog handler: note the dialog's message, then dismiss it."""

    def dismiss(dialog: Dialog) -> None:
        messages.append(dialog.message)
        dialog.dismiss()

    return dismiss


def test_the_html_page_in_chromium_opens_no_dialog_and_makes_no_request(hostile: Built) -> None:
    page_path = hostile.out / f"{DECK}.html"
    with chromium() as browser:
        context = browser.new_context()
        context.add_init_script(WATCH_CSP)
        requests: list[str] = []
        dialogs: list[str] = []
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file:") else route.abort()
            ),
        )
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", dismissed_into(dialogs))
        page.goto(page_path.as_uri())
        page.wait_for_load_state("load")
        # Hover over and click everything but links, as a curious reader would.
        page.evaluate(
            """() => { for (const el of document.querySelectorAll('body *')) {
                if (el.closest('a')) continue;
                for (const type of ['mouseover', 'mouseenter', 'focus', 'click']) {
                    el.dispatchEvent(new MouseEvent(type, {bubbles: true})); } } }"""
        )
        page.wait_for_timeout(300)
        violations = page.evaluate("window.__cspViolations")
        context.close()
    assert dialogs == []
    assert [url.split("#")[0] for url in requests] == [page_path.as_uri()]
    assert violations == []


def test_the_anki_fields_hold_no_script(hostile: Built, tmp_path: Path) -> None:
    user = AnkiUser(tmp_path / "anki")
    try:
        user.import_package(hostile.out / f"{DECK}.apkg")
        media = user.media_names()
        notes = user.notes()
        fields = [(note["Id"], name, value) for note in notes for name, value in note.items()]
        descriptions = [deck["desc"] for deck in user.col.decks.all()]
        rendered = [user.render(card_) for card_ in user.cards()]
    finally:
        user.close()
    assert len(rendered) >= 6  # reversed and cloze notes make several cards
    for shown in rendered:
        for side in (shown.question, shown.answer):
            assert dangerous_markup(side, lambda src: src in media) == []
            assert "<script" not in side.lower()
    assert len(notes) == 4
    assert {"pixel", "shape"} <= {name.split("-")[1].split(".")[0] for name in media}
    problems = [
        (note_id, name, problem)
        for note_id, name, value in fields
        for problem in dangerous_markup(value, lambda src: src in media)
    ]
    assert problems == []
    assert all("<script" not in value.lower() for _, _, value in fields)
    for description in descriptions:
        assert dangerous_markup(description, lambda src: src in media) == []
        assert "<script" not in description.lower()


def pdf_actions(path: Path) -> list[str]:
    """Every script or launch action anywhere in a PDF's object graph."""
    reader = pypdf.PdfReader(path)
    found: list[str] = []
    seen: set[int] = set()
    stack: list[Any] = [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, pypdf.generic.IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ("/JS", "/JavaScript", "/OpenAction", "/AA", "/Launch"):
                    found.append(key)
                if key == "/S" and value in ("/JavaScript", "/Launch", "/SubmitForm"):
                    found.append(str(value))
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def test_the_pdf_has_no_script_and_only_safe_links(hostile: Built) -> None:
    reader = pypdf.PdfReader(hostile.out / f"{DECK}.pdf")
    assert pdf_actions(hostile.out / f"{DECK}.pdf") == []
    uris = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A", {})
            assert action.get("/S") in (None, "/URI", "/GoTo"), action
            if "/URI" in action:
                uris.append(str(action["/URI"]))
    assert uris and all(re.match(r"^(https?:|mailto:)", uri) for uri in uris), uris
    text = "".join(page.extract_text() for page in reader.pages)
    assert 'alert("question")' in text  # hostile markup printed as text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "https://example.com/x.png",
        "http://127.0.0.1/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        MEDIA_BASE_URL + "not-a-media-file.png",
        MEDIA_BASE_URL + "../../etc/passwd",
    ],
)
def test_the_pdf_may_read_nothing_outside(hostile: Built, url: str) -> None:
    deck = hostile.state.decks[0]
    media = hostile.state.media_data(deck)
    context = RenderContext(TEMPLATES.resolve(), 0, "test", media=media)
    policy = FetchPolicy.for_deck(deck, context)
    with pytest.raises(RefusedReference):
        policy.load(url)
    name = deck.media[0].name
    assert policy.load(MEDIA_BASE_URL + name) == media[name]


# -- SVG images: shown only as images, so their scripts never run or fetch ---------------


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    executable = find_chromium()
    if executable is None:
        missing_browser("no Chromium found (install Debian's chromium package)")
    assert executable is not None
    with launched_chromium(executable) as browser:
        yield browser


@contextlib.contextmanager
def listening_server() -> Iterator[tuple[str, list[str]]]:
    """A local web server that records every request made to it."""
    seen: list[str] = []

    class Record(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Record)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


SCRIPTS = "<script>alert('svg script')</script>"
FETCHES = (
    '<image href="{base}/image.png" width="10" height="10"/>'
    '<image xlink:href="{base}/xlink.png" width="10" height="10"/>'
    "<style>@import url({base}/style.css);</style>"
)


def svg_deck(folder: Path, base: str, inner: str = SCRIPTS + FETCHES) -> Deck:
    """A deck (made by hand: the parser would refuse it) whose one image is a hostile SVG."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="20" height="20" onload="alert(\'onload\')">'
        + inner.format(base=base)
        + '<rect width="20" height="20" fill="#c33"/></svg>'
    )
    (folder / "evil.svg").write_text(svg)
    here = SourceLocation("x.md", 1)
    image = Fragment('<p><img src="0123456789ab-evil.svg" alt="evil" /></p>\n', "evil")
    card_ = Card("svg", True, CardKind.BASIC, Fragment("Q", "Q"), image, EMPTY, (), (), here)
    section = Section("s", Fragment("S", "S"), EMPTY, (), (card_,), here)
    media = (MediaFile("0123456789ab-evil.svg", "evil.svg", "0" * 64),)
    return Deck("svg", "SVG", "", (), "a4", EMPTY, (section,), media, (), here)


def svg_context(folder: Path, deck: Deck) -> RenderContext:
    """A context holding the deck's SVG as written into ``folder``."""
    media = {m.name: (folder / m.path).read_bytes() for m in deck.media}
    return RenderContext(TEMPLATES, 0, "test", media=media)


def test_an_svg_image_in_the_html_page_neither_runs_nor_fetches(tmp_path: Path) -> None:
    with listening_server() as (base, seen):
        deck = svg_deck(tmp_path, base)
        out = tmp_path / "svg.html"
        html_render(deck, svg_context(tmp_path, deck), out)
        page_text = out.read_text(encoding="utf-8")
        assert "alert('svg script')" not in page_text  # only inside a base64 data: URI
        with chromium() as browser:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", dismissed_into(dialogs))
            page.goto(out.as_uri())
            page.wait_for_load_state("load")
            drawn = page.eval_on_selector(".card img", "img => img.complete && img.naturalWidth")
            page.wait_for_timeout(300)
    assert drawn == 20  # the image itself is shown
    assert dialogs == []
    assert seen == []


def test_an_svg_image_in_the_pdf_fetches_nothing(tmp_path: Path) -> None:
    """Each way an SVG can load a file stops the PDF build, and no request is made."""
    with listening_server() as (base, seen):
        for fetch in re.findall(r"<image[^>]*>|<style>.*?</style>", FETCHES):
            deck = svg_deck(tmp_path, base, fetch)
            with pytest.raises(BuildError):
                pdf_render(deck, svg_context(tmp_path, deck), tmp_path / "svg.pdf")
    assert seen == []
    assert not (tmp_path / "svg.pdf").exists()


def test_an_svg_image_in_the_pdf_runs_nothing(tmp_path: Path) -> None:
    """WeasyPrint draws the SVG and leaves its script and handler behind."""
    deck = svg_deck(tmp_path, "", SCRIPTS)
    pdf_render(deck, svg_context(tmp_path, deck), tmp_path / "svg.pdf")
    assert pdf_actions(tmp_path / "svg.pdf") == []
    assert len(pypdf.PdfReader(tmp_path / "svg.pdf").pages) == 1


def test_templates_autoescape_and_mark_only_model_html_safe() -> None:
    """Jinja escapes everything except the model's already safe HTML fragments."""
    env = environment(TEMPLATES)
    names = env.list_templates()
    assert names
    autoescape = env.autoescape
    assert all(autoescape(name) if callable(autoescape) else autoescape is True for name in names)
    for name in names:
        source = (TEMPLATES / name).read_text(encoding="utf-8")
        for expression in re.findall(r"\{\{-?\s*([^{}]*?)\s*\|\s*safe\b", source):
            assert expression.endswith(".html"), f"{name}: {expression}|safe"
