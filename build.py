#!/usr/bin/env python3
"""Build every deck under content/ into dist/ (see `python build.py --help`)."""

import sys

from cardpress.cli import main

if __name__ == "__main__":
    sys.exit(main())
