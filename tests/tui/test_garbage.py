"""Once the board has started, what the app made so far is out of the garbage collector's
sight (`gc.freeze`): a full collection, which falls on whatever key comes, looks only at what
came after (bench.keys prints each key's collections)."""

from __future__ import annotations

import gc
from pathlib import Path

from tests.tui.test_filters_and_views import fixed_board, press


async def test_the_started_app_is_frozen_for_the_collector(tmp_path: Path) -> None:
    assert gc.get_freeze_count() == 0, "given back after each test (tests/conftest.py)"
    async with fixed_board(tmp_path) as (_app, pilot):
        await press(pilot)
        assert gc.get_freeze_count() > 0
