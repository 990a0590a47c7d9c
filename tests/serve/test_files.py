"""What ``cardpress serve`` hands out of an output folder it did not necessarily write:
only regular files whose real path lies in it, names escaped on its own pages, and a
page that is not UTF-8 answered with a message instead of a dropped connection."""

from __future__ import annotations

import os
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cardpress.serve.server import BuildStatus, make_server

PAGE = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>{}</body></html>\n'


@pytest.fixture
def dist(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The server of ``cardpress serve`` on a free port over an empty ``dist``."""
    out = tmp_path / "dist"
    out.mkdir()
    server = make_server(out, BuildStatus(), 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", out
    finally:
        server.shutdown()
        server.server_close()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_links_out_of_the_output_folder_are_not_served(
    dist: tuple[str, Path], tmp_path: Path
) -> None:
    url, out = dist
    secret = tmp_path / "home" / "private.txt"
    secret.parent.mkdir()
    secret.write_text("the user's secret\n")
    (out / "notes.json").symlink_to(secret)
    (out / "deck.html").symlink_to(secret)
    (out / "up.json").symlink_to("../home/private.txt")
    (out / ".hidden.json").write_text("{}")
    (out / "dot.json").symlink_to(".hidden.json")
    (out / "folder.json").symlink_to(tmp_path / "home")
    (out / "loop.json").symlink_to("loop.json")
    os.mkfifo(out / "pipe.json")  # opening it would block the server
    (out / "real.json").write_text('{"ok": 1}')
    (out / "alias.json").symlink_to("real.json")

    for name in ("notes.json", "up.json", "dot.json", "folder.json", "loop.json", "pipe.json"):
        code, body = get(url + name)
        assert (code, "secret" in body) == (404, False), name
    code, body = get(url + "deck.html")
    assert code == 404 and "secret" not in body and "deck.html is not built (yet)" in body
    assert get(url + "real.json") == (200, '{"ok": 1}')
    assert get(url + "alias.json") == (200, '{"ok": 1}')  # a link that stays inside

    code, index = get(url)
    assert code == 200
    assert 'href="/real.json"' in index and 'href="/alias.json"' in index
    for name in ("notes.json", "up.json", "dot.json", "folder.json", "pipe.json", "deck.html"):
        assert f'href="/{name}"' not in index, name


def test_the_not_built_page_escapes_the_name_asked_for(dist: tuple[str, Path]) -> None:
    url, _ = dist
    code, body = get(url + "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.html")
    assert code == 404
    assert "<img" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;.html is not built (yet)" in body


def test_the_index_escapes_file_names(dist: tuple[str, Path]) -> None:
    url, out = dist
    (out / "<b>x.json").write_text("{}")
    (out / "a.html").write_text(PAGE.format("a"))
    (out / "b.html").write_text(PAGE.format("b"))
    code, index = get(url)
    assert code == 200 and "<b>x" not in index
    assert '<a href="/%3Cb%3Ex.json">&lt;b&gt;x.json</a>' in index


def test_a_page_that_is_not_utf8_gets_a_message_not_a_dropped_connection(
    dist: tuple[str, Path],
    browser: Any,
    capfd: pytest.CaptureFixture[str],
) -> None:
    url, out = dist
    (out / "latin.html").write_bytes(PAGE.format("Caf\xe9 <b>cr\xe8me</b>").encode("cp1252"))
    code, body = get(url + "latin.html")
    assert code == 500
    expected = "latin.html: error: the page is not UTF-8 (byte 0xE9 at line 2, column 51)"
    assert expected in body

    page = browser.new_page()
    try:
        response = page.goto(url + "latin.html")
        assert response is not None and response.status == 500
        assert expected in page.inner_text("body")
    finally:
        page.close()
    assert "Traceback" not in capfd.readouterr().err
