#!/usr/bin/env python3
"""The live loop: from a card's file written to the page's reload event, in ``cardpress serve``.

For synthetic decks (``run.py``'s generator) it starts ``cardpress serve`` on a free port,
waits for the first build, then edits one card's answer at a time and measures:

- **reload**: from the moment the edited file is written (``write_text`` returned) to the
  moment the server reports a new good build, which is what makes an open page reload
  (the status it serves the page's script; asked with ``?after=N``, which a server that
  does not hold the request answers at once, so the bench then polls every 10 ms);
- **CPU**: user and system time of the ``serve`` process (and of the children it waited
  for) over that interval; printouts stopped by the edit count in it, so ``--idle`` edits
  only once the background printouts are done;
- **printouts**: when the server announces them, from the write to the announcement that
  every printout of the edit is ready (only the last edit of a round waits for it).

Several code trees can be compared, interleaved (A B A B): ``--code DIR`` (repeatable)
runs ``serve`` from that tree (``PYTHONPATH``); the default is this worktree.

    .venv/bin/python bench/live_loop.py --sizes 1000 --edits 4 --rounds 2
    .venv/bin/python bench/live_loop.py --sizes 10000 --only html,anki,json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import generate

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
STATUS = "/__cardpress/status"


def cpu_seconds(pid: int) -> float:
    """utime + stime + cutime + cstime of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICKS


@dataclass
class Server:
    label: str
    code: Path
    cards: int
    folder: Path
    only: str | None
    process: subprocess.Popen[str] | None = None
    url: str = ""
    lines: list[str] = field(default_factory=list)

    def start(self) -> float:
        content = self.folder / "content"
        if not content.exists():
            generate(self.folder, self.cards)
        env = {**os.environ, "PYTHONPATH": str(self.code), "PYTHONUNBUFFERED": "1"}
        env.pop("SOURCE_DATE_EPOCH", None)
        command = [sys.executable, "-m", "cardpress", "serve", "--port", "0"]
        if self.only:
            command += ["--only", self.only]
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            cwd=self.folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if line.startswith("serving "):
                self.url = line.split(" at ")[1].split()[0]
                break
        else:
            raise SystemExit(f"{self.label}: serve ended:\n{''.join(self.lines)}")
        threading.Thread(target=self._drain, daemon=True).start()
        return time.perf_counter() - started

    def _drain(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def status(self, after: int | None = None) -> dict[str, object]:
        query = "" if after is None else f"?after={after}"
        with urllib.request.urlopen(self.url.rstrip("/") + STATUS + query, timeout=120) as r:
            return json.loads(r.read())

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)


def edit(content: Path, number: int) -> None:
    """One card's answer changed in place, differently each time."""
    section = content / "synthetic" / "0001.md"
    text = section.read_text()
    marker = " edited-"
    at = text.index("\n\n", text.index("### ")) + 2
    line_end = text.index("\n", at)
    line = text[at:line_end]
    if marker in line:
        line = line[: line.index(marker)]
    section.write_text(text[:at] + line + f"{marker}{number}" + text[line_end:])


def wait_printouts(server: Server, since_build: int, deadline: float) -> float | None:
    """Seconds until the server says every printout of build ``since_build`` is ready."""
    while time.perf_counter() < deadline:
        status = server.status()
        printing = status.get("printouts")
        if not isinstance(printing, dict):
            return None  # a server that does not build printouts apart
        if printing.get("build") == since_build and printing.get("busy") is False:
            return time.perf_counter()
        time.sleep(0.05)
    return None


def idle(server: Server, deadline: float) -> None:
    """Wait until the server makes nothing in the background (a server that does not
    build apart is always idle)."""
    while time.perf_counter() < deadline:
        later = server.status().get("printouts")
        if not isinstance(later, dict) or not later.get("busy"):
            return
        time.sleep(0.1)


def measure(server: Server, number: int, wait_print: bool) -> dict[str, float | None]:
    status = server.status()
    before = int(status["build"])  # type: ignore[arg-type]
    version = status.get("version")  # a server that holds ``?after=`` until a change
    assert server.process is not None
    cpu0 = cpu_seconds(server.process.pid)
    edit(server.folder / "content", number)
    written = time.perf_counter()
    while True:
        status = server.status(after=None if version is None else int(version))  # type: ignore[call-overload]
        if int(status["build"]) > before:  # type: ignore[arg-type]
            break
        if version is None:
            time.sleep(0.01)
        else:
            version = status["version"]
    reloaded = time.perf_counter()
    cpu = cpu_seconds(server.process.pid) - cpu0
    if not status["ok"]:
        raise SystemExit(f"{server.label}: the build failed: {status['problems']}")
    printed = None
    if wait_print:
        done = wait_printouts(server, int(status["build"]), reloaded + 900)  # type: ignore[arg-type]
        printed = None if done is None else done - written
    return {"reload": reloaded - written, "cpu": cpu, "printouts": printed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--edits", type=int, default=3, help="edits per round and server")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between edits")
    parser.add_argument("--only", default=None, help="formats, as serve's --only")
    parser.add_argument("--code", action="append", type=Path, help="code trees to compare")
    parser.add_argument(
        "--idle",
        action="store_true",
        help="edit only once the background printouts are done (else they are stopped)",
    )
    args = parser.parse_args()
    codes = [c.resolve() for c in (args.code or [ROOT])]
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[tuple[str, int], list[dict[str, float | None]]] = {}
    with tempfile.TemporaryDirectory(prefix="cardpress-live-") as work:
        servers = [
            Server(f"{code.name}", code, cards, Path(work) / f"{i}-{cards}", args.only)
            for cards in sizes
            for i, code in enumerate(codes)
        ]
        try:
            for server in servers:
                first = server.start()
                print(f"{server.label} {server.cards}: first build {first:.2f} s", flush=True)
            number = 0
            for round_ in range(args.rounds):
                for edit_ in range(args.edits):
                    for server in servers:  # interleaved: A B A B
                        number += 1
                        if args.idle:
                            idle(server, time.perf_counter() + 900)
                        last = edit_ == args.edits - 1
                        sample = measure(server, number, wait_print=last)
                        results.setdefault((server.label, server.cards), []).append(sample)
                        printed = sample["printouts"]
                        shown = "-" if printed is None else f"{printed:.1f} s"
                        print(
                            f"round {round_ + 1} {server.label} {server.cards}: reload "
                            f"{sample['reload']:.3f} s, CPU {sample['cpu']:.2f} s, printouts "
                            f"{shown}, load {os.getloadavg()[0]:.2f}",
                            flush=True,
                        )
                        time.sleep(args.gap)
        finally:
            for server in servers:
                server.stop()
    print("\n| code | cards | edits | median reload | min–max | median CPU | printouts ready |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for (label, cards), samples in results.items():
        reloads = [s["reload"] for s in samples if s["reload"] is not None]
        cpus = [s["cpu"] for s in samples if s["cpu"] is not None]
        prints = [s["printouts"] for s in samples if s["printouts"] is not None]
        shown = f"{statistics.median(prints):.1f} s" if prints else "-"
        print(
            f"| {label} | {cards:,} | {len(reloads)} | {statistics.median(reloads):.3f} s "
            f"| {min(reloads):.3f}–{max(reloads):.3f} s | {statistics.median(cpus):.2f} s "
            f"| {shown} |"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
