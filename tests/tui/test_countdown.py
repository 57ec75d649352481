"""The status line's countdown ticks every second from the status last read (the mirror is not
read again for it) while someone uses the app; left alone (a minute without input, or the
terminal out of focus) it shows the next sync's clock time and nothing ticks, until the next key
or focus brings the countdown back. A board that has never synced says it is loading, not that
it is empty."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual import events

from cache.mirror import Mirror
from cache.sync import SyncEngine
from screens.board import NO_TICKETS, NOT_SYNCED_YET
from tests.support.portal import token_for
from tests.tui.conftest import DEMO_ADMIN, Running, client_for, screen_text
from tui.app import TicketsApp
from tui.paths import profile_paths
from tui.session import Session
from widgets.when import ago_by_minute, clock_time, countdown, until_ago_changes

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (-3, "now"),
        (0, "now"),
        (0.2, "in 1 s"),  # a part of a second left still counts as one
        (59, "in 59 s"),
        (60, "in 1 min"),
        (179, "in 2 min 59 s"),
        (3600 + 5 * 60, "in 1 h 5 min"),
    ],
)
def test_countdown(seconds: float, shown: str) -> None:
    assert countdown(NOW + timedelta(seconds=seconds), NOW) == shown


@pytest.mark.parametrize(
    ("seconds", "shown", "changes_in"),
    [
        (0, "just now", 60),
        (40, "just now", 20),  # not "40 s ago": the line changes at most once a minute
        (60, "1 min ago", 60),
        (185, "3 min ago", 55),
        (3600 + 30, "1 h ago", 3570),
        (86400 * 2 + 10, "2 days ago", 86390),
    ],
)
def test_synced_ago_changes_at_most_once_a_minute(seconds: float, shown: str, changes_in: float) -> None:
    synced = NOW - timedelta(seconds=seconds)
    assert ago_by_minute(synced, NOW) == shown
    assert until_ago_changes(synced, NOW) == changes_in
    assert ago_by_minute(synced, NOW + timedelta(seconds=changes_in - 1)) == shown
    assert ago_by_minute(synced, NOW + timedelta(seconds=changes_in)) != shown


@asynccontextmanager
async def synced_board(demo_portal, tmp_path: Path) -> AsyncIterator[tuple[Running, list[float], datetime, list[int]]]:
    """The board after its first sync, on a clock the test moves (the app starts in use); with the
    next sync's time and a count of the mirror's status reads."""
    token = await asyncio.to_thread(token_for, demo_portal, DEMO_ADMIN)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_DATA_HOME": str(tmp_path / "data")}
    mirror = Mirror.open(profile_paths("test", demo_portal.url, DEMO_ADMIN.email, env))
    client = client_for(demo_portal, token)
    reads = []
    read_status = mirror.sync_status

    def counted_status():
        reads.append(1)
        return read_status()

    mirror.sync_status = counted_status
    clock = [NOW.timestamp()]
    app = TicketsApp(Session(mirror, client, SyncEngine(mirror, client)), clock=lambda: clock[0], sync_on_start=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            running = Running(app, pilot, demo_portal, token)
            await running.until(
                lambda: NOT_SYNCED_YET in screen_text(app), what="the loading line of a mirror never synced"
            )
            assert NO_TICKETS not in screen_text(app)
            await running.sync()
            await running.until(
                lambda: app._status is not None and app._status.next_sync_at is not None,
                what="the status after the sync",
            )
            yield running, clock, app._status.next_sync_at, reads
    finally:
        await client.aclose()
        mirror.close()


async def test_the_countdown_ticks_each_second_without_reading_the_mirror(demo_portal, tmp_path: Path) -> None:
    async with synced_board(demo_portal, tmp_path) as (running, clock, next_sync, reads):
        app = running.app
        clock[0] = (next_sync - timedelta(seconds=179)).timestamp()
        await running.press("down")  # in use at this time
        await running.until(lambda: "next in 2 min 59 s" in app.sync_text.plain, what="the countdown")
        read_so_far = len(reads)
        clock[0] += 1
        await running.until(lambda: "next in 2 min 58 s" in app.sync_text.plain, what="the next second")
        clock[0] += 57  # less than a minute after the key: still in use
        await running.until(lambda: "next in 2 min 1 s" in app.sync_text.plain, what="57 s on")
        assert len(reads) == read_so_far, "the tick recomputes the words; it does not read the mirror"


async def test_left_alone_the_line_shows_the_next_syncs_clock_time_and_stops_ticking(
    demo_portal, tmp_path: Path
) -> None:
    async with synced_board(demo_portal, tmp_path) as (running, clock, next_sync, _reads):
        app = running.app
        at = f"next at {clock_time(next_sync)}"
        clock[0] = (next_sync - timedelta(seconds=179)).timestamp()
        await running.press("down")
        await running.until(lambda: "next in 2 min 59 s" in app.sync_text.plain, what="the countdown")
        clock[0] += 58  # 58 s without input: still in use
        await running.until(lambda: "next in 2 min 1 s" in app.sync_text.plain, what="58 s on")
        assert app._status_tick is not None
        clock[0] += 2  # a minute without input: left alone
        await running.until(lambda: at in app.sync_text.plain, what="the clock time, left alone")
        assert "next in" not in app.sync_text.plain
        assert app._status_tick is None, "left alone, nothing ticks"
        await running.press("down")  # a key brings the countdown back at once
        assert "next in 1 min 59 s" in app.sync_text.plain
        assert app._status_tick is not None

        app.post_message(events.AppBlur())  # the terminal is no longer in front: left alone at once
        await running.until(lambda: at in app.sync_text.plain, what="the clock time, out of focus")
        assert app._status_tick is None
        app.post_message(events.AppFocus())  # back in front: in use again
        await running.until(lambda: "next in 1 min 59 s" in app.sync_text.plain, what="the countdown again")
        assert app._status_tick is not None
