"""What a sync costs the tenant's budget (100 requests a minute for every board of every client
company): a periodic sync that finds nothing new is exactly one request, `GET /changes` with the
cursor; the checks of the portal's identity and the token's owner run once a session and again
whenever something changed."""

from __future__ import annotations

from cache.sync import SyncEngine
from tests.cache.faults import FaultyTransport
from tests.cache.helpers import draft


def requests_of(transport: FaultyTransport, since: int) -> list[str]:
    return [f"{seen.method} {seen.path.removeprefix('/api/v1')}" for seen in transport.seen[since:]]


async def test_an_unchanged_sync_is_one_request(fresh_world, sides):
    transport = FaultyTransport()
    side = await sides(fresh_world.portal, fresh_world.accounts["a_own"], transport=transport)
    signed_in = len(transport.seen)
    await side.engine.sync_now()
    assert requests_of(transport, signed_in) == ["GET /meta", "GET /me", "GET /changes"]

    for _ in range(3):
        before = len(transport.seen)
        result = await side.engine.sync_now()
        assert result.error is None
        assert requests_of(transport, before) == ["GET /changes"]
        assert "cursor=" in transport.seen[-1].query
    # The PSA cycle's timing still comes with it.
    assert side.mirror.sync_state()["next_psa_sync_at"] is not None


async def test_news_from_the_portal_still_cost_one_request(fresh_world, sides):
    transport = FaultyTransport()
    side = await sides(fresh_world.portal, fresh_world.accounts["a_company"], transport=transport)
    await side.engine.sync_now()
    colleague = await sides(fresh_world.portal, fresh_world.accounts["a_admin"])
    await colleague.client.create_ticket(draft("Printer on fire"), "cost-news-1")

    before = len(transport.seen)
    result = await side.engine.sync_now()
    assert requests_of(transport, before) == ["GET /changes"]
    assert result.pulled >= 1


async def test_a_write_costs_its_request_and_one_pull_more(fresh_world, sides):
    transport = FaultyTransport()
    side = await sides(fresh_world.portal, fresh_world.accounts["a_own"], transport=transport)
    await side.engine.sync_now()
    side.mirror.outbox.submit_ticket(draft("Sent once"))
    before = len(transport.seen)
    result = await side.engine.sync_now()
    assert result.pushed == 1
    assert requests_of(transport, before) == ["GET /changes", "POST /tickets", "GET /changes"]


async def test_a_new_token_checks_the_session_again(world, sides):
    portal, account = world.portal, world.accounts["a_own"]
    transport = FaultyTransport()
    side = await sides(portal, account, transport=transport)
    await side.engine.sync_now()

    await side.client.login(account.email, account.password)  # a new token for the same user
    before = len(transport.seen)
    await side.engine.sync_now()
    assert requests_of(transport, before) == ["GET /meta", "GET /me", "GET /changes"]

    # The portal away and back is no reason: its cursor would tell of another portal (410).
    portal.stop()
    assert (await side.engine.sync_now()).error is not None
    portal.start()
    before = len(transport.seen)
    assert (await side.engine.sync_now()).error is None
    assert requests_of(transport, before) == ["GET /changes"]


async def test_a_page_too_large_for_the_cap_is_asked_again_in_smaller_pages(fresh_world, sides):
    transport = FaultyTransport()
    side = await sides(fresh_world.portal, fresh_world.accounts["a_own"], transport=transport)
    for n in range(6):
        await side.client.create_ticket(draft(f"Long {n}", "A long story. " * 250), f"long-{n}")
    # A cap that fits two of these changes, not six: pages of 50 are refused, pages of 2 fit.
    side.client.max_answer_bytes = 12_000
    engine = SyncEngine(side.mirror, side.client, page_size=50, safe_page_size=2)
    before = len(transport.seen)

    result = await engine.sync_now()

    assert result.error is None and result.pulled >= 6
    limits = [seen.query for seen in transport.seen[before:] if seen.path.endswith("/changes")]
    assert "limit=50" in limits[0] and all("limit=2" in query for query in limits[1:])
    assert len(limits) >= 4
