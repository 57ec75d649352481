"""The detail follows the user's own comment in a real terminal (the real `msp-tickets` in
tmux): on a ticket whose description fills more than the screen, the comment just written is
scrolled into view rather than left below it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.portal import Account, RunningPortal, start_portal
from tests.support.terminal import CTRL_S, start_board, terminal
from tui.demo import DEMO_EMAIL, DEMO_PASSWORD

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

DEMO_ADMIN = Account(DEMO_EMAIL, DEMO_PASSWORD, "Acme admin", "Acme Corp", "company_admin")
SUBJECT = "Long story about the backup job"


@pytest.fixture
def demo_portal(tmp_path: Path) -> Iterator[RunningPortal]:
    (tmp_path / "portal").mkdir()
    running = start_portal(tmp_path / "portal", seed_demo=True)
    try:
        yield running
    finally:
        running.stop()


def test_the_users_own_comment_scrolls_into_view(demo_portal: RunningPortal, tmp_path: Path) -> None:
    with terminal(tmp_path) as term:
        board = start_board(term, tmp_path / "home", demo_portal, DEMO_ADMIN)
        description = "\n".join(f"Step {n}: the job stopped again." for n in range(1, 61))
        httpx.post(
            f"{demo_portal.api}/tickets",
            json={"subject": SUBJECT, "category": "software", "priority": "medium", "description": description},
            headers={"Authorization": f"Bearer {board.token}", "Idempotency-Key": "tmux-detail-follows"},
            timeout=30,
        ).raise_for_status()
        term.keys("r")
        term.wait_for(lambda s: SUBJECT in s, "the new ticket on the board")
        row = next(n for n, line in enumerate(term.screen().splitlines()) if SUBJECT in line)
        term.click(30, row, times=2)
        detail = term.wait_for(lambda s: "Step 1:" in s, "the ticket's detail, at the top")
        assert "Timeline" not in detail, "the description fills more than the screen"
        term.write("c" + "Restarted it, still failing." + CTRL_S)
        shown = term.wait_for(
            lambda s: "Send comment" not in s and "Restarted it, still failing." in s, "the comment in view"
        )
        assert "Step 1:" not in shown
