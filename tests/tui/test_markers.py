"""What stands out on the board: rows the MSP changed since you last opened them (●), tickets
waiting on you (! and reversed, which survives NO_COLOR) — both on a row that is both — and
refused writes ("needs attention") in the status line."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from textual.color import Color

from cache.sync import SyncEngine
from portal.client import PortalClient
from portal.schema import Status
from tests.tui.conftest import fixed_tui, running_tui, screen_text
from tests.tui.fixed_world import FIXED_NOW, apply_msp_event, fixed_mirror, fixed_ticket, small_board
from tui.app import TicketsApp
from tui.session import Session
from widgets.ticket_table import TicketTable


async def test_waiting_on_you_stands_out_without_colour(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    mirror = small_board(tmp_path)
    client = PortalClient("http://127.0.0.1:9")
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)), clock=FIXED_NOW.timestamp, sync_on_start=False
    )
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.no_color
            # What reaches the terminal: the app's NO_COLOR filter applied to each line.
            segments = []
            for strip in app.screen._compositor.render_strips():
                line = list(strip)
                for line_filter in app._filters:
                    line = line_filter.apply(line, Color(0, 0, 0))
                segments += line
            waiting = [s for s in segments if "Waiting on you" in s.text]
            assert waiting and all(s.style.reverse for s in waiting), "reversed, not only coloured"
            greys = [c.triplet for s in waiting for c in (s.style.color, s.style.bgcolor) if c and c.triplet]
            assert all(r == g == b for r, g, b in greys), "no hue is left to carry meaning"
            assert any(s.text.strip() == "Critical" for s in segments), "the priority is written out"
    finally:
        await client.aclose()
        mirror.close()


async def test_rows_the_msp_changed_carry_a_marker_until_opened(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        table = running.app.screen.query_one(TicketTable)
        assert not any(table.row_at(i).changed for i in range(table.total)), "nothing is new at first sync"
        await asyncio.to_thread(demo_portal.psa_sync_now)
        await running.sync()
        changed = [table.row_at(i) for i in range(table.total) if table.row_at(i).changed]
        assert changed, "the PSA cycle changed some of this company's tickets"
        target = changed[0]
        index = next(i for i in range(table.total) if table.row_at(i).id == target.id)
        table.move_cursor(index)
        await running.pilot.pause()
        line = next(l for l in screen_text(running.app).splitlines() if f"#{target.id} " in l)
        assert line.lstrip().startswith(("●", "!")), line
        await running.press("enter")
        await running.press("escape")
        assert not table.row_at(table.cursor).changed


async def test_a_refused_write_shows_needs_attention(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        table = running.app.screen.query_one(TicketTable)
        unresolved = next(table.row_at(i) for i in range(table.total) if table.row_at(i).status is not Status.RESOLVED)
        # What the CLI allows (`msp-tickets confirm ID`): confirming a ticket that is not resolved.
        running.app.session.mirror.outbox.confirm(unresolved.id)
        await running.sync()
        assert "1 needs attention" in screen_text(running.app)
        assert running.app.session.mirror.sync_status().needs_attention == 1


async def test_a_row_shows_both_marks_and_no_subject_shifts(tmp_path: Path) -> None:
    """Waiting on you (!) and changed by the MSP (●) side by side, in a column of fixed width:
    the ID and the subject start in the same column on every row, whatever its marks."""
    statuses = [Status.OPEN, Status.WAITING_ON_CLIENT, Status.WAITING_ON_CLIENT, Status.IN_PROGRESS, Status.OPEN]
    tickets = [fixed_ticket(n, subject=f"Subject of {n}", status=s) for n, s in enumerate(statuses, 1)]
    mirror = fixed_mirror(tmp_path, tickets, events_per_ticket=0)
    for ticket_id in (1002, 1004, 1005):
        apply_msp_event(mirror, ticket_id, FIXED_NOW - timedelta(minutes=5))
    mirror.outbox.confirm(1005)  # refused by the portal: needs attention
    mirror.outbox.mark_needs_attention(
        mirror.outbox.pending_items()[0].id, "Ticket 1005 is open; only a resolved one can be confirmed."
    )
    expected = {1001: "  ", 1002: "!●", 1003: "! ", 1004: " ●", 1005: "✗●"}
    async with fixed_tui(mirror, size=(120, 30)) as (app, _pilot):
        rows = {n: line for line in screen_text(app).splitlines() for n in expected if f"#{n} " in line}
        assert {n: line[:2] for n, line in rows.items()} == expected
        assert len({line.index("#") for line in rows.values()}) == 1
        assert len({line.index("Subject of") for line in rows.values()}) == 1
        assert "● changed  ! waiting on you" in screen_text(app), "the legend on the status line"
