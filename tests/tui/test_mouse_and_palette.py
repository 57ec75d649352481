"""The mouse works everywhere (rows, column headings), and the command palette offers every
action the screen has a key for."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette

from cache.model import SortColumn
from screens.board import BoardScreen
from screens.detail import DetailScreen
from tests.tui.conftest import look_for_in_palette, running_tui, screen_text
from widgets.ticket_table import TicketTable


async def test_click_a_row_then_click_it_again_to_open(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        table = running.app.screen.query_one(TicketTable)
        await running.click(TicketTable, offset=(20, 3))  # header is line 0: row index 2
        await running.pilot.pause()
        assert table.cursor == 2
        await running.click(TicketTable, offset=(20, 3))
        await running.pilot.pause()
        assert isinstance(running.app.screen, DetailScreen)
        assert running.app.screen.ticket_id == table.row_at(2).id


async def test_click_a_heading_sorts_by_it_and_again_flips(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        table = running.app.screen.query_one(TicketTable)
        heading = screen_text(running.app).splitlines()
        line = next(l for l in heading if "Subject" in l and "Status" in l)
        x = line.index("Status")  # the table starts at the screen's left edge
        await running.click(TicketTable, offset=(x, 0))
        await running.pilot.pause()
        assert table.ticket_query.sort is SortColumn.STATUS
        first = table.ticket_query.descending
        await running.click(TicketTable, offset=(x, 0))
        await running.pilot.pause()
        assert table.ticket_query.sort is SortColumn.STATUS and table.ticket_query.descending is not first


async def test_the_palette_offers_every_board_action_and_runs_them(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app, pilot = running.app, running.pilot
        await running.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await look_for_in_palette(pilot, "New ticket", "New ticket")
        await running.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "NewTicketScreen"
        await running.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)

        # More actions than the palette has lines: each is looked for by name.
        for description in (
            "New ticket",
            "Search",
            "Sort",
            "Mine / company tickets",
            "Sync now",
            "Help",
            "Open",
            "Go to ticket…",
        ):
            await running.press("ctrl+p")
            await look_for_in_palette(pilot, description, description)
            await running.press("escape")
