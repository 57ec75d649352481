"""`y` in a real terminal (the real `msp-tickets` in tmux, the real portal): the bytes the app
writes (tmux's pipe-pane, before tmux reads them) hold the OSC 52 sequence with, byte for byte,
the base64 of the reference — for a subject that itself carries OSC 52 too, which reaches the
clipboard spelt out, never as a sequence of its own."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import httpx
import pytest

from tests.support.portal import start_portal
from tests.support.terminal import ENTER, PANE, start_board, terminal, wait_until
from tests.tui.conftest import DEMO_ADMIN

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

HOSTILE = "Printer \x1b]52;c;cm0gLXJmIH4=\x07 jams"
HOSTILE_COPIED = "Printer \\x1b]52;c;cm0gLXJmIH4=\\x07 jams"


def osc52(text: str) -> bytes:
    return b"\x1b]52;c;" + base64.b64encode(text.encode("utf-8")) + b"\x07"


def test_y_writes_osc52_with_the_reference_and_nothing_else(tmp_path: Path) -> None:
    portal = start_portal(tmp_path, seed_demo=True)
    output = tmp_path / "pane-output"
    try:
        with terminal(tmp_path) as term:
            board = start_board(term, tmp_path / "home", portal, DEMO_ADMIN)
            hostile = httpx.post(
                f"{portal.api}/tickets",
                json={"subject": HOSTILE, "category": "hardware", "priority": "low", "description": "d"},
                headers={"Authorization": f"Bearer {board.token}", "Idempotency-Key": "copy-hostile"},
                timeout=30,
            ).json()
            seeded = next(
                t for t in board.api("GET", "/tickets", params={"limit": 100}).json()["items"] if t["psa_ticket_id"]
            )
            term.tmux("pipe-pane", "-o", "-t", PANE, f"cat >> {output}")

            term.write(f"r:{seeded['id']}{ENTER}")
            term.wait_for(lambda s: f"#{seeded['id']} · " in s and "Timeline" in s, "a ticket with a PSA id")
            term.write("y")
            expected = f"#{seeded['id']} {seeded['psa_ticket_id']} — {seeded['subject']}"
            term.wait_for(lambda s: "Copied to the clipboard" in s, "the notice")
            wait_until(lambda: osc52(expected) in output.read_bytes(), "OSC 52 with the reference")

            term.write(f"q:{hostile['id']}{ENTER}")
            term.wait_for(lambda s: f"#{hostile['id']} · " in s and "Timeline" in s, "the hostile ticket")
            term.write("y")
            wait_until(
                lambda: osc52(f"#{hostile['id']} — {HOSTILE_COPIED}") in output.read_bytes(), "OSC 52, spelt out"
            )

            raw = output.read_bytes()
            assert raw.count(b"\x1b]52;") == 2, "only the two copies asked for reach the terminal as OSC 52"
            assert b"cm0gLXJmIH4=\x07" not in raw, "the subject's own sequence never reaches the terminal"
    finally:
        portal.stop()
