"""What stands out on the board: rows the MSP changed since you last opened them (●), tickets
waiting on you (! and reversed, which survives NO_COLOR), and refused writes ("needs
attention") in the status line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.color import Color

from cache.sync import SyncEngine
from portal.client import PortalClient
from portal.schema import Status
from tests.tui.conftest import running_tui, screen_text
from tests.tui.fixed_world import FIXED_NOW, small_board
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
