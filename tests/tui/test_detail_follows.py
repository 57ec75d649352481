"""The detail follows the ticket: it opens at the first event the MSP added since the user last
opened it, a new event scrolls into view when the user was at the end (and does not move a user
reading further up), and the user's own comment is shown once written."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cache.sync import SyncEngine
from portal.client import PortalClient
from portal.schema import AuthorRole, Change, ChangeKind, EventKind, Status, TimelineEvent
from screens.common import MirrorChanged
from screens.detail import DetailScreen
from tests.tui.conftest import fixed_tui, screen_text, settle
from tests.tui.fixed_world import FIXED_NOW, fixed_mirror, fixed_ticket
from tui.app import TicketsApp
from tui.session import Session
from widgets.document import DocumentView

TICKET = fixed_ticket(1)
seq = [10_000]


def msp_comment(mirror, body: str, minutes_ago: int) -> None:
    """A technician's reply, applied as a sync applies it."""
    seq[0] += 1
    event = TimelineEvent(
        id=90_000_000 + seq[0],
        ticket_id=TICKET.id,
        kind=EventKind.COMMENT,
        author_role=AuthorRole.MSP,
        author_name="Tess Technician",
        body=body,
        from_status=None,
        to_status=None,
        assignee=None,
        score=None,
        created_at=FIXED_NOW - timedelta(minutes=minutes_ago),
    )
    mirror.apply_changes(
        [Change(seq=seq[0], kind=ChangeKind.EVENT, ticket_id=TICKET.id, ticket=None, event=event)],
        next_cursor=f"c{seq[0]}",
        has_more=False,
    )


async def test_the_detail_opens_at_news_follows_new_events_and_shows_the_users_comment(tmp_path: Path) -> None:
    mirror = fixed_mirror(tmp_path, [TICKET], events_per_ticket=40)
    msp_comment(mirror, "First unread reply", 30)
    msp_comment(mirror, "Second unread reply", 20)
    client = PortalClient("http://127.0.0.1:9")
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)), clock=FIXED_NOW.timestamp, sync_on_start=False
    )

    async def settle() -> None:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()

    def changed() -> None:
        for screen in app.screen_stack:
            screen.post_message(MirrorChanged())

    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle()
            await pilot.press("enter")
            await settle()
            assert isinstance(app.screen, DetailScreen)
            document = app.screen.query_one(DocumentView)
            text = screen_text(app)
            assert "First unread reply" in text, "it opens at the first unread event"
            assert "Description" not in text and document.scroll_y > 0

            await pilot.press("escape", "enter")
            await settle()
            document = app.screen.query_one(DocumentView)
            assert document.scroll_y == 0 and "Description" in screen_text(app), "all read: it opens at the top"

            msp_comment(mirror, "Reply while reading the top", 10)
            changed()
            await settle()
            assert document.scroll_y == 0, "a reader further up is not moved"
            assert "Reply while reading the top" not in screen_text(app)

            await pilot.press("end")
            await settle()
            msp_comment(mirror, "Reply while at the end", 5)
            changed()
            await settle()
            assert "Reply while at the end" in screen_text(app), "at the end, the new event scrolls into view"

            await pilot.press("home")
            await settle()
            await pilot.press("c", *"My own words", "ctrl+s")
            await settle()
            assert isinstance(app.screen, DetailScreen)
            assert "My own words" in screen_text(app), "the user's own comment is shown"
    finally:
        await client.aclose()
        mirror.close()


async def test_the_users_comment_is_shown_when_a_read_brought_it_before_the_form_closed(tmp_path: Path) -> None:
    """Under load, the detail may read the mirror (a sync's news) after the comment is in the
    outbox and before its form has closed: that read is not the one after the write, and the
    comment must still be scrolled to."""
    mirror = fixed_mirror(tmp_path, [TICKET], events_per_ticket=40)
    async with fixed_tui(mirror, size=(80, 24)) as (app, pilot):
        await pilot.press("enter")
        await settle(app)
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, DetailScreen) and detail.query_one(DocumentView).scroll_y == 0
        await pilot.press("c")
        await settle(app)
        await pilot.pause()
        form = app.screen
        assert form is not detail, "the comment form is open"
        written = mirror.outbox.add_comment(TICKET.id, "Written while a read came")
        detail.post_message(MirrorChanged())  # the read comes first, with the form still open
        await settle(app)
        await pilot.pause()
        assert detail.query_one(DocumentView).scroll_y == 0, "not moved while the user writes"
        form.dismiss(written)  # then the form closes, as after its write
        await settle(app)
        await pilot.pause()
        await pilot.pause()
        assert app.screen is detail
        assert "Written while a read came" in screen_text(app), "the user's own comment is shown"


async def test_the_detail_says_how_long_the_ticket_has_waited_on_the_user(tmp_path: Path) -> None:
    waiting = fixed_ticket(2, status=Status.WAITING_ON_CLIENT)
    mirror = fixed_mirror(tmp_path, [waiting], events_per_ticket=0)
    turns = [
        (Status.WAITING_ON_CLIENT, timedelta(days=5)),
        (Status.IN_PROGRESS, timedelta(days=4)),
        (Status.WAITING_ON_CLIENT, timedelta(days=2, hours=4, minutes=10)),
    ]
    changes = [
        Change(
            seq=100 + n,
            kind=ChangeKind.EVENT,
            ticket_id=waiting.id,
            ticket=None,
            event=TimelineEvent(
                id=80_000_000 + n,
                ticket_id=waiting.id,
                kind=EventKind.STATUS_CHANGE,
                author_role=AuthorRole.MSP,
                author_name="Tess Technician",
                body=None,
                from_status=Status.OPEN,
                to_status=to,
                assignee=None,
                score=None,
                created_at=FIXED_NOW - ago,
            ),
        )
        for n, (to, ago) in enumerate(turns)
    ]
    mirror.apply_changes(changes, next_cursor="turns", has_more=False)
    client = PortalClient("http://127.0.0.1:9")
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)), clock=FIXED_NOW.timestamp, sync_on_start=False
    )
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "Waiting on you for 2 d 4 h" in screen_text(app), (
                "counted from the last turn to waiting, not the first"
            )
    finally:
        await client.aclose()
        mirror.close()


async def test_a_scroll_to_the_users_comment_survives_its_acknowledgement_landing_before_the_paint() -> None:
    """Under load the portal's answer to a comment may be mirrored, and read, before the screen
    is next painted: the event's anchor changes from its pending id to the portal's, and the
    scroll asked for with the pending id must still have happened."""
    from textual.app import App, ComposeResult

    from widgets.document import Anchor, Para

    def document(key: object) -> list:
        return [*(Para(f"Step {n}") for n in range(80)), Anchor(key), Para("Restarted it, still failing.")]

    class Host(App):
        def compose(self) -> ComposeResult:
            yield DocumentView()

    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(DocumentView)
        view.show(document(("event", -7)))
        await pilot.pause()
        view.show(document(("event", -7)), scroll_to=("event", -7))
        view.show(document(("event", 7001)))  # acknowledged: the same event, under the portal's id
        await pilot.pause()
        await pilot.pause()
        assert view.scroll_y > 0 and "Restarted it, still failing." in view.text
        assert view.scroll_y == view.max_scroll_y, "the comment, the document's last line, is in view"
