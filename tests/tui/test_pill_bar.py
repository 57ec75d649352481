"""The pills are one widget (PillBar) that draws all six: a click anywhere on a pill chooses it,
on one row or, on a narrow terminal, in two rows of three; a click between pills chooses none,
and the pill under the mouse is lit. Pilot tests on a fixed mirror."""

from __future__ import annotations

from pathlib import Path

import pytest

from cache.model import Pill
from cache.sync import SyncEngine
from portal.client import PortalClient
from tests.tui.fixed_world import fixed_mirror, fixed_ticket
from tui.app import TicketsApp
from tui.session import Session
from widgets.pills import PILLS, PillBar
from widgets.ticket_table import TicketTable


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_a_click_on_any_cell_of_a_pill_chooses_it_and_a_gap_chooses_none(tmp_path: Path, size):
    mirror = fixed_mirror(tmp_path, [fixed_ticket(n) for n in range(1, 31)])
    client = PortalClient("http://127.0.0.1:9")  # never used: nothing syncs
    app = TicketsApp(Session(mirror, client, SyncEngine(mirror, client)), sync_on_start=False)
    try:
        async with app.run_test(size=size) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            bar = app.screen.query_one(PillBar)
            table = app.screen.query_one(TicketTable)
            spans = bar.spans()
            assert [span.pill for span in spans] == list(PILLS)
            assert len({span.y for span in spans}) == (2 if size[0] < PillBar.ONE_ROW_WIDTH else 1)
            for span in spans:
                for x in (span.x, span.x + span.width - 1):
                    await pilot.click(PillBar, offset=(x, span.y))
                    await pilot.pause()
                    assert table.ticket_query.pill is span.pill and bar.active is span.pill
            gap = spans[1].x - 1  # between All and Open: the bar's background
            await pilot.click(PillBar, offset=(gap, spans[1].y))
            await pilot.pause()
            assert table.ticket_query.pill is Pill.CLOSED  # the last one clicked, still
            await pilot.hover(PillBar, offset=(spans[2].x, spans[2].y))
            assert bar._hovered is spans[2].pill
            await pilot.hover(PillBar, offset=(gap, spans[1].y))
            assert bar._hovered is None
    finally:
        await client.aclose()
        mirror.close()
