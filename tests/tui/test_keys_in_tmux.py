"""The keys of issue 13 as a real terminal sends them: `:143⏎` in one write jumps to the
ticket, `q` goes back and then quits, `o`, a reason and `⏎` in one write reopen a ticket with
that reason as a comment, and a key moved in config.toml's [keymap] works."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from tests.support.portal import start_portal
from tests.support.terminal import COMMAND, ENTER, start_board, terminal, wait_until
from tests.tui.conftest import DEMO_ADMIN

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def held_seconds(home: Path, kind: str) -> float:
    """How long the board's outbox held the write of `kind` for `u` (from its queueing)."""
    [outbox] = (home / "data" / "msp-tickets").glob("*.outbox.db")
    with sqlite3.connect(outbox) as conn:
        created, send_after = conn.execute(
            "SELECT created_at, send_after FROM outbox WHERE kind = ?", (kind,)
        ).fetchone()
    return (datetime.fromisoformat(send_after) - datetime.fromisoformat(created)).total_seconds()


def test_go_to_in_one_burst_q_back_a_remapped_key_and_q_quits(tmp_path: Path) -> None:
    portal = start_portal(tmp_path, seed_demo=True)
    try:
        with terminal(tmp_path) as term:
            board = start_board(
                term,
                tmp_path / "home",
                portal,
                DEMO_ADMIN,
                more_config='undo_seconds = 1\n\n[keymap]\n"board.stats" = "f7"\n',
            )
            tickets = board.api("GET", "/tickets", params={"limit": 500}).json()["items"]
            wanted = tickets[-1]  # the oldest: not the row under the cursor

            term.write(f":{wanted['id']}{ENTER}")
            term.wait_for(lambda s: f"#{wanted['id']} · " in s and "Timeline" in s, "the ticket's detail")

            term.write("q")
            term.wait_for(lambda s: "1 All" in s and "Timeline" not in s, "the board again")

            resolved = next(t for t in tickets if t["status"] == "resolved")
            term.write(f"#{resolved['id']}{ENTER}")
            term.wait_for(lambda s: f"#{resolved['id']} · " in s, "the resolved ticket")
            term.write(f"oStill broken{ENTER}")  # the key, the reason and enter in one write
            # Two writes: the reopening, then the reason as a comment.
            reopened = wait_until(
                lambda: (
                    (ticket := board.api("GET", f"/tickets/{resolved['id']}").json())["status"] == "open"
                    and any(event.get("body") == "Still broken" for event in ticket["timeline"])
                    and ticket
                ),
                "reopened on the portal, the reason as a comment",
            )
            assert reopened["status"] == "open"
            assert any(event.get("body") == "Still broken" for event in reopened["timeline"]), (
                "the reason, as a comment"
            )
            assert held_seconds(tmp_path / "home", "reopen") == pytest.approx(1, abs=0.25), "undo_seconds = 1"
            term.write("q")
            term.wait_for(lambda s: "1 All" in s and "Timeline" not in s, "the board once more")

            term.keys("F7")
            term.wait_for(
                lambda s: "Stats — " in s and "Opened and resolved per week" in s, "the stats on the remapped key"
            )
            term.write("q")
            term.wait_for(lambda s: "1 All" in s and "Stats — " not in s, "the board after the stats")

            term.write("q")
            term.wait_for(lambda s: "[exited 0]" in s, "the app to quit on q")

            # Typed ahead, as the app starts: before it sets the terminal to raw mode, the tty
            # turns the return key into a line feed.
            term.respawn(str(COMMAND))
            term.write(f":{wanted['id']}{ENTER}")
            term.wait_for(lambda s: f"#{wanted['id']} · " in s and "Timeline" in s, "the ticket typed ahead")
            term.write(f"q:{resolved['id']}\n")  # a line feed is enter at any time
            term.wait_for(lambda s: f"#{resolved['id']} · " in s and "Timeline" in s, "the ticket after ctrl+j")
    finally:
        portal.stop()
