"""The `msp-tickets` command line: the board with no sub-command, every action for scripts."""

from tui.cli.main import main

__all__ = ["main"]
