"""Where the command's log lines go: stderr, each through the one gate to the terminal."""

from __future__ import annotations

import logging
import sys

from portal.visible_text import visible

LEVELS = (logging.WARNING, logging.INFO, logging.DEBUG)  # by the number of `-v`


class VisibleFormatter(logging.Formatter):
    """Log lines (`-v`) through the same gate: a record may quote what the portal sent."""

    def format(self, record: logging.LogRecord) -> str:
        return visible(super().format(record))


def log_to_stderr(verbosity: int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(VisibleFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=LEVELS[min(verbosity, len(LEVELS) - 1)], handlers=[handler])
