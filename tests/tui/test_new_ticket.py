"""The new-ticket form against the real portal: refused with each problem beside its field,
then accepted, opening the new ticket's detail at once; the draft survives esc and a crash."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, TextArea

from cache.mirror import Mirror
from screens.board import BoardScreen
from screens.detail import DetailScreen
from screens.new_ticket import DRAFT_NAME, NewTicketScreen
from tests.tui.conftest import running_tui, screen_text


async def test_refused_then_accepted(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        pilot, app = running.pilot, running.app
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = screen_text(app)
        assert isinstance(app.screen, NewTicketScreen)
        assert "The subject is required" in text and "The description is required" in text
        assert app.session.mirror.sync_status().waiting_to_send == 0

        await pilot.press(*"Scanner down")
        assert "12/500" in screen_text(app)
        assert "The subject is required" not in screen_text(app), "the problem goes as it is fixed"
        app.screen.query_one("#description", TextArea).focus()
        await pilot.press(*"Fails at 50%")
        await pilot.press("ctrl+s")
        await running.until(lambda: isinstance(app.screen, DetailScreen), what="the detail")
        assert "Scanner down" in screen_text(app)
        await running.synced()
        detail = app.screen
        await running.until(lambda: detail.ticket_id > 0, what="the portal's id")
        ticket = running.api("GET", f"/tickets/{detail.ticket_id}").json()
        assert ticket["subject"] == "Scanner down"
        assert ticket["description"] == "Fails at 50%"
        assert f"#{detail.ticket_id}" in screen_text(app)
        assert app.session.mirror.drafts.load(DRAFT_NAME) is None, "a sent ticket leaves no draft"


async def test_too_long_subject_is_counted_and_refused(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        await running.pilot.press("n")
        await running.pilot.pause()
        running.app.screen.query_one("#subject", Input).value = "x" * 501
        await running.pilot.pause()
        text = screen_text(running.app)
        assert "501/500" in text and "the limit is 500" in text


async def test_draft_survives_esc_and_a_crash(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        pilot, app = running.pilot, running.app
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Half-written")
        # Saved as typed: another process (after a crash) finds it in the outbox file.
        await running.until(
            lambda: (
                (Mirror.open(app.session.mirror.paths).drafts.load(DRAFT_NAME) or {}).get("subject") == "Half-written"
            ),
            what="the draft on disk",
        )
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one("#subject", Input).value == "Half-written"


async def test_pressing_submit_twice_sends_one_ticket(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        pilot, app = running.pilot, running.app
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#subject", Input).value = "Badge reader dead"
        app.screen.query_one("#description", TextArea).text = "Front door, since 8:00"
        form = app.screen
        for _ in range(3):  # three presses in one tick, before the first write is done
            form.action_submit()
        await running.until(lambda: isinstance(app.screen, DetailScreen), what="the detail")
        await pilot.pause()
        assert isinstance(app.screen_stack[-2], BoardScreen), "one dismiss, not three"
        await running.synced()
        subjects = [t["subject"] for t in running.api("GET", "/tickets", params={"limit": 500}).json()["items"]]
        assert subjects.count("Badge reader dead") == 1
