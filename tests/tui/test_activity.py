"""Issue 12 item 1: the Activity screen (`a`) — newest first, unread until seen, `enter` opens
the ticket at the line's event, `m` marks all read; over a real portal, and over a fixed mirror
where the place in the timeline must be exact."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from cache.model import NewsKind, TicketChange
from portal.schema import AuthorRole, TimelineEvent
from screens.activity import UNREAD_MARK, ActivityScreen
from screens.detail import DetailScreen
from tests.cache.helpers import create_tickets
from tests.support.portal import add_namesake, comment_as
from tests.tui.conftest import fixed_tui, running_tui, screen_text, settle
from tests.tui.fixed_world import FIXED_NOW, apply_msp_event, fixed_mirror, fixed_ticket
from widgets.document import DocumentView


async def _changes_by_the_msp(running) -> None:
    """A ticket the technicians pick up and answer, over a few PSA cycles."""
    running.api(
        "POST",
        "/tickets",
        json={"subject": "Scanner jams", "category": "hardware", "priority": "high", "description": "every page"},
        headers={"Idempotency-Key": "activity-scanner"},
    )
    await running.sync()
    for _ in range(8):
        await asyncio.to_thread(running.portal.psa_sync_now)
        await running.sync()
        if running.app.files.mirror.unread_activity() >= 2:
            return
    raise AssertionError("the MSP changed nothing")


async def test_activity_lists_changes_newest_first_and_m_marks_all_read(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        pilot, app = running.pilot, running.app
        await _changes_by_the_msp(running)
        logged = app.files.mirror.activity()
        await pilot.press("a")
        await running.until(
            lambda: isinstance(app.screen, ActivityScreen) and app.screen.entries is not None, what="the activity"
        )
        screen = app.screen
        assert [e.id for e in screen.entries] == [e.id for e in logged]
        text = screen_text(app)
        first = logged[0].change
        first_line = next(line for line in text.splitlines() if f"#{first.ticket_id} " in line)
        assert UNREAD_MARK in first_line and first.what[:20] in first_line
        assert f"{len(logged)} unread" in text

        await pilot.press("m")
        await running.until(lambda: app.files.mirror.unread_activity() == 0, what="all marked read")
        await running.until(lambda: all(e.read for e in screen.entries or []), what="the view to show it")
        await pilot.pause()
        rows = screen_text(app).split("When", 1)[1].splitlines()[1:-2]
        assert rows and not any(UNREAD_MARK in row for row in rows)
        await running.until(lambda: "a to see" not in screen_text(app), what="the status line to drop the count")
        assert "new" not in app.title


async def test_enter_opens_the_ticket_of_the_line_and_marks_it_read(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        pilot, app = running.pilot, running.app
        await _changes_by_the_msp(running)
        logged = app.files.mirror.activity()
        await pilot.press("a")
        await running.until(lambda: isinstance(app.screen, ActivityScreen) and app.screen.entries, what="the activity")
        await pilot.press("down", "enter")
        await running.until(lambda: isinstance(app.screen, DetailScreen), what="the ticket")
        assert app.screen.ticket_id == logged[1].change.ticket_id
        await running.until(lambda: app.files.mirror.activity()[1].read, what="the line marked read")
        assert app.files.mirror.unread_activity() == len(logged) - 1
        await pilot.press("escape")
        await running.until(lambda: isinstance(app.screen, ActivityScreen), what="back to the activity")


async def test_the_counts_are_of_changes_by_others_told_apart_by_user_id(world, tmp_path: Path) -> None:
    """A colleague with the user's very name is counted in the status line and the title; the
    user's own comment, written on the portal's web page, is not."""
    portal, me = world.portal, world.accounts["a_company"]
    namesake = await asyncio.to_thread(add_namesake, portal, me)
    [ticket] = await create_tickets(portal, me, 1, "Printer")
    async with running_tui(portal, tmp_path, me) as running:
        app = running.app
        await asyncio.to_thread(comment_as, portal, me, ticket, "Mine, from the web page")
        await running.sync()
        assert "a to see" not in screen_text(app) and app.title == "msp-tickets"

        await asyncio.to_thread(comment_as, portal, namesake, ticket, "The other one's words")
        await running.sync()
        await running.until(lambda: "1 change · a to see" in screen_text(app), what="the count on the status line")
        assert app.title == "msp-tickets · 1 new"
        await running.press("a")
        await running.until(lambda: isinstance(app.screen, ActivityScreen) and app.screen.entries, what="the activity")
        assert [entry.change.body for entry in app.screen.entries] == ["The other one's words"]
        assert f"{me.name}: The other one's words" in screen_text(app)


async def test_enter_opens_the_ticket_at_the_event_of_the_line(tmp_path: Path) -> None:
    """The detail opens scrolled to the line's event, at the top of the view and marked ▶ (or
    as near the top as the end allows); a new ticket's line at the ticket's top."""
    ticket = fixed_ticket(1)
    mirror = fixed_mirror(tmp_path, [ticket], events_per_ticket=40)
    middle = apply_msp_event(mirror, ticket.id, ticket.created_at + timedelta(hours=5), body="Found it in the logs")
    late = apply_msp_event(mirror, ticket.id, FIXED_NOW - timedelta(minutes=10), body="Fixed, please check")
    mirror.record_activity(
        [
            TicketChange(ticket.id, ticket.subject, NewsKind.NEW_TICKET, AuthorRole.CLIENT, "Bob", ticket.created_at),
            *(_told(event, ticket.subject) for event in (middle, late)),
        ]
    )
    async with fixed_tui(mirror, size=(80, 24)) as (app, pilot):

        async def open_line(index: int) -> list[str]:
            await pilot.press("a")
            await settle(app)
            await pilot.pause()
            assert isinstance(app.screen, ActivityScreen)
            await pilot.press("home", *["down"] * index, "enter")
            await settle(app)
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen)
            return screen_text(app).splitlines()

        lines = await open_line(1)  # newest first: the late reply, the middle one, the new ticket
        assert "▶ msp comment" in lines[0] and lines[1].strip() == "Found it in the logs", lines[:3]
        assert sum("▶" in line for line in lines) == 1
        await pilot.press("escape", "escape")

        lines = await open_line(0)
        assert "Fixed, please check" in "\n".join(lines), "near the end: as near the top as the end allows"
        marked = next(n for n, line in enumerate(lines) if "▶" in line)
        assert lines[marked + 1].strip() == "Fixed, please check"
        await pilot.press("escape", "escape")

        lines = await open_line(2)
        assert app.screen.query_one(DocumentView).scroll_y == 0 and "Description" in "\n".join(lines)
        assert not any("▶" in line for line in lines)


def _told(event: TimelineEvent, subject: str) -> TicketChange:
    """The Activity's line for a technician's comment, as a sync writes it."""
    return TicketChange(
        event.ticket_id,
        subject,
        NewsKind.COMMENT,
        event.author_role,
        event.author_name,
        event.created_at,
        event.id,
        body=event.body,
    )
