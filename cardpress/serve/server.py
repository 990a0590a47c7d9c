"""The HTTP side of ``cardpress serve``: the output folder on 127.0.0.1, pages with the
live-reload script, and the status of the last build as JSON.

Only regular files whose real path lies directly in the output folder are served, never
a dotfile nor a link that leads out of it (an output folder may come from someone else),
and only to requests addressed to the loopback host (a page elsewhere cannot reach it by
a DNS name that points here).
"""

from __future__ import annotations

import html
import json
import os
import stat
import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast
from urllib.parse import parse_qs, quote, unquote, urlsplit

from cardpress.serve.page import STATUS_PATH, with_live_reload

LOOPBACK = "127.0.0.1"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".apkg": "application/octet-stream",
}


WAIT_SECONDS = 25.0  # how long a request for the status may wait for news


@dataclass
class BuildStatus:
    """The last build, as the pages ask for it; updated by the build loop.

    ``build`` counts the builds of the page (a page reloads when it grows and the build
    is good); ``version`` counts every change, the printouts' too, so that a page can
    ask for the status ``after`` the version it has and be answered at the next change.
    """

    build: int = 0
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    version: int = 0
    round: int = 0  # rounds of builds after an edit, whether the page changed or not
    busy: bool = False  # outputs of ``build`` besides the page are still being made
    ready: list[str] = field(default_factory=list)  # the printouts of ``build`` made so far
    printout_problems: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, ok: bool, problems: list[str], busy: bool = False) -> None:
        """A new page (or its problems); ``busy``: more outputs of it are on the way."""
        with self.changed:
            self.build += 1
            self.round += 1
            self.busy = busy
            self.ok = ok
            self.problems = list(problems)
            self.ready = []
            self.printout_problems = []
            self._changed()

    def unchanged(self, busy: bool) -> None:
        """A round that left the page as it was (``busy``: other outputs are on the way)."""
        with self.changed:
            self.round += 1
            self.busy = busy
            self.ready = []
            self.printout_problems = []
            self._changed()

    def announce(self, ok: bool, names: list[str], problems: list[str]) -> None:
        """Outputs of ``build`` made after the page (the deck, a printout), or their problems."""
        with self.changed:
            self.ready += [name for name in names if name not in self.ready]
            if not ok:
                self.printout_problems += problems
            self._changed()

    def done(self) -> None:
        """Every output of ``build`` is made (or failed, or was stopped by a newer edit)."""
        with self.changed:
            self.busy = False
            self._changed()

    def _changed(self) -> None:
        self.version += 1
        self.changed.notify_all()

    def current(self) -> int:
        with self.changed:
            return self.build

    def served(self) -> tuple[int, int, list[str]]:
        """The build a page is served at, the round, and which later outputs are ready."""
        with self.changed:
            return self.build, self.round, list(self.ready)

    def as_json(self, after: int | None = None, wait: float = WAIT_SECONDS) -> bytes:
        """The status as JSON; with ``after``, once ``version`` has passed it (at most
        ``wait`` seconds later), so that a page hears of a change when it happens."""
        with self.changed:
            if after is not None:
                self.changed.wait_for(lambda: self.version > after, timeout=wait)
            data = {
                "build": self.build,
                "ok": self.ok,
                "problems": self.problems,
                "version": self.version,
                "printouts": {
                    "build": self.build,
                    "round": self.round,
                    "busy": self.busy,
                    "ready": self.ready,
                    "problems": self.printout_problems,
                },
            }
        return json.dumps(data).encode()


def asked_after(query: str) -> int | None:
    """The ``after=N`` of a status request, or None."""
    for value in parse_qs(query).get("after", []):
        if value.isdigit() and len(value) < 19:
            return int(value)
    return None


def served_file(folder: Path, name: str) -> Path | None:
    """The real path of ``name`` when it may be served: a regular file, not a dotfile,
    whose real path (links followed) lies directly in ``folder``; else None."""
    if not name or name.startswith(".") or any(c in name for c in "/\\\0"):
        return None
    try:
        root = folder.resolve(strict=True)
        real = (root / name).resolve(strict=True)
        mode = real.lstat().st_mode
    except (OSError, RuntimeError, ValueError):
        return None
    if real.parent != root or real.name.startswith(".") or not stat.S_ISREG(mode):
        return None
    return real


def read_served(folder: Path, name: str) -> bytes | None:
    """The bytes of a file ``served_file`` admits, opened without following a link and
    checked again once open (it may have been swapped); None when it may not be served."""
    real = served_file(folder, name)
    if real is None:
        return None
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC
    try:
        fd = os.open(real, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == getattr(os, "ELOOP", -1):  # swapped for a link since the check
            return None
        raise
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            return None
        return file.read()


def not_utf8(data: bytes, error: UnicodeDecodeError) -> str:
    """Where the first byte that is not UTF-8 is, as ``line L, column C`` (1-based)."""
    line = data.count(b"\n", 0, error.start) + 1
    column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
    return f"byte 0x{data[error.start]:02X} at line {line}, column {column}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that hangs up is not news; anything else is one line, no traceback."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            print(f"cardpress serve: error answering a request: {error!r}", file=sys.stderr)


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
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            if path == STATUS_PATH:
                answer = status.as_json(asked_after(parts.query))
                self._send(HTTPStatus.OK, answer, "application/json")
                return
            if path == "/":
                self._index()
                return
            name = path.removeprefix("/")
            build, round_, ready = status.served()
            try:
                data = read_served(folder, name)
            except OSError as exc:
                self._message(
                    HTTPStatus.INTERNAL_SERVER_ERROR, f"{name}: cannot read: {exc.strerror}", build
                )
                return
            if data is None:
                if name.endswith(".html") and "/" not in name and not name.startswith("."):
                    self._message(HTTPStatus.NOT_FOUND, f"{name} is not built (yet)", build)
                else:
                    self._send(HTTPStatus.NOT_FOUND, b"not found\n")
                return
            suffix = Path(name).suffix
            if suffix == ".html":
                try:
                    page = data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    self._message(
                        HTTPStatus.INTERNAL_SERVER_ERROR,
                        f"{name}: error: the page is not UTF-8 ({not_utf8(data, exc)}); "
                        "cardpress writes its pages in UTF-8, so something else wrote this "
                        "file: build again to replace it, or remove it",
                        build,
                    )
                    return
                data = with_live_reload(page, build, ready, round_).encode("utf-8")
            self._send(HTTPStatus.OK, data, TYPES.get(suffix, "application/octet-stream"))

        def _index(self) -> None:
            pages = sorted(p.name for p in folder.glob("*.html") if served_file(folder, p.name))
            if len(pages) == 1:
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", "/" + quote(pages[0]))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            files = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
            items = "".join(
                f'<li><a href="/{quote(n)}">{html.escape(n)}</a></li>'
                for n in files
                if served_file(folder, n)
            )
            self._page(HTTPStatus.OK, f"<ul>{items or '<li>nothing built yet</li>'}</ul>", 0)

        def _message(self, code: HTTPStatus, text: str, build: int) -> None:
            self._page(code, f"<p>{html.escape(text)}</p>", build)

        def _page(self, code: HTTPStatus, body: str, build: int) -> None:
            """A page of the server's own, which reloads when a build finishes; ``body``
            is HTML, so anything from a request or a file name in it is escaped."""
            page = (
                '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
                f"<title>cardpress serve</title></head><body><h1>{html.escape(str(folder))}</h1>"
                f"{body}</body></html>\n"
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

    return _Server((LOOPBACK, port), Handler)
