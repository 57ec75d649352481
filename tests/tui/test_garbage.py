"""The garbage collector around the launch (tui/collector.py): paused until the board is up (or
the login screen waits on the user), so that it does not walk again and again what the launch
makes; then what the app made so far is out of its sight (`gc.freeze`): a full collection, which
falls on whatever key comes, looks only at what came after (bench.keys prints each key's
collections)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from screens.login import LoginScreen
from tests.tui.test_filters_and_views import fixed_board, press
from tui import collector
from tui.app import TicketsApp
from tui.config import Profile


@pytest.fixture
def paused() -> Iterator[float]:
    """The collector paused as `msp-tickets` pauses it; the usual switch interval."""
    usual = sys.getswitchinterval()
    collector.pause_until_started()
    try:
        assert not gc.isenabled() and sys.getswitchinterval() < usual
        yield usual
    finally:
        gc.enable()
        sys.setswitchinterval(usual)


async def test_the_started_app_is_frozen_for_the_collector(tmp_path: Path) -> None:
    assert gc.get_freeze_count() == 0, "given back after each test (tests/conftest.py)"
    async with fixed_board(tmp_path) as (_app, pilot):
        await press(pilot)
        assert gc.get_freeze_count() > 0


async def test_collection_resumes_once_the_board_is_up(tmp_path: Path, paused: float) -> None:
    async with fixed_board(tmp_path) as (_app, pilot):
        await press(pilot)
        assert gc.isenabled(), "the collector runs again"
        assert sys.getswitchinterval() == paused, "threads take turns as usual again"


async def test_collection_resumes_when_the_login_screen_waits(tmp_path: Path, paused: float) -> None:
    app = TicketsApp(None, profile=Profile("work", "http://127.0.0.1:9", None))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert gc.isenabled() and sys.getswitchinterval() == paused


async def test_collection_resumes_when_opening_the_board_fails_on_the_way(
    tmp_path: Path, paused: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The board goes on when making the portal's client fails (a bad CA file, say): so does
    the collector."""

    async def no_client(_app: TicketsApp) -> None:
        raise OSError("no CA file")

    monkeypatch.setattr(TicketsApp, "_connected", no_client)
    async with fixed_board(tmp_path) as (_app, pilot):
        await press(pilot)
        assert gc.isenabled() and sys.getswitchinterval() == paused
