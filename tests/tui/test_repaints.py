"""What a key or a tick asks Textual to paint again (issue 14, item 5): over SSH every byte of a
repaint crosses the link. A cursor move on the board repaints the two rows involved, not the
table; the status line's second-by-second countdown repaints the cells that changed, not the
screen; a sync that changed nothing repaints nothing of the table. Asserted on the regions the
widgets ask Textual to refresh; the bytes themselves are `bench/wire.py`'s (nothing is timed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from rich.text import Text
from textual.geometry import Region

from screens.common import MirrorChanged
from tests.tui.conftest import fixed_tui
from tests.tui.fixed_world import small_board
from tui.app import TicketsApp
from widgets.sync_line import TICKING, Stretch, SyncLine, changed_cells
from widgets.ticket_table import TicketTable


@asynccontextmanager
async def board(tmp_path: Path, size: tuple[int, int] = (120, 40)) -> AsyncIterator[tuple[TicketsApp, object]]:
    async with fixed_tui(small_board(tmp_path), size=size) as (app, pilot):
        yield app, pilot


class Refreshes:
    """The refreshes a widget asks for: the regions given, or None for the whole widget."""

    def __init__(self, widget, monkeypatch: pytest.MonkeyPatch) -> None:
        self.asked: list[tuple[Region, ...] | None] = []
        original = widget.refresh

        def refresh(*regions: Region, **kwargs):
            self.asked.append(regions or None)
            return original(*regions, **kwargs)

        monkeypatch.setattr(widget, "refresh", refresh)

    def lines(self) -> set[int]:
        assert None not in self.asked, "the whole widget was asked to repaint"
        return {region.y for regions in self.asked for region in regions if region.height == 1}


async def test_a_cursor_move_repaints_the_two_rows_involved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    async with board(tmp_path) as (app, pilot):
        table = app.screen.query_one(TicketTable)
        refreshes = Refreshes(table, monkeypatch)
        await pilot.press("down")  # row 0 -> row 1: the table's lines 1 and 2 (line 0 is its header)
        await pilot.pause()
        assert table.cursor == 1
        assert refreshes.lines() == {1, 2}
        assert all(region.width == table.size.width for regions in refreshes.asked for region in regions)


async def test_the_focus_leaving_and_coming_back_repaints_the_cursor_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    async with board(tmp_path) as (app, pilot):
        table = app.screen.query_one(TicketTable)
        await pilot.press("slash", "o")  # the search field shown (the table moves), a word typed
        await app.workers.wait_for_complete()
        await pilot.pause()
        cursor_line = table.cursor - round(table.scroll_y) + 1

        def cursor_background() -> object:
            return next(iter(table._painted[cursor_line])).style.bgcolor  # as last painted

        focused = table.get_component_rich_style("ticket-table--cursor").bgcolor
        blurred = table.get_component_rich_style("ticket-table--cursor-blurred").bgcolor
        assert focused != blurred and cursor_background() == blurred
        refreshes = Refreshes(table, monkeypatch)
        await pilot.press("enter")  # back to the table: its cursor's look changes, nothing else
        await pilot.pause()
        assert table.has_focus and cursor_background() == focused
        assert refreshes.lines() == {cursor_line}
        refreshes.asked.clear()
        await pilot.press("slash")  # and away again
        await pilot.pause()
        assert not table.has_focus and cursor_background() == blurred
        assert refreshes.lines() == {cursor_line}


async def test_a_move_past_the_screen_repaints_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    async with board(tmp_path, size=(120, 16)) as (app, pilot):  # the 12 tickets do not fit
        table = app.screen.query_one(TicketTable)
        assert table.rows_visible < 12
        refreshes = Refreshes(table, monkeypatch)
        await pilot.press("end")  # scrolls: every line changes
        await pilot.pause()
        assert None in refreshes.asked


async def test_a_sync_that_changed_nothing_repaints_nothing_of_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    async with board(tmp_path) as (app, pilot):
        table = app.screen.query_one(TicketTable)
        refreshes = Refreshes(table, monkeypatch)
        app.screen.post_message(MirrorChanged())  # what the app says after every sync
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert refreshes.lines() <= {table.cursor + 1}  # at most the cursor's row, put back where it was


def ticking(steady: str, countdown: str) -> Text:
    """A status line's text as `describe_sync` makes it: the countdown marked as ticking."""
    return Text.assemble(steady, (countdown, TICKING), end="")


class Written:
    """What Textual writes to the terminal for each partial repaint of `app`'s screen (the same
    `render_segments` its driver is given outside a test)."""

    def __init__(self, app: TicketsApp, monkeypatch: pytest.MonkeyPatch) -> None:
        self.updates: list[str] = []
        compositor = app.screen._compositor
        original = compositor.render_partial_update

        def render_partial_update():
            update = original()
            if update is not None:
                self.updates.append(update.render_segments(app.console))
            return update

        monkeypatch.setattr(compositor, "render_partial_update", render_partial_update)


async def test_the_countdown_repaints_the_cells_that_changed_not_the_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    async with board(tmp_path) as (app, pilot):
        line = app.screen.query_one(SyncLine)
        line.legend = ""
        app.sync_text = ticking("synced 2 min ago · next ", "in 2 min 59 s")
        await pilot.pause()
        steady, countdown = line.query(Stretch)
        steady_refreshes, refreshes = Refreshes(steady, monkeypatch), Refreshes(countdown, monkeypatch)
        screen = Refreshes(app.screen, monkeypatch)
        written = Written(app, monkeypatch)
        app.sync_text = ticking("synced 2 min ago · next ", "in 2 min 58 s")
        await pilot.pause()
        assert steady_refreshes.asked == [] and screen.asked == []
        assert [[(r.x, r.width) for r in regions] for regions in refreshes.asked] == [[(len("in 2 min 5"), 1)]]
        # Textual writes a changed stretch from its left edge: the countdown's, not the line's.
        (update,) = written.updates
        assert "in 2 min 58" in update and "synced" not in update and "next" not in update, repr(update)


async def test_the_line_is_cut_where_its_countdown_begins(tmp_path: Path):
    async with board(tmp_path) as (app, pilot):
        line = app.screen.query_one(SyncLine)
        line.legend = ""
        app.sync_text = ticking("synced 2 min ago · next ", "in 2 min 59 s")
        await pilot.pause()
        steady, countdown = line.query(Stretch)
        assert steady.region.width == len("synced 2 min ago · next ")
        assert countdown.region.x == steady.region.right
        assert app.screen._compositor.render_strips()[-2].text.startswith(" synced 2 min ago · next in 2 min 59 s ")
        app.sync_text = Text("syncing…", end="")  # nothing ticks: one stretch, the whole line
        await pilot.pause()
        assert steady.region.width == 0


@pytest.mark.parametrize(
    ("old", "new", "span"),
    [
        ("next in 59 s", "next in 58 s", (9, 10)),
        # shorter: what follows moved left, and the old cells past the new end are painted over
        ("next in 10 s", "next in 9 s", (8, 12)),
        ("next in 9 s · 50 changes", "next at 00:21 · 50 changes", (5, 26)),  # longer: what follows moved right
        ("next at 00:21 · 41 changes", "next in 9 s · 41 changes", (5, 26)),
        ("same", "same", (0, 0)),
        ("", "offline", (0, 7)),
        ("表 59", "表 58", (4, 5)),  # a wide character counts two cells
    ],
)
def test_changed_cells(old: str, new: str, span: tuple[int, int]):
    assert changed_cells(Text(old), Text(new)) == span


def test_a_change_of_style_alone_is_a_change():
    plain, bold = Text("next in 5 s"), Text("next in 5 s")
    bold.stylize("bold", 8, 9)
    assert changed_cells(plain, bold) == (8, 9)
