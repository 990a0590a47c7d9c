"""The HTTP side of ``cardpress serve``: the output folder on 127.0.0.1, pages with the
live-reload script, and the status of the last build as JSON.

Only regular files directly in the output folder are served, never a dotfile, and only
to requests addressed to the loopback host (a page elsewhere cannot reach it by a DNS
name that points here).
"""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast
from urllib.parse import unquote, urlsplit

from cardpress.live_page import STATUS_PATH, with_live_reload

LOOPBACK = "127.0.0.1"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".apkg": "application/octet-stream",
}


@dataclass
class BuildStatus:
    """The last build, as the pages ask for it; updated by the build loop."""

    build: int = 0
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(self, ok: bool, problems: list[str]) -> None:
        with self.lock:
            self.build += 1
            self.ok = ok
            self.problems = list(problems)

    def current(self) -> int:
        with self.lock:
            return self.build

    def as_json(self) -> bytes:
        with self.lock:
            data = {"build": self.build, "ok": self.ok, "problems": self.problems}
        return json.dumps(data).encode()


def make_server(out: Path, status: BuildStatus, port: int) -> ThreadingHTTPServer:
    """A server bound to the loopback address only; port 0 picks a free one."""
    folder = out

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            port_now = cast(ThreadingHTTPServer, self.server).server_port
            hosts = {f"{LOOPBACK}:{port_now}", f"localhost:{port_now}"}
            if self.headers.get("Host", "") not in hosts:
                self._send(HTTPStatus.FORBIDDEN, b"cardpress serve answers 127.0.0.1 only\n")
                return
            path = unquote(urlsplit(self.path).path)
            if path == STATUS_PATH:
                self._send(HTTPStatus.OK, status.as_json(), "application/json")
                return
            if path == "/":
                self._index()
                return
            name = path.removeprefix("/")
            file = folder / name
            build = status.current()
            if "/" in name or name.startswith(".") or not file.is_file():
                if name.endswith(".html") and "/" not in name and not name.startswith("."):
                    self._page(HTTPStatus.NOT_FOUND, f"{name} is not built (yet)", build)
                else:
                    self._send(HTTPStatus.NOT_FOUND, b"not found\n")
                return
            data = file.read_bytes()
            if file.suffix == ".html":
                data = with_live_reload(data.decode("utf-8"), build).encode("utf-8")
            self._send(HTTPStatus.OK, data, TYPES.get(file.suffix, "application/octet-stream"))

        def _index(self) -> None:
            pages = sorted(p.name for p in folder.glob("*.html")) if folder.is_dir() else []
            if len(pages) == 1:
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", "/" + pages[0])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            files = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
            items = "".join(
                f'<li><a href="/{html.escape(n)}">{html.escape(n)}</a></li>'
                for n in files
                if not n.startswith(".")
            )
            self._page(HTTPStatus.OK, f"<ul>{items or '<li>nothing built yet</li>'}</ul>", 0)

        def _page(self, code: HTTPStatus, body: str, build: int) -> None:
            """A page of the server's own, which reloads when a build finishes."""
            page = (
                '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
                f"<title>cardpress serve</title></head><body><h1>{html.escape(str(folder))}</h1>"
                f"{body if body.startswith('<') else html.escape(body)}</body></html>\n"
            )
            self._send(code, with_live_reload(page, build).encode(), TYPES[".html"])

        def _send(self, code: HTTPStatus, body: bytes, kind: str = "text/plain") -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the terminal shows builds, not requests

    server = ThreadingHTTPServer((LOOPBACK, port), Handler)
    server.daemon_threads = True
    return server
