"""SVG snapshots of the Stats screen at 120×40 and 80×24, from twelve weeks of fixed tickets and
a fixed clock (tests/tui/stats_world.py), so they are the same every run."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from cache.mirror import Mirror
from cache.sync import SyncEngine
from portal.client import PortalClient
from screens.stats import StatsScreen
from tests.tui.conftest import screen_text
from tests.tui.fixed_world import FIXED_NOW, ME
from tests.tui.stats_world import stats_mirror
from tui.app import TicketsApp
from tui.paths import profile_paths
from tui.session import Session
from widgets.week_chart import WeekChart

WEEK_AXIS = re.compile(r"(W\d\d\s+){11}W\d\d")  # the chart's twelve week labels on one line
SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


@pytest.fixture(autouse=True)
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")  # the weeks start on Monday in local time
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def stats_app(tmp_path: Path) -> Iterator[TicketsApp]:
    mirror = stats_mirror(tmp_path)
    # Never used: nothing syncs. The portal address is a closed loopback port.
    client = PortalClient("http://127.0.0.1:9")
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)), clock=FIXED_NOW.timestamp, sync_on_start=False
    )
    app.CURSOR_BLINK = False
    yield app
    asyncio.run(client.aclose())
    mirror.close()


async def open_stats(pilot: Pilot) -> None:
    await pilot.press("t")
    while not (isinstance(pilot.app.screen, StatsScreen) and pilot.app.screen.stats is not None):
        await pilot.pause(0.05)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_stats(snap_compare, stats_app: TicketsApp, size: tuple[int, int]) -> None:
    assert snap_compare(stats_app, terminal_size=size, run_before=open_stats)


async def test_the_chart_tells_opened_from_resolved_without_colour(stats_app: TicketsApp) -> None:
    async with stats_app.run_test(size=(80, 24)) as pilot:
        await open_stats(pilot)
        plot_rows = [line for line in screen_text(stats_app).splitlines() if "┃" in line or "┫" in line]
        # Bars and markers are different characters, so NO_COLOR loses nothing.
        assert any("█" in row for row in plot_rows) and any("◆" in row for row in plot_rows)
        weeks = stats_app.screen.stats.weeks
        assert sum(w.opened for w in weeks) == 40 and sum(w.resolved for w in weeks) == 32


async def test_an_empty_mirror_shows_zeros_not_an_error(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_DATA_HOME": str(tmp_path / "data")}
    mirror = Mirror.open(profile_paths("empty", "http://127.0.0.1:9", ME.email, env))
    mirror.store_me(ME)
    client = PortalClient("http://127.0.0.1:9")
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)), clock=FIXED_NOW.timestamp, sync_on_start=False
    )
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await open_stats(pilot)
            text = screen_text(app)
            assert "Open now       0 — Critical 0" in text and "none in these 12 weeks" in text
            assert WEEK_AXIS.search(text) and app.screen.query_one(WeekChart).query("PlotWidget")
            assert app.is_running and not app._notifications
    finally:
        await client.aclose()
        mirror.close()


async def test_under_no_color_the_chart_is_drawn_and_the_app_lives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Textual reads NO_COLOR when the app is made, and then greys every line through a filter
    # that the plotting canvas once broke on its first frames.
    monkeypatch.setenv("NO_COLOR", "1")
    mirror = stats_mirror(tmp_path)
    client = PortalClient("http://127.0.0.1:9")
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)), clock=FIXED_NOW.timestamp, sync_on_start=False
    )
    assert app.no_color
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await open_stats(pilot)
            await pilot.resize_terminal(120, 40)
            await pilot.pause(0.2)
            text = screen_text(app)
            assert app.is_running and WEEK_AXIS.search(text) and "◆" in text
    finally:
        await client.aclose()
        mirror.close()


async def test_at_80x24_the_rest_is_a_keypress_away(stats_app: TicketsApp) -> None:
    async with stats_app.run_test(size=(80, 24)) as pilot:
        await open_stats(pilot)
        assert "Eve" not in screen_text(stats_app)  # the submitters are below the chart
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(stats_app)
        assert re.search(r"Opened\s+3\s+3\s+4", text) and "Eve \\x1b[2J Intruder" in text
