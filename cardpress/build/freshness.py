"""Which outputs are already up to date, decided before anything is parsed or imported.

The build records, in its cache folder (``caching.build_folder``, never the output
folder, which may have come with the repository), the hash of every input of each deck
(its Markdown files, images and lock file), a hash of each output's configuration (its
templates, the paper option, SOURCE_DATE_EPOCH and cardpress's own code) and the hash of
each output file, each file's hash beside its identity when it was hashed (device, inode,
size, modification and change times: ``content.files.identity``). An output whose inputs,
configuration and file are all unchanged is not rebuilt. A file that still has its
identity is not read again, so a no-op build reads no content and no output, and imports
nothing heavy; any other file is read and hashed, the content's through the build's
``ContentScan``, which the parser then uses.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardpress import atomic
from cardpress.caching import build_folder, code_fingerprint, file_hash, named_hash
from cardpress.content.files import identity, path_identity
from cardpress.content.scan import ContentScan
from cardpress.content.sources import DeckSources
from cardpress.errors import Diagnostic
from cardpress.model import SourceLocation
from cardpress.print_options import PrintOptions
from cardpress.renderers import FORMATS
from cardpress.template_folders import files as template_files

if TYPE_CHECKING:
    from cardpress.build.jobs import Job
    from cardpress.parse.loader import ContentState

STATE_NAME = "state.json"
STATE_VERSION = 4  # 4: each file's identity beside its hash


def output_config(
    templates: dict[str, Path],
    fmt: str,
    paper: str | None,
    source_date_epoch: int | None,
    printing: PrintOptions | None = None,
    hashes: dict[Path, str | None] | None = None,
) -> str:
    """Everything besides the deck that an output depends on. ``templates``: the files
    that win of the user's folder and the packaged one (``template_folders.files``), of
    which the output uses the shared ones and its own."""
    row = FORMATS[fmt]
    printing = printing or PrintOptions()
    used = {
        name: path
        for name, path in templates.items()
        if "/" not in name or name.startswith(f"{row.template_folder}/")
    }
    parts = [
        fmt,
        code_fingerprint(),
        named_hash(used, hashes),
        f"paper={paper if row.uses_paper else None}",
        f"sde={source_date_epoch}",
    ]
    if row.print_options is not None:
        parts.append(f"print={printing.fingerprint(row.print_options)}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass
class OutputRecord:
    file: str
    sha256: str
    config: str
    warnings: list[str] = field(default_factory=list)  # its renderer's, repeated while fresh
    identity: str = ""  # the file's (content_files.identity) when it was hashed

    def unchanged(self, out: Path) -> bool:
        """The file is still the one this build wrote: the same identity, else the same bytes."""
        path = out / self.file
        if self.identity:
            try:
                if identity(os.stat(path)) == self.identity:
                    return True
            except OSError:
                return False
        return file_hash(path) == self.sha256


@dataclass
class Leftover:
    """An output this folder's builds wrote for a deck that no longer exists (deleted, or
    given another id): reported once when found, removed only by ``--prune``."""

    key: str  # the deck's id when it was written
    sha256: str
    identity: str = ""

    def unchanged(self, out: Path, file: str) -> bool:
        """Still the file cardpress wrote; if not, it is the user's and is left alone."""
        return OutputRecord(file, self.sha256, "", identity=self.identity).unchanged(out)


@dataclass
class DeckRecord:
    key: str
    inputs: dict[str, str]  # path relative to the content folder -> sha256
    identities: dict[str, str] = field(default_factory=dict)  # path -> identity when read
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    asks: list[str] = field(default_factory=list)  # outputs built only when a deck asks

    def expected(self, formats: tuple[str, ...], named: bool) -> set[str]:
        """Which of ``formats`` a build makes of this deck (all when ``--only`` named them)."""
        return {f for f in formats if named or FORMATS[f].by_default or f in self.asks}


@dataclass
class BuildState:
    """What the last build into an output folder wrote, kept in the user's cache folder."""

    decks: dict[str, DeckRecord] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    leftovers: dict[str, Leftover] = field(default_factory=dict)  # by file name

    damaged: str = ""  # why a state on disk could not be read: the build says so, once

    @classmethod
    def read(cls, out: Path) -> BuildState:
        """The state of the last build; none (everything is stale) when there is none, it
        is of another version, or it cannot be read (then ``damaged`` says why)."""
        try:
            raw = state_path(out).read_bytes()
        except FileNotFoundError:
            return cls()
        except OSError as exc:
            return cls(damaged=exc.strerror or str(exc))
        try:
            data = json.loads(raw.decode("utf-8"))
            if data.get("version") != STATE_VERSION:
                return cls()
            return cls(
                decks={
                    unit: DeckRecord(
                        key=str(entry["key"]),
                        inputs={str(k): str(v) for k, v in entry["inputs"].items()},
                        identities={str(k): str(v) for k, v in entry.get("identities", {}).items()},
                        outputs={
                            fmt: OutputRecord(**record) for fmt, record in entry["outputs"].items()
                        },
                        asks=[str(fmt) for fmt in entry.get("asks", []) if fmt in FORMATS],
                    )
                    for unit, entry in data["decks"].items()
                },
                warnings=[
                    Diagnostic(SourceLocation(str(path), int(line), col), severity, str(text))
                    for path, line, col, severity, text in data.get("warnings", [])
                    if (col is None or isinstance(col, int)) and severity in ("error", "warning")
                ],
                leftovers={
                    str(name): Leftover(str(e["key"]), str(e["sha256"]), str(e["identity"]))
                    for name, e in data.get("leftovers", {}).items()
                    if Path(str(name)).name == name  # a file of the folder itself, nothing else
                },
            )
        except RecursionError:
            return cls(damaged="nested too deeply")
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
            not_json = isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError))
            why = "not JSON" if not_json else "not a build state"
            return cls(damaged=why)

    def damaged_warnings(self, out: Path) -> list[str]:
        """The one warning a state that could not be read gets, if it could not."""
        if not self.damaged:
            return []
        return [
            f"cardpress: warning: {state_path(out)}: the state of the last build cannot be "
            f"read ({self.damaged}); it is ignored and every output is built again"
        ]

    def serialise(self) -> bytes:
        data: dict[str, Any] = {
            "version": STATE_VERSION,
            "warnings": [
                [w.location.path, w.location.line, w.location.col, w.severity, w.message]
                for w in self.warnings
            ],
            "decks": {
                unit: {
                    "key": record.key,
                    "inputs": dict(sorted(record.inputs.items())),
                    "identities": dict(sorted(record.identities.items())),
                    "outputs": {fmt: vars(out) for fmt, out in sorted(record.outputs.items())},
                    "asks": sorted(record.asks),
                }
                for unit, record in sorted(self.decks.items())
            },
            "leftovers": {name: vars(left) for name, left in sorted(self.leftovers.items())},
        }
        return (json.dumps(data, indent=1) + "\n").encode()


def state_path(out: Path) -> Path:
    """Where the state of the builds into ``out`` is kept."""
    return build_folder(out) / STATE_NAME


@dataclass
class Plan:
    """Which (deck unit, format) pairs must be rendered."""

    state: BuildState
    units: list[DeckSources]
    fresh: dict[str, set[str]]  # unit -> formats whose output is up to date
    configs: dict[str, str]  # format -> configuration hash
    complete: bool  # every requested output of every deck is fresh
    outputs: int = 0  # how many outputs the build makes when nothing changed

    def output_warnings(self) -> list[str]:
        """What the renderers of the outputs up to date warned about when they made them."""
        return [
            warning
            for unit in self.units
            for fmt in sorted(self.fresh.get(unit.unit, set()))
            for warning in self.state.decks[unit.unit].outputs[fmt].warnings
        ]

    def is_fresh(self, unit: str, fmt: str) -> bool:
        return fmt in self.fresh.get(unit, set())


def inputs_unchanged(scan: ContentScan, unit: DeckSources, record: DeckRecord) -> bool:
    markdown = {p.relative_to(scan.root).as_posix() for p in unit.files}
    recorded_markdown = {p for p in record.inputs if p.endswith(".md")}
    if markdown != recorded_markdown:
        return False
    if not all(scan.relative(p) in record.inputs for p in unit.settings_files):
        return False  # a vault's settings file that appeared since
    return all(
        scan.unchanged(path, digest, record.identities.get(path, ""))
        for path, digest in record.inputs.items()
    )


def plan(
    scan: ContentScan | None,
    templates: Path | None,
    out: Path,
    formats: tuple[str, ...],
    paper: str | None,
    source_date_epoch: int | None,
    strict: bool,
    printing: PrintOptions | None = None,
    named: bool = True,
) -> Plan:
    """``named``: the formats were named on the command line, so every deck gets them all."""
    state = BuildState.read(out)
    winning = template_files(templates)  # listed once for every format
    hashes: dict[Path, str | None] = {}  # templates the formats share, read once
    configs = {
        fmt: output_config(winning, fmt, paper, source_date_epoch, printing, hashes)
        for fmt in formats
    }
    units: list[DeckSources] = []
    complete = (
        scan is not None
        and (templates is None or templates.is_dir())
        and not (strict and state.warnings)
    )
    fresh: dict[str, set[str]] = {}
    for found in scan.found if scan is not None else []:
        if not isinstance(found, DeckSources):
            complete = False
            continue
        units.append(found)
    complete = complete and bool(units)
    complete = complete and set(state.decks) <= {unit.unit for unit in units}  # none deleted
    outputs = 0
    for unit in units:
        record = state.decks.get(unit.unit)
        if scan is None or record is None or not inputs_unchanged(scan, unit, record):
            complete = False
            continue
        expected = record.expected(formats, named)
        outputs += len(expected)
        fresh[unit.unit] = {
            fmt
            for fmt in expected
            if fmt in record.outputs
            and record.outputs[fmt].config == configs[fmt]
            and record.outputs[fmt].unchanged(out)
        }
        complete = complete and fresh[unit.unit] == expected
    return Plan(state, units, fresh, configs, complete, outputs)


def record(
    out: Path,
    formats: tuple[str, ...],
    plan: Plan,
    state: ContentState,
    jobs: list[Job],
    markdown_hashes: dict[str, str],
    rewritten: set[str],
) -> BuildState:
    """The state after a build that rendered ``jobs``: every deck's inputs as read and
    each output's record (``leftovers.settle`` adds the outputs of decks gone since)."""
    rendered = {(job.deck.key, job.fmt): job.final for job in jobs}
    content = state.scan.root
    new = BuildState(warnings=list(state.warnings))
    for deck in state.decks:
        unit = state.units[deck.key]
        markdown = (p.relative_to(content).as_posix() for p in unit.files)
        inputs = {path: markdown_hashes.get(path, "") for path in markdown}
        inputs.update({media.path: media.sha256 for media in deck.media})  # as checked
        inputs.update(
            {
                rel: state.scan.hash(rel) or ""
                for rel in map(state.scan.relative, unit.settings_files)
            }
        )
        lock = state.scan.relative(unit.lock)
        written = deck.key in rewritten  # else as the scan read and hashed it
        inputs[lock] = state.locks[deck.key].file_hash() if written else state.scan.hash(lock) or ""
        identities = {path: state.scan.identity_of(path) for path in inputs}
        if written:
            identities[lock] = path_identity(unit.lock)
        for part, sha256 in state.locks[deck.key].part_hashes().items():
            rel = state.scan.relative(part)
            inputs[rel] = sha256
            identities[rel] = state.scan.identity_of(rel) or path_identity(part)
        asks = [fmt for fmt, row in FORMATS.items() if not row.by_default and row.wanted_by(deck)]
        record = DeckRecord(key=deck.key, inputs=inputs, identities=identities, asks=asks)
        old = plan.state.decks.get(unit.unit)
        unchanged = old is not None and old.key == deck.key and unit.unit in plan.fresh
        if unchanged and old is not None:
            record.outputs.update(old.outputs)
        elif old is not None and old.key == deck.key:  # still ours, though stale: no config
            record.outputs.update({f: replace(o, config="") for f, o in old.outputs.items()})
        for fmt in formats:
            final = rendered.get((deck.key, fmt))
            if final is not None:
                found = path_identity(final)  # before hashing: a change meanwhile gives another
                record.outputs[fmt] = OutputRecord(
                    file=final.name,
                    sha256=file_hash(final) or "",
                    config=plan.configs[fmt],
                    warnings=next(j.warnings for j in jobs if j.final == final),
                    identity=found,
                )
        new.decks[unit.unit] = record
    return new


def write(out: Path, state: BuildState) -> None:
    state_file = state_path(out)
    state_file.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(state_file, state.serialise())
