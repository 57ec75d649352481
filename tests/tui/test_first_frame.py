"""The board's first frame is the first one written, with its rows (bench/launch.py times it).

Textual lays out and paints nothing it can show while its start is under way (a batch): a
screen pushed from the app's mount was laid out and painted inside that batch, its frame
dropped, and the board reached the terminal one refresh later (~17 ms). The app opens the board
after the start instead; the first frame is for the rows, and what else the board shows comes
right after it without moving them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from cache.model import Pill
from cache.sync import SyncEngine
from portal.client import PortalClient
from screens.board import BoardScreen, read_opening
from tests.tui.fixed_world import FIXED_NOW, fixed_mirror, fixed_ticket
from tui.app import TicketsApp
from tui.session import Session
from widgets.key_bar import KeyBar
from widgets.pills import PillBar
from widgets.sync_line import SyncLine
from widgets.ticket_table import TicketTable

FullFrame = Callable[[App, Screen, bool], None]  # the app, its screen, whether the frame is dropped


@asynccontextmanager
async def launched_board(
    folder: Path, tickets: int, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int], full_frame: FullFrame
) -> AsyncIterator[tuple[TicketsApp, Pilot]]:
    """A board started as `msp-tickets` starts it (its first rows read before the app), each full
    frame Textual makes told to `full_frame` before it is written."""
    mirror = fixed_mirror(folder, [fixed_ticket(n) for n in range(1, tickets + 1)], events_per_ticket=0)
    client = PortalClient("http://127.0.0.1:9")  # never used: nothing syncs
    display = App._display

    def noted(app: App, screen: Screen, renderable) -> None:
        if type(renderable).__name__ == "LayoutUpdate":
            full_frame(app, screen, bool(app._batch_count))  # noqa: SLF001
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
            assert isinstance(app.screen, BoardScreen)
            yield app, pilot
    finally:
        await client.aclose()
        mirror.close()


async def test_the_boards_first_frame_is_not_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frames: list[tuple[str, bool]] = []  # (screen, dropped) of each full frame

    def noted(_app: App, screen: Screen, dropped: bool) -> None:
        frames.append((type(screen).__name__, dropped))

    async with launched_board(tmp_path, 5, monkeypatch, (120, 40), noted):
        pass
    board_frames = [dropped for screen, dropped in frames if screen == "BoardScreen"]
    assert board_frames and board_frames[0] is False, f"the board's first full frame is written: {frames}"


async def test_the_board_is_styled_once_as_it_opens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual restyles a screen it pushes as that screen resumes; the board's resume comes right
    after its mount styled it, so it is not styled all over again (~2 ms of the launch)."""
    restyled: list[str] = []
    update = BoardScreen.update_node_styles

    def noted(screen: BoardScreen, animate: bool = True) -> None:
        restyled.append(type(screen).__name__)
        update(screen, animate)

    monkeypatch.setattr(BoardScreen, "update_node_styles", noted)
    async with launched_board(tmp_path, 1, monkeypatch, (120, 40), lambda *_: None):
        assert restyled == [], "not restyled as it opened"


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=lambda size: f"{size[0]}x{size[1]}")
async def test_the_bottom_lines_come_after_the_first_frame_and_the_rows_stay_put(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """The status line and the key bar come right after the first frame, into the two lines kept
    for them, and the pills' counts after that; the table neither moves nor changes size (at 80
    columns the pills are two rows from the first frame)."""
    first: list[tuple[object, list[str]]] = []  # the table's region, the bottom lines shown

    def noted(_app: App, screen: Screen, _dropped: bool) -> None:
        if isinstance(screen, BoardScreen) and not first:
            bottom = [type(line).__name__ for line in screen.query("SyncLine, KeyBar") if line.region]
            first.append((screen.query_one(TicketTable).region, bottom))

    async with launched_board(tmp_path, 59, monkeypatch, size, noted) as (app, _pilot):
        board = app.screen
        (region_first, bottom_first), *_ = first
        assert bottom_first == [], "the first frame holds the rows, not yet the bottom lines"
        assert board.query_one(PillBar).count(Pill.ALL) == 59, "the pills are counted"
        assert board.query_one(TicketTable).region == region_first, "and the rows stay where they were"
        height = size[1]
        assert (board.query_one(SyncLine).region.y, board.query_one(KeyBar).region.y) == (height - 2, height - 1)
