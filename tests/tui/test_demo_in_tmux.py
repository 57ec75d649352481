"""The real `msp-tickets --demo` in a real terminal (tmux): the board appears, a ticket is
created from the form, and its detail shows it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

COMMAND = Path(sys.executable).with_name("msp-tickets")


class Terminal:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "demo")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "demo", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "demo", "-l", text)

    def wait_for(self, test: Callable[[str], bool], what: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if test(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")
            time.sleep(0.2)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    socket = f"msp-tickets-test-{os.getpid()}"
    term = Terminal(socket)
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "TERM": "xterm-256color"}
    subprocess.run(
        ["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "demo", "-x", "120", "-y", "40", f"{COMMAND} --demo"],
        check=True, env=env,
    )
    try:
        yield term
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def test_demo_board_then_a_new_ticket_and_its_detail(terminal: Terminal) -> None:
    board = terminal.wait_for(lambda s: re.search(r"1 All [1-9]\d*", s) is not None, "the board with the demo tickets")
    assert "Waiting on you" in board and "Status" in board

    terminal.keys("n")
    terminal.wait_for(lambda s: "New ticket" in s and "0/500" in s, "the form")
    terminal.type("Typed into a real terminal")
    terminal.wait_for(lambda s: "26/500" in s, "the live count")
    for _ in range(3):  # subject → category → priority → description, at a person's pace
        terminal.keys("Tab")
        time.sleep(0.3)
    terminal.type("Made by the tmux test.")
    terminal.wait_for(lambda s: "Made by the tmux test." in s, "the description typed")
    terminal.keys("C-s")
    detail = terminal.wait_for(lambda s: "Timeline" in s and "Typed into a real terminal" in s, "the new ticket's detail")
    assert "Made by the tmux test." in detail
    # The demo portal acknowledges it: the detail shows the portal's id.
    terminal.wait_for(lambda s: re.search(r"#\d+ · Typed into a real terminal", s) is not None, "the portal's id")

    terminal.keys("Escape")
    terminal.wait_for(lambda s: "Typed into a real terminal" in s and "1 All" in s, "the board with the new ticket")
    terminal.keys("C-q")
