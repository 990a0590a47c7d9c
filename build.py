#!/usr/bin/env python3
"""Build every deck under content/ into dist/ (see `python build.py --help`)."""

from cardpress.__main__ import entry

if __name__ == "__main__":
    entry()
