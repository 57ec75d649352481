"""A real terminal for the real `msp-tickets` process: one tmux server per test (its own socket),
one 120×40 window running the command. Keys are sent as a terminal delivers them; the screen is
read with capture-pane. (From the Terminal class of tests/tui/test_demo_in_tmux.py; kept apart
so that the helpers of parallel branches can be unified into one module.)"""

from __future__ import annotations

import itertools
import os
import shlex
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

_numbers = itertools.count()


class TmuxTerminal:
    def __init__(self, socket: str, session: str = "app") -> None:
        self.socket = socket
        self.session = session

    def tmux(self, *args: str, check: bool = True, env: Mapping[str, str] | None = None) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check, env=env
        ).stdout

    def start(self, argv: list[str], env: Mapping[str, str], size: tuple[int, int] = (120, 40)) -> None:
        # remain-on-exit: a process that ended leaves its last screen (and `pane_dead`) to read.
        # The server starts with `env`, and every process it runs later inherits it.
        self.tmux(
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            str(size[0]),
            "-y",
            str(size[1]),
            shlex.join(argv),
            env=env,
        )
        self.tmux("set-option", "-t", self.session, "remain-on-exit", "on")

    def respawn(self, argv: list[str]) -> None:
        """Start `argv` again in the same window (after the last one ended)."""
        self.tmux("respawn-pane", "-k", "-t", self.session, shlex.join(argv))

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def pid(self) -> int:
        """The process running in the window (the command itself: tmux execs it)."""
        return int(self.tmux("display-message", "-p", "-t", self.session, "#{pane_pid}").strip())

    def running(self) -> bool:
        return self.tmux("display-message", "-p", "-t", self.session, "#{pane_dead}").strip() != "1"

    def wait_for(self, test: Callable[[str], bool], what: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if test(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")
            time.sleep(0.1)


@contextmanager
def tmux_terminal(name: str) -> Iterator[TmuxTerminal]:
    """A terminal on a tmux server of its own, killed (with what runs in it) at the end."""
    terminal = TmuxTerminal(f"msp-tickets-{name}-{os.getpid()}-{next(_numbers)}")
    try:
        yield terminal
    finally:
        terminal.tmux("kill-server", check=False)
        # tmux leaves its socket file behind; the tests leave nothing in /tmp.
        folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (folder / terminal.socket).unlink(missing_ok=True)
