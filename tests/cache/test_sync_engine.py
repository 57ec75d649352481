"""The sync engine's rules against the real portal: refusals kept with the portal's sentence,
state transitions whose answer was lost, the offline state and the cadence."""

from __future__ import annotations

from cache.sync import MIN_INTERVAL, SyncFailed, SyncFinished, SyncStarted, WentOffline
from portal.client import PortalClient
from portal.schema import EventKind, Status
from tests.cache.faults import Fault, FaultyTransport, path_is
from tests.cache.helpers import draft, tickets_titled
from tests.support.portal import token_for


async def resolved_ticket(portal, account) -> int:
    """A ticket of `account` that the simulated technicians have resolved."""
    async with PortalClient(portal.url, token_for(portal, account)) as client:
        ids = [(await client.create_ticket(draft(f"Resolve me {n}"), f"resolve-{n}")).id for n in range(6)]
        for _ in range(12):
            portal.psa_sync_now()
            for ticket_id in ids:
                if (await client.ticket(ticket_id)).status is Status.RESOLVED:
                    return ticket_id
    raise AssertionError("the PSA simulator resolved none of six tickets in twelve cycles")


async def test_refused_items_need_attention_and_do_not_block_others(world, sides):
    portal, accounts = world.portal, world.accounts
    ticket_id = await resolved_ticket(portal, accounts["a_own"])
    side = await sides(portal, accounts["a_company"])  # may see it, may not confirm it
    await side.engine.sync_now()
    side.mirror.outbox.confirm(ticket_id)
    side.mirror.outbox.add_comment(ticket_id, "Looks fixed from here too")

    result = await side.engine.sync_now()

    assert result.error is None and len(result.needs_attention) == 1
    status = side.mirror.sync_status()
    assert (status.waiting_to_send, status.needs_attention) == (0, 1)
    view = side.mirror.ticket(ticket_id)
    refused = [item for item in view.timeline if item.needs_attention]
    assert len(refused) == 1 and refused[0].to_status is Status.CLOSED
    assert refused[0].needs_attention == result.needs_attention[0]  # the portal's own sentence
    assert view.row.status is Status.RESOLVED  # the refused confirm is not shown as done
    detail = await side.client.ticket(ticket_id)
    assert detail.status is Status.RESOLVED
    assert "Looks fixed from here too" in [e.body for e in detail.timeline]


async def test_confirm_whose_answer_was_lost_is_done_once(world, sides):
    portal, account = world.portal, world.accounts["a_own"]
    ticket_id = await resolved_ticket(portal, account)
    transport = FaultyTransport()
    side = await sides(portal, account, transport=transport)
    await side.engine.sync_now()
    assert side.mirror.ticket(ticket_id).can_confirm
    side.mirror.outbox.confirm(ticket_id)
    side.mirror.outbox.rate(ticket_id, 5, "Quick and clear")
    transport.inject(path_is("POST", "/confirm"), Fault("lose_response"))

    result = await side.engine.sync_now()

    assert result.error is None and result.needs_attention == ()
    # The retry met the confirm already done: 409, read as success after checking the ticket.
    assert [s.status for s in transport.seen if s.path.endswith("/confirm")] == [None, 409]
    assert side.mirror.sync_status().waiting_to_send == 0
    detail = await side.client.ticket(ticket_id)
    assert (detail.status, detail.rating, detail.rating_comment) == (Status.CLOSED, 5, "Quick and clear")
    closings = [e for e in detail.timeline if e.kind is EventKind.STATUS_CHANGE and e.to_status is Status.CLOSED]
    assert len(closings) == 1
    view = side.mirror.ticket(ticket_id)
    assert view.row.status is Status.CLOSED and not view.row.pending and view.rating == 5


async def test_offline_after_failures_in_a_row_then_back(world, sides):
    portal = world.portal
    side = await sides(portal, world.accounts["a_own"])
    heard = []
    side.engine.subscribe(heard.append)
    assert (await side.engine.sync_now()).error is None
    portal.stop()

    waits = []
    for _ in range(4):
        failed = await side.engine.sync_now()
        assert failed.error and not failed.auth_failed
        waits.append(side.engine.seconds_until_next_sync())

    offline = [e for e in heard if isinstance(e, WentOffline)]
    assert len(offline) == 1  # said once, when it happened
    assert side.mirror.sync_status().offline_since == offline[0].since
    assert all(w >= MIN_INTERVAL for w in waits)
    assert waits[0] < 60  # a first failure is retried soon, not at the next PSA cycle
    assert waits[3] > waits[2]  # backs off while the portal stays away
    assert sum(isinstance(e, SyncFailed) for e in heard) == 4

    portal.start()
    assert (await side.engine.sync_now()).error is None
    assert side.mirror.sync_status().offline_since is None
    assert isinstance(heard[-1], SyncFinished) and isinstance(heard[-2], SyncStarted)


async def test_cadence_follows_the_portals_next_psa_sync(fresh_world, sides):
    side = await sides(fresh_world.portal, fresh_world.accounts["a_own"])  # psa interval 3600 s in tests
    await side.engine.sync_now()
    wait = side.engine.seconds_until_next_sync()
    # Its phase of a 3,600 s cycle may be far off: capped at twice the default 300 s (+ jitter).
    assert MIN_INTERVAL <= wait <= 2 * 300 + 10
    status = side.mirror.sync_status()
    assert status.last_synced_at is not None and status.next_sync_at > status.last_synced_at


async def test_refused_token_is_reported_not_offline(fresh_world, sides):
    side = await sides(fresh_world.portal, fresh_world.accounts["a_own"])
    await side.client.logout()
    side.client.token = "not-a-token"
    results = [await side.engine.sync_now() for _ in range(4)]
    assert all(r.auth_failed and r.error for r in results)
    assert side.mirror.sync_status().offline_since is None


async def test_items_on_a_refused_ticket_need_attention_too(fresh_world, sides):
    portal, account = fresh_world.portal, fresh_world.accounts["a_own"]
    side = await sides(portal, account)
    await side.client.create_ticket(draft("Taken key"), "key-already-used")
    pending_id = side.mirror.outbox.submit_ticket(draft("Another ticket"))
    side.mirror.outbox.add_comment(pending_id, "More detail")
    # The queued ticket carries a key the portal already saw with another payload: refused.
    conn = side.mirror._conn
    conn.execute("UPDATE outbox.outbox SET idempotency_key = 'key-already-used' WHERE id = ?", (-pending_id,))

    result = await side.engine.sync_now()

    assert result.error is None and len(result.needs_attention) == 2
    assert "Not sent, because the portal refused its ticket" in result.needs_attention[1]
    status = side.mirror.sync_status()
    assert (status.waiting_to_send, status.needs_attention) == (0, 2)
    view = side.mirror.ticket(pending_id)
    assert view.row.pending and view.row.needs_attention == result.needs_attention[0]
    assert await tickets_titled(side.client, "Another ticket") == []
