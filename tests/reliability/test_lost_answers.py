"""Writes whose answer was lost after the portal committed them: the retry must not do them
twice. (Tickets, comments and confirmations are covered in tests/cache; this is the rating.)"""

from __future__ import annotations

from portal.schema import EventKind
from tests.cache.conftest import sides  # noqa: F401  (the fixture)
from tests.cache.faults import Fault, FaultyTransport, path_is
from tests.cache.test_sync_engine import resolved_ticket


async def test_a_rating_whose_answer_was_lost_is_recorded_once(world, sides):  # noqa: F811
    portal, account = world.portal, world.accounts["a_own"]
    ticket_id = await resolved_ticket(portal, account)
    transport = FaultyTransport()
    side = await sides(portal, account, transport=transport)
    await side.engine.sync_now()
    side.mirror.outbox.rate(ticket_id, 4, "Fixed on the second try")
    transport.inject(path_is("PUT", "/rating"), Fault("lose_response"))

    result = await side.engine.sync_now()

    assert result.error is None and side.mirror.outbox.pending_items() == []
    puts = [s for s in transport.seen if s.method == "PUT"]
    assert [s.status for s in puts] == [None, 200]  # the lost answer, then the retry
    detail = await side.client.ticket(ticket_id)
    assert (detail.rating, detail.rating_comment) == (4, "Fixed on the second try")
    ratings = [e for e in detail.timeline if e.kind is EventKind.RATING]
    assert len(ratings) == 1, f"one rating given, {len(ratings)} on the portal"
