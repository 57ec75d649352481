"""Sync as a person sees it: offline when the portal stops (cached data stays, writes wait as
pending), recovery when it returns, and a notification naming the ticket after a technician
acts on it in the PSA."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from cache.model import Pill
from screens.board import BoardScreen
from screens.detail import DetailScreen
from tests.tui.conftest import running_tui, screen_text
from tests.tui.test_detail import open_first
from widgets.ticket_table import TicketTable


async def test_offline_then_recovery_with_a_comment_waiting(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app = running.app
        table = app.screen.query_one(TicketTable)
        cached = table.total
        await asyncio.to_thread(demo_portal.stop)
        try:
            for _ in range(3):  # the engine calls it offline after several failures in a row
                await running.sync()
            text = screen_text(app)
            assert re.search(r"offline since \d\d:\d\d — showing cached data", text), text
            assert table.total == cached and table.row_at(0) is not None, "the cached board stays"

            detail = await open_first(running, Pill.OPEN)
            await running.press("c", *"Any news?", "ctrl+s")
            await running.until(lambda: "Any news?" in screen_text(app), what="the pending comment")
            await running.synced()
            text = screen_text(app)
            assert "pending" in text.split("Any news?")[0].rsplit("client comment", 1)[1]
            assert "1 change waiting to send" in text
        finally:
            await asyncio.to_thread(demo_portal.start)
        await running.sync()
        text = screen_text(app)
        assert "offline" not in text and "synced just now" in text
        assert "waiting to send" not in text
        timeline = running.api("GET", f"/tickets/{detail.ticket_id}").json()["timeline"]
        assert [e["body"] for e in timeline].count("Any news?") == 1
        assert isinstance(app.screen, DetailScreen)


async def test_new_ticket_made_offline_is_pending_then_sent(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        pilot, app = running.pilot, running.app
        await asyncio.to_thread(demo_portal.stop)
        try:
            await running.press("n", *"Offline ticket")
            app.screen.query_one("#description").focus()
            await running.press(*"on a train", "ctrl+s")
            await running.until(lambda: isinstance(app.screen, DetailScreen), what="the detail")
            await running.synced()
            assert "new · Offline ticket" in screen_text(app)
            await running.press("escape")
            await pilot.pause()
            board = app.screen
            assert isinstance(board, BoardScreen)
            first = board.query_one(TicketTable).row_at(0)
            assert first.pending and first.subject == "Offline ticket"
            assert "pending" in screen_text(app).split("Offline ticket")[1].splitlines()[0]
        finally:
            await asyncio.to_thread(demo_portal.start)
        await running.sync()
        first = app.screen.query_one(TicketTable).row_at(0)
        assert not first.pending and first.id > 0
        assert running.api("GET", f"/tickets/{first.id}").json()["subject"] == "Offline ticket"


async def test_a_technician_reply_is_counted_on_the_status_line_and_logged_not_toasted(
    demo_portal, tmp_path: Path
) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app = running.app
        ticket = running.api(
            "POST",
            "/tickets",
            json={
                "subject": "Label printer offline",
                "category": "hardware",
                "priority": "high",
                "description": "since the move",
            },
            headers={"Idempotency-Key": "tui-technician-reply"},
        ).json()
        await running.sync()

        def replies_logged() -> list[str]:
            return [
                entry.change.what
                for entry in app.files.mirror.activity()
                if entry.change.ticket_id == ticket["id"] and entry.change.what.startswith("MSP: ")
            ]

        # The PSA's technicians pick the ticket up, then reply, over a few cycles.
        for _ in range(8):
            if replies_logged():
                break
            await asyncio.to_thread(demo_portal.psa_sync_now)
            await running.sync()
        assert replies_logged()
        unread = app.files.mirror.unread_activity()
        assert unread >= 1
        changes = "1 change" if unread == 1 else f"{unread} changes"
        assert f"{changes} · a to see" in screen_text(app).splitlines()[-2] + screen_text(app).splitlines()[-1]
        assert not [n for n in app._notifications if n.severity == "information"], "no toasts over the table"
        assert f"{unread} new" in app.title
        timeline = running.api("GET", f"/tickets/{ticket['id']}").json()["timeline"]
        assert any(e["kind"] == "comment" and e["author_role"] == "msp" for e in timeline)
