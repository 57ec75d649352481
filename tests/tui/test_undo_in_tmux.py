"""Undo as a real terminal sends it (the real `msp-tickets` in tmux, the real portal): `f`, `y`
and `u` in one write leave the ticket resolved on the portal, the outbox empty; a confirm held
when the app is killed (SIGKILL) is sent by the next start."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.support.portal import RunningPortal
from tests.support.terminal import ENTER, Board, start_board, terminal, wait_until
from tests.tui.conftest import DEMO_ADMIN
from tui.config import DEFAULT_UNDO_SECONDS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]
# demo_portal: tests/tui/conftest.py's, one seeded portal for the module.


def outbox_rows(home: Path) -> list[tuple[str, str, str | None]]:
    """(kind, state, send_after) of every item in the board's outbox file, read as it is on disk."""
    [outbox] = (home / "data" / "msp-tickets").glob("*.outbox.db")
    with sqlite3.connect(outbox) as conn:
        return conn.execute("SELECT kind, state, send_after FROM outbox ORDER BY id").fetchall()


def open_resolved(board: Board, skip: int = 0) -> int:
    """Open a resolved ticket by its number (`#143⏎`); its id."""
    tickets = board.api("GET", "/tickets", params={"limit": 500, "status": "resolved"}).json()["items"]
    ticket_id = tickets[skip]["id"]
    board.terminal.write(f"#{ticket_id}{ENTER}")
    board.terminal.wait_for(lambda s: f"#{ticket_id} · " in s and "f Confirm" in s, "the resolved ticket")
    return ticket_id


def status_on_portal(board: Board, ticket_id: int) -> str:
    return board.api("GET", f"/tickets/{ticket_id}").json()["status"]


def test_f_y_u_in_one_burst_sends_nothing(demo_portal: RunningPortal, tmp_path: Path) -> None:
    home = tmp_path / "home"
    with terminal(tmp_path) as term:
        board = start_board(term, home, demo_portal, DEMO_ADMIN)
        ticket_id = open_resolved(board)
        written = time.monotonic()
        term.write("fyu")
        term.wait_for(lambda s: f"Undone: “Confirmed #{ticket_id}”" in s, "the undo said")
        assert outbox_rows(home) == [], "taken out of the outbox"
        # Past the window, a sync: what was taken back is not there to send.
        time.sleep(max(0.0, DEFAULT_UNDO_SECONDS + 1 - (time.monotonic() - written)))
        term.write("r")
        term.wait_for(lambda s: "synced just now" in s and "syncing" not in s, "a sync after the window")
        assert status_on_portal(board, ticket_id) == "resolved"
        screen = term.wait_for(lambda s: "f Confirm" in s, "the ticket offered for confirming again")
        assert "Resolved" in screen


def test_a_confirm_held_when_the_app_is_killed_goes_at_the_next_start(
    demo_portal: RunningPortal, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    with terminal(tmp_path) as term:
        board = start_board(term, home, demo_portal, DEMO_ADMIN)
        ticket_id = open_resolved(board, skip=1)
        term.write("fy")
        term.wait_for(lambda s: f"Confirmed #{ticket_id} · u to undo" in s and " u Undo " in s, "the confirm held")
        os.kill(term.pid(), signal.SIGKILL)
        wait_until(term.process_ended, "the app killed")
        [(kind, state, send_after)] = outbox_rows(home)
        assert (kind, state, send_after is not None) == ("confirm", "pending", True)
        assert status_on_portal(board, ticket_id) == "resolved", "not sent during the window"
    (tmp_path / "again").mkdir()
    with terminal(tmp_path / "again") as term:
        start_board(term, home, demo_portal, DEMO_ADMIN)
        wait_until(lambda: status_on_portal(board, ticket_id) == "closed", "sent by the next start")
        # The portal has it before the app has heard its answer and marked it done.
        wait_until(lambda: [row[:2] for row in outbox_rows(home)] == [("confirm", "done")], "marked done")
        assert [row[:2] for row in outbox_rows(home)] == [("confirm", "done")]
