"""The commands' console on standard output: rich's, except where the reader goes away.

rich answers a closed pipe (``tongcheng rules | head -1``) by exiting 1, which for these commands
means "found problems". This console raises ``BrokenPipeError`` instead, which the command line
ends on quietly with the code a shell gives SIGPIPE (``cli_usage.Group``: 141).
"""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console


class PipedConsole(Console):
    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


def stdout_console(width: int = 120, **options: Any) -> Console:
    """The console for a command's output: the terminal's width, else ``width`` columns."""
    return PipedConsole(highlight=False, width=None if sys.stdout.isatty() else width, **options)
