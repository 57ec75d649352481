"""The app ends when it is told to (SIGTERM, SIGHUP, SIGINT) or its terminal goes away, and the
process ends with it even if closing hangs.

A signal asks the app to exit, which gives the terminal back as `ctrl+q` does. A terminal that
has gone (the window closed, the SSH link dropped) sends no signal in some setups, and Textual,
writing to it, then blocks for ever on its output queue: a thread watches the terminal, and once
the app has been asked to end, a timer ends the process if the app has not managed to.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import termios
import threading
from collections.abc import Callable

EXIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
TERMINAL_CHECK_SECONDS = 1.0
# Closing takes well under a second; past this something is stuck (a write to a dead terminal).
EXIT_GRACE_SECONDS = 5.0


class ProcessGuard:
    def __init__(self, exit_app: Callable[[int], None]) -> None:
        """`exit_app(return_code)` asks the app to exit; it is called on the event loop."""
        self._exit_app = exit_app
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous: dict[int, object] = {}
        self._stopped = threading.Event()
        self._ending = False

    def install(self) -> None:
        """From the event loop's thread (the main thread), once the app runs."""
        self._loop = asyncio.get_running_loop()
        for signum in EXIT_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._signalled)
        terminal = _terminal_fd()
        if terminal is not None:
            threading.Thread(target=self._watch, args=(terminal,), name="terminal watch", daemon=True).start()

    def uninstall(self) -> None:
        self._stopped.set()
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def _signalled(self, signum: int, _frame: object) -> None:
        self.end(128 + signum)  # the shell's convention

    def _watch(self, terminal: int) -> None:
        while not self._stopped.wait(TERMINAL_CHECK_SECONDS):
            try:
                termios.tcgetattr(terminal)
            except (termios.error, OSError):
                self.end(128 + signal.SIGHUP)  # as a hangup would have said
                return

    def end(self, return_code: int) -> None:
        """Ask the app to exit; end the process if it has not within EXIT_GRACE_SECONDS."""
        if self._ending or self._loop is None:
            return
        self._ending = True
        timer = threading.Timer(EXIT_GRACE_SECONDS, os._exit, (return_code,))
        timer.daemon = True
        timer.start()
        self._loop.call_soon_threadsafe(self._exit_app, return_code)


def _terminal_fd() -> int | None:
    for stream in (sys.__stdout__, sys.__stdin__):
        try:
            if stream is not None and os.isatty(stream.fileno()):
                return stream.fileno()
        except (OSError, ValueError):
            continue
    return None
