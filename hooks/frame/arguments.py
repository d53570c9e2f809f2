"""The argument parser of every command: bad arguments are one line and exit 2, and a hook's file named
like an option (`-notes.py`) is still a file, since pre-commit appends file names without a `--`."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import NoReturn

from hooks.frame.output import error_line


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, error_line(self.prog, f"{message} (see {self.prog} --help)") + "\n")

    def parse_hook_args(self, argv: Sequence[str] | None) -> argparse.Namespace:
        """`parse_args` for a hook with a `filenames` positional; what looks like an unknown option but
        names an existing path is one more file."""
        args, extras = self.parse_known_args(argv)
        unknown = [arg for arg in extras if arg.startswith("-") and not os.path.lexists(arg)]
        if unknown:
            self.error(f"unrecognized arguments: {' '.join(unknown)}; {self.prog} takes {self.options()}")
        args.filenames = [*args.filenames, *extras]
        return args

    def options(self) -> str:
        """The options this command takes, as `--help` spells them: `-c/--configfile, --baseline`."""
        taken = ["/".join(action.option_strings) for action in self._actions if action.option_strings]
        return ", ".join(option for option in taken if option != "-h/--help") or "no options"
