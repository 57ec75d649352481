"""The Stats screen: `t` and the palette open it over the real portal's mirror, it says it is
loading until the figures arrive, follows a sync, closes with esc or q, survives a failing read,
and the board does not pay for its plotting library at start."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Static

from screens.board import BoardScreen
from screens.stats import LOADING, StatsScreen
from tests.cache.test_stats import portal_figures
from tests.tui.conftest import Running, look_for_in_palette, running_tui, screen_text
from widgets.week_chart import WeekChart


def open_tickets(running: Running) -> list[dict]:
    tickets, cursor = [], None
    while True:
        page = running.api("GET", "/tickets", params={"limit": 500, **({"cursor": cursor} if cursor else {})}).json()
        tickets += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return [t for t in tickets if t["status"] not in ("resolved", "closed")]


async def stats_shown(running: Running) -> str:
    await running.until(
        lambda: isinstance(running.app.screen, StatsScreen) and running.app.screen.stats is not None, what="the figures"
    )
    await running.app.workers.wait_for_complete()
    await running.pilot.pause()
    return screen_text(running.app)


def shown_open_total(text: str) -> int:
    match = re.search(r"Open now\s+(\d+) —", text)
    assert match, text
    return int(match.group(1))


async def test_t_opens_the_stats_with_the_portals_figures_and_esc_closes(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        await running.press("t")
        text = await stats_shown(running)
        stats = running.app.screen.stats
        assert shown_open_total(text) == len(open_tickets(running))
        expected = portal_figures(demo_portal.api, running.token, stats.now)
        assert [w.opened for w in stats.weeks] == expected["opened"]
        assert [w.resolved for w in stats.weeks] == expected["resolved"]
        # The chart is drawn, with a label for each of the 12 weeks, and the numbers below it.
        chart = running.app.screen.query_one(WeekChart)
        assert chart.query("PlotWidget") and "◆ resolved" in text
        assert all(f"W{w.number:02d}" in text for w in stats.weeks)
        assert re.search(r"First response\s+\d+ (d|h|min|s)\b.* median, over \d+ tickets", text)
        # A company admin sees who raised what.
        names = {t["submitted_by"]["name"] for t in open_tickets(running)}
        assert "By submitter" in text and all(name in text for name in names)

        await running.press("escape")
        assert isinstance(running.app.screen, BoardScreen)
        await running.press("t")
        await stats_shown(running)
        await running.press("q")
        assert isinstance(running.app.screen, BoardScreen)


async def test_the_palette_offers_stats(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        await running.press("ctrl+p")
        assert isinstance(running.app.screen, CommandPalette)
        await look_for_in_palette(running.pilot, "Stats", "Stats")
        await running.press("enter")
        await stats_shown(running)


async def test_a_sync_while_it_is_open_updates_the_figures(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        await running.press("t")
        before = shown_open_total(await stats_shown(running))
        draft = {"subject": "Counted at once", "category": "network", "priority": "low", "description": "A new one."}
        running.api("POST", "/tickets", json=draft, headers={"Idempotency-Key": f"stats-{tmp_path.name}"})
        await running.sync()
        await running.until(
            lambda: shown_open_total(screen_text(running.app)) == before + 1, what="the new ticket counted"
        )
        assert isinstance(running.app.screen, StatsScreen)


async def test_it_says_loading_until_the_figures_arrive(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        mirror = running.app.session.mirror
        gate = threading.Event()
        real_stats = mirror.stats

        def held_stats(now):
            gate.wait(30)  # the figures are as slow as the test wants
            return real_stats(now)

        mirror.stats = held_stats
        try:
            await running.pilot.press("t")
            await running.until(lambda: isinstance(running.app.screen, StatsScreen), what="the stats screen")
            await running.pilot.pause()
            text = screen_text(running.app)
            assert "Loading the figures" in text and "Open now" not in text
            assert running.app.screen.query_one("#stats-loading", Static).display
        finally:
            gate.set()
        text = await stats_shown(running)
        assert LOADING not in text and "Open now" in text


async def test_a_failing_read_is_a_notice_not_the_end(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        mirror = running.app.session.mirror

        def broken_stats(now):
            raise ValueError("the figures are broken")

        mirror.stats = broken_stats
        await running.press("t")
        await running.until(
            lambda: any("counting the figures" in str(n.message).lower() for n in running.app._notifications),
            what="the notice",
        )
        assert running.app.is_running and isinstance(running.app.screen, StatsScreen)
        del mirror.stats  # the real method again: the next sync's refresh shows the figures
        await running.sync()
        await stats_shown(running)


def test_starting_the_app_does_not_load_the_plotting_library() -> None:
    # numpy and textual-plot take longer to import than the board; only the Stats screen needs them.
    code = (
        "import sys, tui.cli.command_line, tui.app, screens.board, screens.stats; "
        "print(sorted(m for m in ('numpy', 'textual_plot') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


async def test_closing_it_before_the_figures_arrive_is_harmless(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        mirror = running.app.session.mirror
        gate = threading.Event()
        real_stats = mirror.stats

        def held_stats(now):
            gate.wait(30)
            return real_stats(now)

        mirror.stats = held_stats
        try:
            await running.pilot.press("t")
            await running.until(lambda: isinstance(running.app.screen, StatsScreen), what="the stats screen")
            await running.pilot.press("escape")
            await running.until(lambda: isinstance(running.app.screen, BoardScreen), what="the board")
        finally:
            gate.set()
        await running.app.workers.wait_for_complete()
        await running.pilot.pause(0.2)
        assert running.app.is_running and isinstance(running.app.screen, BoardScreen)
        assert "1 All" in screen_text(running.app)
