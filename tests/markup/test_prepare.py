"""What a parse worker would make again is made before it is forked."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import ROOT

PROBE = """
import sys
from pygments.lexers.python import PythonLexer
from pygments.lexers.shell import BashLexer
from cardpress.markup.html import prepare
texts = [
    "Intro.\\n\\n```python\\nx = 1\\n```\\n",
    "  ~~~ bash extra\\nls\\n~~~\\n",
    "```nosuch\\n```",
]
prepare(texts, math=False)
compiled = [cls.__name__ for cls in (PythonLexer, BashLexer) if "_tokens" in cls.__dict__]
print(",".join(compiled))
"""


def test_the_lexers_fences_name_are_compiled_before_any_file_is_parsed() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["PythonLexer,BashLexer"]
