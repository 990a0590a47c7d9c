"""A parse cache entry is the parsed file's fields in order, as JSON, and reads back equal."""

from __future__ import annotations

import dataclasses
import enum
import json
from pathlib import Path
from typing import Any

import pytest

from cardpress.content.scan import ContentScan
from cardpress.errors import Reporter
from cardpress.parse.cache import decode_entry, encode_entry
from cardpress.parse.deck import parse_or_reuse, read_source
from cardpress.parse.deck_state import DeckState
from cardpress.parse.drafts import ParsedFile
from cardpress.parse.front_matter import split_front_matter
from tests.support.paths import DATA

SECTION = """## Kinds of cards

Intro with **bold**.

### What is a list?
<!-- id: list -->

- one
- two `code`

| a | b |
| :- | -: |
| 1 | 2 |

### Run it
<!-- id: code; tags: shell -->

```python
print("hi")
```

```sh
echo hi
```

### Capital of France?
<!-- kind: reversed -->

Paris.

### Cloze
<!-- kind: cloze -->

The {{c1::Seine}} flows through {{c2::Paris}}.

> [!NOTE]
> A callout.
"""


def fields_in_order(value: Any) -> Any:
    """The entry's layout spelt out: a dataclass as the list of its fields, an enum as its
    value, a tuple as a list."""
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [fields_in_order(getattr(value, f.name)) for f in dataclasses.fields(value)]
    if isinstance(value, tuple):
        return [fields_in_order(v) for v in value]
    return value


class Collect:
    def __init__(self) -> None:
        self.entries: dict[str, ParsedFile] = {}

    def key(self, source: Any) -> str:
        return str(source.rel)

    def get(self, key: str, scan: ContentScan) -> None:
        return None

    def put(self, key: str, parsed: ParsedFile) -> None:
        self.entries[key] = parsed

    def prefetch(self, sources: Any) -> None:
        """Nothing ahead."""


def parsed_files(content: Path) -> dict[str, ParsedFile]:
    scan = ContentScan(content.resolve())
    report = Reporter(False)
    collected = Collect()
    for path in sorted(scan.root.rglob("*.md")):
        source = read_source(scan, path, report)
        assert source is not None
        split_front_matter(
            source, report, wanted=path.name == "index.md" or path.parent == scan.root
        )
        parse_or_reuse(source, DeckState(scan, report), collected)
    return collected.entries


@pytest.fixture(params=["format-example", "multi-file", "own"])
def content(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param != "own":
        return Path(DATA / "golden" / request.param / "content")
    deck = tmp_path / "content" / "kinds"
    deck.mkdir(parents=True)
    (deck / "index.md").write_text("---\ntitle: Kinds\nid: kinds\n---\n\nIntro.\n")
    (deck / "1.md").write_text(SECTION)
    return tmp_path / "content"


def test_an_entry_is_the_fields_in_order_and_reads_back_equal(content: Path) -> None:
    entries = parsed_files(content)
    assert len(entries) == len(list(content.rglob("*.md")))
    for key, parsed in entries.items():
        data = encode_entry(parsed, key)
        expected = {"key": key, "parsed": fields_in_order(parsed)}
        assert data == json.dumps(expected, ensure_ascii=False).encode()
        assert decode_entry(data, key) == parsed


def test_what_is_not_model_data_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot store"):
        encode_entry(object(), "key")  # type: ignore[arg-type]
