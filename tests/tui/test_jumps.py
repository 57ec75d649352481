"""In a long ticket, end/home/G/g (and the page keys) jump where they lead: no animated
scrolling, which Textual does by default (a second of it for `end` on 1,000 events; issue 14,
item 2). The time a jump takes is `bench/keys.py`'s; here, that no key asks for an animation and
where each one lands."""

from __future__ import annotations

from pathlib import Path

import pytest

from cache.sync import SyncEngine
from portal.client import PortalClient
from screens.detail import DetailScreen
from tests.tui.fixed_world import FIXED_NOW, fixed_mirror, fixed_ticket
from tui.app import TicketsApp
from tui.session import Session
from widgets.document import DocumentView


@pytest.mark.parametrize(("key", "back"), [("end", "home"), ("G", "g")])
async def test_a_jump_in_a_long_ticket_is_not_animated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str, back: str
) -> None:
    mirror = fixed_mirror(tmp_path, [fixed_ticket(1)], events_per_ticket=400)
    client = PortalClient("http://127.0.0.1:9")  # never used: nothing syncs
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)), clock=FIXED_NOW.timestamp, sync_on_start=False
    )
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen)
            view = app.screen.query_one(DocumentView)
            animated: list[str] = []
            monkeypatch.setattr(view, "animate", lambda attribute, *a, **k: animated.append(attribute))
            await pilot.press(back)
            await pilot.pause()
            assert view.scroll_y == 0 and view.max_scroll_y > 1000  # 400 events: a long way down
            await pilot.press(key)
            await pilot.pause()
            assert view.scroll_y == view.max_scroll_y
            await pilot.press("pageup")
            await pilot.pause()
            assert view.scroll_y == view.max_scroll_y - view.scrollable_content_region.height
            await pilot.press(back)
            await pilot.pause()
            assert view.scroll_y == 0
            assert animated == []
    finally:
        await client.aclose()
        mirror.close()
