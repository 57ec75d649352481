"""The real `msp-tickets --demo` in a real terminal (tmux): the board appears, a ticket is
created from the form, and its detail shows it; quitting removes the demo's folder."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.terminal import COMMAND, Terminal, terminal, user_env, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    """The demo in a terminal, and the folder where it makes its temporary folder (TMPDIR)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    with terminal(tmp_path) as term:
        term.start(f"{COMMAND} --demo", user_env(tmp_path / "home", TMPDIR=str(temp)))
        yield term, temp


def test_demo_board_then_a_new_ticket_and_its_detail(demo: tuple[Terminal, Path]) -> None:
    terminal, temp = demo
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
    wait_until(terminal.process_ended, "the demo to end")
    assert terminal.exit_status() == 0
    wait_until(lambda: not any(temp.iterdir()), "the demo's folder to be removed")
