"""The board's first frame is the first one written, with its rows (bench/launch.py times it).

Textual lays out and paints nothing it can show while its start is under way (a batch): a
screen pushed from the app's mount was laid out and painted inside that batch, its frame
dropped, and the board reached the terminal one refresh later (~17 ms). The app opens the board
after the start instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App

from cache.sync import SyncEngine
from portal.client import PortalClient
from screens.board import BoardScreen, read_opening
from tests.tui.fixed_world import FIXED_NOW, fixed_mirror, fixed_ticket
from tui.app import TicketsApp
from tui.session import Session


async def test_the_boards_first_frame_is_not_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mirror = fixed_mirror(tmp_path, [fixed_ticket(n) for n in range(1, 6)], events_per_ticket=0)
    client = PortalClient("http://127.0.0.1:9")  # never used: nothing syncs
    frames: list[tuple[str, bool]] = []  # (screen, dropped) of each full frame
    display = App._display

    def noted(app: App, screen, renderable) -> None:
        if type(renderable).__name__ == "LayoutUpdate":
            frames.append((type(screen).__name__, bool(app._batch_count)))  # noqa: SLF001
        display(app, screen, renderable)

    monkeypatch.setattr(App, "_display", noted)
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)),
        clock=FIXED_NOW.timestamp,
        sync_on_start=False,
        opening=read_opening(mirror),
    )
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)
    finally:
        await client.aclose()
        mirror.close()
    board_frames = [dropped for screen, dropped in frames if screen == "BoardScreen"]
    assert board_frames and board_frames[0] is False, f"the board's first full frame is written: {frames}"


async def test_the_board_is_styled_once_as_it_opens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual restyles a screen it pushes as that screen resumes; the board's resume comes right
    after its mount styled it, so it is not styled all over again (~2 ms of the launch)."""
    mirror = fixed_mirror(tmp_path, [fixed_ticket(1)], events_per_ticket=0)
    client = PortalClient("http://127.0.0.1:9")
    restyled: list[str] = []
    update = BoardScreen.update_node_styles

    def noted(screen: BoardScreen, animate: bool = True) -> None:
        restyled.append(type(screen).__name__)
        update(screen, animate)

    monkeypatch.setattr(BoardScreen, "update_node_styles", noted)
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)), clock=FIXED_NOW.timestamp, sync_on_start=False
    )
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)
            assert restyled == [], "not restyled as it opened"
    finally:
        await client.aclose()
        mirror.close()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=lambda size: f"{size[0]}x{size[1]}")
async def test_the_bottom_lines_come_after_the_first_frame_and_the_rows_stay_put(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """The first frame is for the rows: the status line and the key bar come right after it,
    into the two lines kept for them, and the pills' counts after that; the table neither moves
    nor changes size (at 80 columns the pills are two rows from the first frame)."""
    from textual.widget import Widget

    from cache.model import Pill
    from widgets.key_bar import KeyBar
    from widgets.pills import PillBar
    from widgets.sync_line import SyncLine
    from widgets.ticket_table import TicketTable

    mirror = fixed_mirror(tmp_path, [fixed_ticket(n) for n in range(1, 60)], events_per_ticket=0)
    client = PortalClient("http://127.0.0.1:9")
    first: list[tuple[object, list[type[Widget]]]] = []  # the table's region, the bottom lines there
    display = App._display

    def noted(app: App, screen, renderable) -> None:
        if type(renderable).__name__ == "LayoutUpdate" and isinstance(screen, BoardScreen) and not first:
            bottom = [type(w) for w in screen.query("SyncLine, KeyBar") if w.region]
            first.append((screen.query_one(TicketTable).region, bottom))
        display(app, screen, renderable)

    monkeypatch.setattr(App, "_display", noted)
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)),
        clock=FIXED_NOW.timestamp,
        sync_on_start=False,
        opening=read_opening(mirror),
    )
    try:
        async with app.run_test(size=size) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            board = app.screen
            assert isinstance(board, BoardScreen)
            (region_first, bottom_first), *_ = first
            assert bottom_first == [], "the first frame holds the rows, not yet the bottom lines"
            assert board.query_one(SyncLine).region and board.query_one(KeyBar).region, "then they come"
            assert board.query_one(TicketTable).region == region_first, "and the rows stay where they were"
            assert board.query_one(PillBar).count(Pill.ALL) == 59, "the pills are counted"
            height = size[1]
            assert (board.query_one(SyncLine).region.y, board.query_one(KeyBar).region.y) == (height - 2, height - 1)
    finally:
        await client.aclose()
        mirror.close()
