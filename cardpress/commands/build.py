"""``cardpress build``: the same as ``cardpress`` with no subcommand."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cardpress.cli import add_build_arguments

    add_build_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from cardpress.cli import run_build_command

    return run_build_command(args)
