"""Keys that arrive together are applied in order, each where it was typed (the fast, pilot-side
check of tui/input_order.py; tests/tui/test_terminal_input.py drives the real terminal).

All the keys are posted to the app at once, as the terminal driver does with a burst, with no
pause between them: `n` opens the form, the subject follows before the form has mounted, `tab`
moves on through category and priority to the description, and `ctrl+s` submits."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import events
from textual.widgets import Input

from screens.detail import DetailScreen
from screens.writes import WRITE_GROUP
from tests.tui.conftest import running_tui
from tui.app import QUIT_KEY


def _keys(text: str) -> list[events.Key]:
    named = {" ": "space", "\t": "tab", ".": "full_stop", ",": "comma", "/": "slash"}
    return [events.Key(named.get(char, char), char) for char in text]


async def test_a_burst_lands_in_the_fields_it_was_typed_in(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app = running.app
        burst = [
            *_keys("n" + "Scanner down on floor three" + "\t" * 3 + "It shows error five, then stops."),
            events.Key("ctrl+s", None),
        ]
        for key in burst:
            app.post_message(key)
        await running.until(lambda: isinstance(app.screen, DetailScreen), what="the new ticket's detail")
        detail = app.screen
        await running.synced()
        await running.until(lambda: app.session.mirror.outbox.resolve(detail.ticket_id) > 0, what="the portal's id")
        ticket = running.api("GET", f"/tickets/{app.session.mirror.outbox.resolve(detail.ticket_id)}").json()
        assert (ticket["subject"], ticket["description"]) == (
            "Scanner down on floor three",
            "It shows error five, then stops.",
        )


async def test_a_paste_before_the_comment_form_has_mounted_lands_in_it(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app = running.app
        await running.press("enter")
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        before = len(running.api("GET", f"/tickets/{detail.ticket_id}").json()["timeline"])
        for event in (
            events.Key("c", "c"),
            events.Paste("Pasted before the form was there\r\nsecond line"),
            events.Key("ctrl+s", None),
        ):
            app.post_message(event)
        await running.until(lambda: app.screen is detail, what="the form to close")
        await running.synced()
        timeline = running.api("GET", f"/tickets/{detail.ticket_id}").json()["timeline"]
        assert len(timeline) == before + 1
        assert timeline[-1]["body"] == "Pasted before the form was there\nsecond line"


async def test_keys_wait_while_a_write_is_under_way_but_quitting_does_not(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app = running.app
        board = app.screen
        write_done = asyncio.Event()
        board.run_worker(write_done.wait(), group=WRITE_GROUP)  # a write that does not finish yet
        for key in _keys("/abc"):
            app.post_message(key)
        await running.pilot.pause(0.2)
        search = board.query_one("#search", Input)
        assert search.value == "" and not search.has_focus  # held: the write is under way
        write_done.set()
        await running.until(lambda: search.value == "abc", what="the held keys to land, in order")

        blocked = asyncio.Event()
        board.run_worker(blocked.wait(), group=WRITE_GROUP)
        app.post_message(events.Key("x", "x"))
        app.post_message(events.Key(QUIT_KEY, None))
        await running.until(lambda: app._exit, what="the app to quit")  # noqa: SLF001 - Textual's flag
        assert search.value == "abc"
