"""Issue 12 in a real terminal (the real `msp-tickets` in tmux, against the real portal): a row
that is both waiting on you and changed shows `!●` and no row's text shifts; the sort by Age puts
what has waited longest first (`s`, a click on its heading flips it); a colleague with the user's
very name is counted in the status line and the window title while the user's own comment is
not; and `enter` on an Activity line opens the ticket at that very event."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from portal.server import storage
from portal.server.storage import Storage
from portal.sqlite import utc_text
from tests.support.portal import Account, RunningPortal, World, add_namesake, comment_as, make_world, start_portal
from tests.support.terminal import PANE, Board, Terminal, start_board, terminal, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    (tmp_path / "portal").mkdir()
    portal = start_portal(tmp_path / "portal")
    try:
        yield make_world(portal)
    finally:
        portal.stop()


def _create(board: Board, subject: str, description: str = "It stopped.") -> int:
    response = httpx.post(
        f"{board.portal.api}/tickets",
        json={"subject": subject, "category": "hardware", "priority": "medium", "description": description},
        headers={"Authorization": f"Bearer {board.token}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["id"]


def _the_msp(portal: RunningPortal, ticket_id: int, *comments: str, waiting_since: datetime | None = None) -> None:
    """What the PSA writes to the portal's database: the ticket turned to waiting on the client
    at `waiting_since`, then a technician's comments, one after the other."""
    technician = {"author_role": "msp", "author_name": "Tess Technician"}
    db = Storage(portal.db)
    try:
        with db.write() as conn:
            if waiting_since is not None:
                at = utc_text(waiting_since)
                turn = {"kind": "status_change", "from_status": "open", "to_status": "waiting_on_client"}
                storage.insert_event(conn, ticket_id, now=at, **turn, **technician)
                storage.update_ticket(conn, ticket_id, at, status="waiting_on_client")
            for body in comments:
                storage.insert_event(
                    conn, ticket_id, kind="comment", body=body, now=utc_text(datetime.now(UTC)), **technician
                )
    finally:
        db.close()


def _row(screen: str, subject: str) -> str:
    return next(line for line in screen.splitlines() if subject in line)


def _ticket_rows(screen: str) -> list[str]:
    return [
        line for line in screen.splitlines() if any(f" {word} " in line for word in ("Printer", "Laptop", "Phones"))
    ]


def _pane_title(term: Terminal) -> str:
    return term.tmux("display-message", "-p", "-t", PANE, "#{pane_title}").strip()


def test_both_markers_and_the_sort_by_age(world: World, tmp_path: Path) -> None:
    with terminal(tmp_path) as term:
        board = start_board(term, tmp_path / "home", world.portal, world.accounts["a_company"])
        waited = _create(board, "Printer waits on me")
        changed = _create(board, "Laptop answered")
        _create(board, "Phones untouched")
        term.keys("r")
        term.wait_for(lambda s: "Phones untouched" in s, "the tickets on the board")

        _the_msp(world.portal, waited, "Any news?", waiting_since=datetime.now(UTC) - timedelta(days=3, hours=1))
        _the_msp(world.portal, changed, "Found it")
        term.keys("r")
        screen = term.wait_for(lambda s: " 3 d " in _row(s, "Printer waits on me"), "the waiting ticket's age")
        rows = {subject: _row(screen, subject) for subject in ("Printer waits", "Laptop answered", "Phones untouched")}
        assert [row[:2] for row in rows.values()] == ["!●", " ●", "  "], rows
        assert len({row.index("#") for row in rows.values()}) == 1, "no row's text shifts"

        term.keys("s", "s")  # Created → Updated → Age
        screen = term.wait_for(lambda s: "Age▼" in s, "sorted by age")
        assert "Printer waits on me" in _ticket_rows(screen)[0], "what has waited longest on you first"
        header = next((n, line) for n, line in enumerate(screen.splitlines()) if "Age▼" in line)
        term.click(header[1].index("Age▼"), header[0])
        screen = term.wait_for(lambda s: "Age▲" in s, "the sort flipped by a click")
        assert "Printer waits on me" in _ticket_rows(screen)[-1]
        term.keys("C-q")


def test_a_namesake_is_counted_and_enter_opens_the_activity_line_at_its_event(world: World, tmp_path: Path) -> None:
    me: Account = world.accounts["a_company"]
    namesake = add_namesake(world.portal, me)
    with terminal(tmp_path) as term:
        board = start_board(term, tmp_path / "home", world.portal, me)
        description = "\n".join(f"Step {n}: the backup stopped again." for n in range(1, 41))
        ticket = _create(board, "Backup job fails", description)
        term.keys("r")
        term.wait_for(lambda s: "Backup job fails" in s, "the ticket on the board")

        _the_msp(world.portal, ticket, "Looking into it now.")
        comment_as(world.portal, namesake, ticket, "Same trouble on my desk.")
        comment_as(world.portal, me, ticket, "Mine, from the web page.")
        # Enough after it that the event can come to the top of the view.
        _the_msp(world.portal, ticket, *(f"Progress note {n}." for n in range(1, 13)))
        term.keys("r")
        term.wait_for(lambda s: "14 changes · a to see" in s, "the count of what others did")
        wait_until(lambda: _pane_title(term) == "msp-tickets · 14 new", "the count in the window title")

        term.keys("a")
        screen = term.wait_for(lambda s: "Activity — newest first" in s and "14 unread" in s, "the activity")
        lines = screen.splitlines()
        assert not any("Mine, from the web page." in line for line in lines), "the user's own comment is no news"
        first = next(n for n, line in enumerate(lines) if "Progress note 12." in line)
        chosen = next(n for n, line in enumerate(lines) if f"{me.name}: Same trouble on my desk." in line)
        term.keys(*["Down"] * (chosen - first), "Enter")
        detail = term.wait_for(lambda s: "▶ client comment" in s, "the ticket at that event").splitlines()
        marked = next(n for n, line in enumerate(detail) if "▶ client comment" in line)
        assert marked == 0, detail[:3]
        assert detail[marked + 1].strip() == "Same trouble on my desk."
        assert not any("Step 1:" in line for line in detail), "scrolled past the description"
        term.keys("C-q")
