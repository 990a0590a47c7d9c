"""The command line: ``main(argv) -> int``; exit 0 built, 1 content errors, 2 usage errors.

Dispatch only: ``cardpress NAME ...`` runs the subcommand of ``COMMANDS``; anything else
is a build (``commands.build``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cardpress import extras
from cardpress.commands import COMMANDS
from cardpress.commands.build import parser, run_build_command


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        command = COMMANDS[argv[0]]
        sub = argparse.ArgumentParser(prog=f"cardpress {command.name}", description=command.summary)
        command.add_arguments(sub)
        args = sub.parse_args(argv[1:])
        if extras.refused(command.extra, f"cardpress {command.name}"):
            return 2
        if command.extra_for_options:
            extra, options = command.extra_for_options
            given = [o for o in options if getattr(args, o, None)]
            if given and extras.refused(extra, f"cardpress {command.name} --{given[0]}"):
                return 2
        try:
            return command.run(args)
        except KeyboardInterrupt:
            print("cardpress: interrupted", file=sys.stderr, flush=True)
            return 130
    return run_build_command(parser().parse_args(argv))
