"""The HTML one-pager as a file: self-contained, safe and reproducible (no browser needed)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cardpress.errors import BuildError
from cardpress.model import (
    Card,
    CardKind,
    Deck,
    Fragment,
    MediaFile,
    Section,
    SourceLocation,
)
from cardpress.renderers import RenderContext
from cardpress.renderers.html.index import CHUNK_CARDS, CHUNKED_CARDS, script_safe_json
from cardpress.renderers.html.page import cloze_spans, render_page
from tests.conftest import TEMPLATES
from tests.support.html_support import (
    TINY_PNG,
    build_html,
    missing_browser,
    parse_page,
    raw_block,
    write_study_content,
)


@pytest.fixture(scope="module")
def study_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("html-render")
    out = build_html(write_study_content(root / "content"), root / "dist")
    return (out / "networking-basics.html").read_text(encoding="utf-8")


def csp_of(page: str) -> dict[str, list[str]]:
    parsed = parse_page(page)
    metas = [t for t in parsed.tags if t.name == "meta" and "http-equiv" in t.attrs]
    assert [m.attrs["http-equiv"] for m in metas] == ["Content-Security-Policy"]
    policy: dict[str, list[str]] = {}
    for directive in metas[0].attrs["content"].split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_build_writes_one_html_file_per_deck(tmp_path: Path) -> None:
    out = build_html(write_study_content(tmp_path / "content"), tmp_path / "dist")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "networking-basics.html"
    ]


def test_the_format_example_builds_through_the_cli(
    example_content: Path, build_deck: Callable[..., Path], tmp_path: Path
) -> None:
    out = build_deck(example_content, tmp_path / "dist", "html")
    page = (out / "networking-basics.html").read_text(encoding="utf-8")
    articles = re.findall(r'<article class="card card-(\w+)[^"]*" id="([^"]+)"', page)
    assert [kind for kind, _ in articles] == ["basic", "cloze", "reversed", "basic"]
    assert articles[0][1] == "card-ordered-delivery"
    assert "<title>Networking Basics</title>" in page
    index = json.loads(raw_block(page, '<script type="application/json" id="search-index">'))
    assert ["card-" + row[0] for row in index["cards"]] == [anchor for _, anchor in articles]


def test_nothing_refers_outside_the_page(study_html: str) -> None:
    parsed = parse_page(study_html)
    for tag in parsed.tags:
        for name in ("src", "srcset", "data", "poster", "action", "formaction"):
            value = tag.attrs.get(name)
            assert value is None or value.startswith("data:"), (tag.name, name, value)
        if tag.name == "link":
            assert tag.attrs["href"].startswith("data:"), tag.attrs
        if tag.name == "a":
            assert re.match(r"#|https?:|mailto:", tag.attrs["href"]), tag.attrs
    css = raw_block(study_html, "<style>")
    assert "@import" not in css
    assert all(u.startswith(("data:", '"data:')) for u in re.findall(r"url\(([^)]*)\)", css))


def test_the_image_is_inlined_as_a_data_uri(study_html: str) -> None:
    images = [t for t in parse_page(study_html).tags if t.name == "img"]
    assert len(images) == 1
    assert images[0].attrs["alt"] == "two pixels"
    prefix = "data:image/png;base64,"
    assert images[0].attrs["src"].startswith(prefix)
    assert base64.b64decode(images[0].attrs["src"][len(prefix) :]) == TINY_PNG


def test_the_content_security_policy_admits_only_the_page_own_code(study_html: str) -> None:
    policy = csp_of(study_html)
    assert policy["default-src"] == ["'none'"]
    assert policy["img-src"] == ["data:"]
    assert policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in " ".join(policy["style-src"] + policy["script-src"])
    styles = [text for tag, text in parse_page(study_html).raw_blocks if tag.name == "style"]
    scripts = [
        text
        for tag, text in parse_page(study_html).raw_blocks
        if tag.name == "script" and tag.attrs.get("type") != "application/json"
    ]
    assert len(styles) == 1 and len(scripts) == 2
    assert policy["style-src"] == [sha256_source(text) for text in styles]
    assert policy["script-src"] == [sha256_source(text) for text in scripts]


def test_no_element_carries_an_inline_handler_or_style(study_html: str) -> None:
    for tag in parse_page(study_html).tags:
        assert not [name for name in tag.attrs if name.startswith("on")], tag
        assert "style" not in tag.attrs, tag
        assert "javascript:" not in " ".join(tag.attrs.values()).lower(), tag


def test_markup_in_the_content_stays_text(study_html: str) -> None:
    assert "Markup in a question: &lt;script&gt;alert(1)&lt;/script&gt;?" in study_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in study_html
    assert study_html.count("<script") == 3  # the index, the head script and the app


def test_the_search_index_is_json_that_cannot_close_its_script(study_html: str) -> None:
    opening = '<script type="application/json" id="search-index">'
    raw = raw_block(study_html, opening)
    assert "<" not in raw and ">" not in raw and "&" not in raw
    index = json.loads(raw)
    ids = ["card-" + row[0] for row in index["cards"]]
    articles = [t.attrs["id"] for t in parse_page(study_html).tags if t.name == "article"]
    assert ids == articles
    texts = {row[0]: row[3] for row in index["cards"]}
    assert "</script><!-- too." in texts["markup-is-text"]
    assert "syn-ack, then ack" in texts["tcp-three-way-handshake"]  # as search compares
    assert "{{" not in " ".join(texts.values())
    assert "chunks" not in index  # a small deck's cards are all in the document


def test_script_safe_json_round_trips_every_dangerous_character() -> None:
    value = {"text": "</script><!--<script>&amp; \u2028\u2029 \"'"}
    encoded = script_safe_json(value)
    assert not set("<>&\u2028\u2029") & set(encoded)
    assert json.loads(encoded) == value


def test_every_card_has_its_parts_and_a_permalink(study_html: str) -> None:
    parsed = parse_page(study_html)
    articles = [t for t in parsed.tags if t.name == "article"]
    assert len(articles) == 8
    links = {t.attrs["href"] for t in parsed.tags if t.name == "a"}
    for article in articles:
        assert article.attrs["id"].startswith("card-")
        assert "#" + article.attrs["id"] in links
    assert 'id="card-ordered-delivery"' in study_html  # the explicit id gives the anchor
    assert "<strong>TCP</strong>: it numbers every byte" in study_html
    assert "UDP sends independent datagrams" in study_html  # details
    assert 'class="callout callout-tip"' in study_html
    assert 'class="callout callout-warning"' in study_html
    assert '<span class="card-kind">Term</span>' in study_html  # the reversed card
    assert '<div class="highlight">' in study_html
    assert "<table>" in study_html


def test_cloze_deletions_are_spans_with_their_answers(study_html: str) -> None:
    assert '<span class="cloze" data-cloze="1">SYN</span>' in study_html
    assert '<span class="cloze" data-cloze="2">SYN-ACK</span>' in study_html
    assert (
        '<span class="cloze cloze-hinted" data-cloze="3"><span class="cloze-answer">ACK</span>'
        '<span class="cloze-hint">last step</span></span>'
    ) in study_html


def test_cloze_spans_keeps_the_text_around_deletions() -> None:
    html = "<p>a {{c1::b}} c {{c2::d::e}} f</p>"
    assert cloze_spans(html) == (
        '<p>a <span class="cloze" data-cloze="1">b</span> c '
        '<span class="cloze cloze-hinted" data-cloze="2"><span class="cloze-answer">d</span>'
        '<span class="cloze-hint">e</span></span> f</p>'
    )


def test_tags_appear_once_where_they_apply(study_html: str) -> None:
    options = re.findall(r'<option value="([^"]*)">', study_html)
    for tag in ("networking", "example", "transport", "tcp-udp", "handshake", "cli", "safety"):
        assert tag in options
    assert '<ul class="tags deck-tags"' in study_html
    assert 'href="#tag=safety"' in study_html


def test_the_page_is_byte_identical_across_builds(tmp_path: Path) -> None:
    content = write_study_content(tmp_path / "content")
    first = (build_html(content, tmp_path / "a") / "networking-basics.html").read_bytes()
    second = (build_html(content, tmp_path / "b") / "networking-basics.html").read_bytes()
    assert first == second


def test_anchors_survive_an_edited_answer(tmp_path: Path) -> None:
    content = write_study_content(tmp_path / "content")
    before = (build_html(content, tmp_path / "a") / "networking-basics.html").read_text()
    source = content / "networking.md"
    source.write_text(source.read_text().replace("Two pixels", "Exactly two pixels"))
    after = (build_html(content, tmp_path / "b") / "networking-basics.html").read_text()
    assert "Exactly two pixels" in after
    anchor_re = r'<article [^>]*id="([^"]+)"'
    assert re.findall(anchor_re, before) == re.findall(anchor_re, after)


# ---- Hand-made decks: what the parser never produces must still be handled -------------


def one_card_deck(answer_html: str, media: tuple[MediaFile, ...] = ()) -> Deck:
    here = SourceLocation("deck.md", 1)
    card = Card(
        id="only",
        explicit_id=True,
        kind=CardKind.BASIC,
        question=Fragment("Q", "Q"),
        answer=Fragment(answer_html, "A"),
        details=Fragment("", ""),
        callouts=(),
        tags=("t",),
        location=here,
    )
    section = Section("s", Fragment("S", "S"), Fragment("", ""), (), (card,), here)
    return Deck(
        key="hand-made",
        title='Title <b>&amp; "quotes"',
        description="",
        tags=(),
        paper="a4",
        intro=Fragment("", ""),
        sections=(section,),
        media=media,
        sources=("deck.md",),
        location=here,
    )


def context_for(content: Path, deck: Deck | None = None) -> RenderContext:
    """A context with the deck's images as read from ``content``."""
    media = {m.name: (content / m.path).read_bytes() for m in deck.media} if deck else {}
    return RenderContext(templates_dir=TEMPLATES, build_time=0, version="t", media=media)


def test_plain_strings_from_the_model_are_escaped(tmp_path: Path) -> None:
    page = render_page(one_card_deck("<p>A</p>"), context_for(tmp_path))
    assert "<title>Title &lt;b&gt;&amp;amp; &#34;quotes&#34;</title>" in page


def test_an_image_outside_the_deck_media_fails_the_build(tmp_path: Path) -> None:
    deck = one_card_deck('<p><img src="https://example.com/x.png" alt=""></p>')
    with pytest.raises(BuildError, match="unknown media"):
        render_page(deck, context_for(tmp_path))


def test_svg_media_gets_its_own_type(tmp_path: Path) -> None:
    (tmp_path / "d.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    deck = one_card_deck(
        '<p><img src="d.svg" alt="d"></p>', media=(MediaFile("d.svg", "d.svg", "x"),)
    )
    assert 'src="data:image/svg+xml;base64,' in render_page(deck, context_for(tmp_path, deck))


def test_a_missing_browser_skips_locally_and_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium"):
        missing_browser("no Chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true requires"):
        missing_browser("no Chromium")


def many_card_deck(count: int, answer_html: str) -> Deck:
    """``count`` cards in one section, the last with ``answer_html`` for its answer."""
    here = SourceLocation("deck.md", 1)
    cards = tuple(
        Card(
            id=f"c{n}",
            explicit_id=True,
            kind=CardKind.BASIC,
            question=Fragment(f"Q{n}", f"Q{n}"),
            answer=Fragment(answer_html if n == count - 1 else "<p>A</p>", "A"),
            details=Fragment("", ""),
            callouts=(),
            tags=(),
            location=here,
        )
        for n in range(count)
    )
    section = Section("s", Fragment("S", "S"), Fragment("", ""), (), cards, here)
    deck = one_card_deck("<p>A</p>")
    return Deck(**{**deck.__dict__, "sections": (section,)})


def test_a_big_deck_gets_chunks_and_its_one_trusted_types_policy(tmp_path: Path) -> None:
    small = render_page(many_card_deck(CHUNKED_CARDS, "<p>A</p>"), context_for(tmp_path))
    assert '<div class="card-chunk">' not in small
    assert csp_of(small)["trusted-types"] == ["'none'"]
    big = render_page(many_card_deck(CHUNKED_CARDS + 1, "<p>A</p>"), context_for(tmp_path))
    assert big.count('<div class="card-chunk"><noscript>') == -(-(CHUNKED_CARDS + 1) // CHUNK_CARDS)
    assert csp_of(big)["trusted-types"] == ["cardpress-cards"]
    index = json.loads(raw_block(big, '<script type="application/json" id="search-index">'))
    assert sum(index["chunks"]) == CHUNKED_CARDS + 1


def test_markup_that_would_end_a_chunk_keeps_the_cards_in_the_document(tmp_path: Path) -> None:
    deck = many_card_deck(CHUNKED_CARDS + 1, "<p>A</noscript><p>B</p>")
    page = render_page(deck, context_for(tmp_path))
    assert '<div class="card-chunk">' not in page
    assert csp_of(page)["trusted-types"] == ["'none'"]
    index = json.loads(raw_block(page, '<script type="application/json" id="search-index">'))
    assert "chunks" not in index and len(index["cards"]) == CHUNKED_CARDS + 1
