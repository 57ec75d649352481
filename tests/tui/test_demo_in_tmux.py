"""The real `msp-tickets --demo` in a real terminal (tmux): the board appears, a ticket is
created from the form, and its detail shows it; quitting leaves nothing in the temp folder, and
the demo kept under the XDG data folder shows the ticket again on the next start
(`--demo-reset` starts afresh)."""

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


COUNTDOWN = re.compile(r"next in (\d+) s")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Terminal, Path, dict[str, str]]]:
    """The demo in a terminal, the folder given as its TMPDIR, and its environment."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = user_env(tmp_path / "home", TMPDIR=str(temp))
    with terminal(tmp_path) as term:
        term.start(f"{COMMAND} --demo", env)
        yield term, temp, env


def restart(terminal: Terminal, command: str, env: dict[str, str]) -> str:
    """The board once its table shows rows (the pills' counts can come first)."""
    terminal.close()
    terminal.start(command, env)
    return terminal.wait_for(
        lambda s: re.search(r"1 All [1-9]\d*", s) is not None and re.search(r"#\d+ ", s) is not None,
        "the demo board again, with its rows",
    )


def test_demo_board_then_a_new_ticket_and_its_detail(
    demo: tuple[Terminal, Path, dict[str, str]], tmp_path: Path
) -> None:
    terminal, temp, env = demo
    board = terminal.wait_for(lambda s: re.search(r"1 All [1-9]\d*", s) is not None, "the board with the demo tickets")
    assert "Waiting on you" in board and "Status" in board

    # The status line counts down to the next sync second by second.
    first = terminal.wait_for(
        lambda s: (found := COUNTDOWN.search(s)) is not None and int(found.group(1)) > 2, "the countdown"
    )
    seconds = int(COUNTDOWN.search(first).group(1))
    terminal.wait_for(
        lambda s: (found := COUNTDOWN.search(s)) is not None and int(found.group(1)) == seconds - 1,
        "the countdown's next second",
    )

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
    detail = terminal.wait_for(
        lambda s: "Timeline" in s and "Typed into a real terminal" in s, "the new ticket's detail"
    )
    assert "Made by the tmux test." in detail
    # The demo portal acknowledges it: the detail shows the portal's id.
    terminal.wait_for(lambda s: re.search(r"#\d+ · Typed into a real terminal", s) is not None, "the portal's id")

    terminal.keys("Escape")
    terminal.wait_for(lambda s: "Typed into a real terminal" in s and "1 All" in s, "the board with the new ticket")
    terminal.keys("C-q")
    wait_until(terminal.process_ended, "the demo to end")
    assert terminal.exit_status() == 0
    assert list(temp.iterdir()) == []
    kept = tmp_path / "home" / "data" / "msp-tickets" / "demo"
    assert (kept / "portal.db").exists() and kept.stat().st_mode & 0o777 == 0o700

    board = restart(terminal, f"{COMMAND} --demo", env)
    assert "Typed into a real terminal" in board, "a restart keeps the user's tickets"
    terminal.keys("C-q")
    wait_until(terminal.process_ended, "the demo to end")

    board = restart(terminal, f"{COMMAND} --demo-reset", env)
    assert "Typed into a real terminal" not in board
    terminal.keys("C-q")
    wait_until(terminal.process_ended, "the demo to end")
    assert list(temp.iterdir()) == []
