"""Writes held back for their undo (cache/outbox.py): against the real portal, a held confirm or
reopen is not sent while it waits, taken back it is never sent and the mirror shows the ticket
as it was, and once its hold ends it goes — by a later process too, when the first was killed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from portal.schema import EventKind, Status
from tests.cache.test_sync_engine import resolved_ticket

LONG_HOLD = timedelta(minutes=10)  # never ends during the test
SHORT_HOLD = timedelta(seconds=0.5)


async def synced_with_a_resolved_ticket(world, sides, **side_kw):
    """A side of the account that owns a resolved ticket, synced; and that ticket's id."""
    portal, account = world.portal, world.accounts["a_own"]
    ticket_id = await resolved_ticket(portal, account)
    side = await sides(portal, account, **side_kw)
    await side.engine.sync_now()
    return side, ticket_id


async def wait_out(hold: timedelta) -> None:
    await asyncio.sleep(hold.total_seconds() + 0.1)


async def test_a_held_confirm_is_not_sent_and_taken_back_is_never_sent(world, sides):
    side, ticket_id = await synced_with_a_resolved_ticket(world, sides)

    held = side.mirror.outbox.confirm(ticket_id, hold=LONG_HOLD)
    assert side.mirror.ticket(ticket_id).row.status is Status.CLOSED  # shown at once, pending
    result = await side.engine.sync_now()

    assert result.error is None and result.pushed == 0
    assert (await side.client.ticket(ticket_id)).status is Status.RESOLVED, "a held write is not sent"
    assert side.mirror.sync_status().waiting_to_send == 1

    assert side.mirror.outbox.take_back(held)

    view = side.mirror.ticket(ticket_id)
    assert (view.row.status, view.row.pending, view.can_confirm) == (Status.RESOLVED, False, True)
    assert not [item for item in view.timeline if item.pending], "nothing of it is left on the ticket"
    assert side.mirror.outbox.pending_items() == []
    await side.engine.sync_now()
    assert (await side.client.ticket(ticket_id)).status is Status.RESOLVED


async def test_a_held_reopen_and_its_reason_go_once_the_hold_ends(world, sides):
    side, ticket_id = await synced_with_a_resolved_ticket(world, sides)

    held = side.mirror.outbox.reopen(ticket_id, "The printer jams again", hold=SHORT_HOLD)
    assert len(held.item_ids) == 2  # the reopening and its reason: one action, taken back together
    assert 0 < side.engine.seconds_until_next_sync() <= SHORT_HOLD.total_seconds() + 1, (
        "the next sync is planned for when the hold ends, not a cycle later"
    )
    await wait_out(SHORT_HOLD)
    assert side.mirror.outbox.take_back(held) is False, "too late: it goes"
    result = await side.engine.sync_now()

    assert result.error is None and result.pushed == 2
    detail = await side.client.ticket(ticket_id)
    assert detail.status is Status.OPEN
    assert [e.body for e in detail.timeline if e.kind is EventKind.COMMENT][-1:] == ["The printer jams again"]
    assert side.mirror.outbox.pending_items() == []


async def test_a_write_held_when_the_app_was_killed_goes_from_the_next_start(world, sides, tmp_path):
    side, ticket_id = await synced_with_a_resolved_ticket(world, sides, home=tmp_path / "home")
    side.mirror.outbox.confirm(ticket_id, hold=SHORT_HOLD)
    side.mirror.close()  # the app is gone; what it queued is in the outbox file

    later = await sides(world.portal, world.accounts["a_own"], home=tmp_path / "home")
    [waiting] = later.mirror.outbox.pending_items()
    assert waiting.kind == "confirm"
    await wait_out(SHORT_HOLD)
    result = await later.engine.sync_now()

    assert result.error is None and result.pushed == 1
    assert (await later.client.ticket(ticket_id)).status is Status.CLOSED


async def test_only_what_is_due_is_sent_in_order(world, sides):
    """A comment written after a held confirm is not held back by it."""
    side, ticket_id = await synced_with_a_resolved_ticket(world, sides)
    side.mirror.outbox.confirm(ticket_id, hold=LONG_HOLD)
    side.mirror.outbox.add_comment(ticket_id, "Works now, thanks")

    due = side.mirror.outbox.due_items()
    assert [item.kind for item in due] == ["comment"]
    assert side.mirror.outbox.due_items(datetime.now(UTC) + 2 * LONG_HOLD)[0].kind == "confirm"
    await side.engine.sync_now()

    detail = await side.client.ticket(ticket_id)
    assert detail.status is Status.RESOLVED
    assert "Works now, thanks" in [e.body for e in detail.timeline]
