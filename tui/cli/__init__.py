"""The `msp-tickets` command line: the board with no sub-command, every action for scripts."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """`msp-tickets` alone is the board, which needs none of the parser's modules (argparse and
    what every command's options name: a few ms of each launch, bench/launch.py); it is what
    the parser makes of no argument (tui/cli/command_line.py `NO_ARGUMENTS`)."""
    given = sys.argv[1:] if argv is None else argv
    if not given:
        from tui.cli.board import run_board
        from tui.cli.logs import log_to_stderr

        log_to_stderr(0)
        return run_board(None)
    from tui.cli.command_line import main as command_line

    return command_line(given)


__all__ = ["main"]
