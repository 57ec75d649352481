"""The mirror against the real reference portal (issue 3, "It must show" 1-9)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cache.model import NewsKind, TicketQuery
from portal.schema import AuthorRole, Status
from tests.cache.faults import Fault, FaultyTransport, path_is
from tests.cache.helpers import FAST_RETRY, api_view, create_tickets, draft, mirror_view, tickets_titled
from tests.support.portal import token_for

ROOT = Path(__file__).resolve().parents[2]


# 1 ------------------------------------------------------------------------------------------------


async def test_first_sync_mirrors_what_the_user_may_see_and_deltas_converge(world, sides):
    portal, accounts = world.portal, world.accounts
    await create_tickets(portal, accounts["a_own"], 2, "Own")
    await create_tickets(portal, accounts["a_admin"], 1, "Admin")
    await create_tickets(portal, accounts["b_own"], 1, "Beta")
    transport = FaultyTransport()  # no faults: it records what was asked
    side = await sides(portal, accounts["a_company"], transport=transport)

    first = await side.engine.sync_now()
    assert first.error is None
    before = mirror_view(side.mirror)
    assert len(before) == 3 and before == await api_view(side.client)
    assert not any(t["subject"].startswith("Beta") for t in before.values())

    portal.psa_sync_now()  # technicians pick up, assign, comment
    await create_tickets(portal, accounts["a_own"], 1, "Later")
    second = await side.engine.sync_now()
    after = mirror_view(side.mirror)
    assert after == await api_view(side.client)
    assert after != before and len(after) == 4
    kinds = {change.kind for change in second.by_others}
    assert {NewsKind.ASSIGNMENT, NewsKind.STATUS_CHANGE, NewsKind.COMMENT} <= kinds
    picked_up = next(c for c in second.by_others if c.kind is NewsKind.STATUS_CHANGE)
    assert (picked_up.from_status, picked_up.to_status) == (Status.OPEN, Status.IN_PROGRESS)
    assert picked_up.what == "Open → In Progress" and picked_up.author_role is AuthorRole.MSP
    assert [t.subject for t in second.new_tickets] == ["Later 0"]
    change_requests = [s for s in transport.seen if s.path.endswith("/changes")]
    assert "cursor=" not in change_requests[0].query  # the first sync starts from nothing
    assert "cursor=" in change_requests[-1].query  # later ones continue from the cursor


# 2 ------------------------------------------------------------------------------------------------


async def test_ticket_and_comment_written_offline_arrive_once(world, sides):
    portal, account = world.portal, world.accounts["a_own"]
    side = await sides(portal, account)
    await side.engine.sync_now()
    portal.stop()
    pending_id = side.mirror.outbox.submit_ticket(draft("Written on the train"))
    side.mirror.outbox.add_comment(pending_id, "And the fan is loud")
    offline = await side.engine.sync_now()
    assert offline.error and side.mirror.sync_status().waiting_to_send == 2
    assert side.mirror.page(TicketQuery(), 0, 1)[0].pending

    portal.start()
    back = await side.engine.sync_now()
    assert back.error is None and back.pushed == 2
    on_server = await tickets_titled(side.client, "Written on the train")
    assert len(on_server) == 1
    detail = await side.client.ticket(on_server[0].id)
    assert [e.body for e in detail.timeline if e.kind.value == "comment"] == ["And the fan is loud"]
    assert side.mirror.outbox.resolve(pending_id) == on_server[0].id
    assert side.mirror.sync_status().waiting_to_send == 0
    await side.engine.sync_now()  # nothing is sent twice
    assert len(await tickets_titled(side.client, "Written on the train")) == 1


# 3 ------------------------------------------------------------------------------------------------


async def test_lost_response_after_commit_creates_no_second_ticket(fresh_world, sides):
    transport = FaultyTransport()
    side = await sides(fresh_world.portal, fresh_world.accounts["a_own"], transport=transport)
    transport.inject(path_is("POST", "/tickets"), Fault("lose_response"))
    pending_id = side.mirror.outbox.submit_ticket(draft("Lost in transit"))
    side.mirror.outbox.add_comment(pending_id, "first words")
    transport.inject(path_is("POST", "/comments"), Fault("lose_response"))

    result = await side.engine.sync_now()

    assert result.error is None
    posts = [s for s in transport.seen if s.method == "POST" and s.path.endswith("/tickets")]
    assert len(posts) == 2 and posts[0].status is None and posts[1].status == 201
    assert posts[0].headers["idempotency-key"] == posts[1].headers["idempotency-key"]
    on_server = await tickets_titled(side.client, "Lost in transit")
    assert len(on_server) == 1
    detail = await side.client.ticket(on_server[0].id)
    assert [e.body for e in detail.timeline if e.kind.value == "comment"] == ["first words"]


# 4 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault, attempts",
    # A 500 is not retried (502/503/504 are); a timeout is, up to the policy's attempts.
    [(Fault("status", 500), 1), (Fault("timeout", seconds=0.2), FAST_RETRY.max_attempts)],
    ids=["http-500", "timeout"],
)
async def test_failure_mid_pull_applies_no_partial_page_and_resumes(fresh_world, sides, fault, attempts):
    portal, account = fresh_world.portal, fresh_world.accounts["a_own"]
    await create_tickets(portal, account, 12)
    transport = FaultyTransport()
    side = await sides(portal, account, transport=transport, page_size=5)
    # The second page fails on every attempt the client makes.
    transport.inject(path_is("GET", "/changes", after=1), *[fault] * attempts)

    failed = await side.engine.sync_now()

    assert failed.error
    assert side.mirror.total(TicketQuery()) == 5  # the first page, whole; nothing of the second
    committed = side.mirror.cursor()
    assert committed is not None
    seen_before = len(transport.seen)

    resumed = await side.engine.sync_now()

    assert resumed.error is None
    first_pull = next(s for s in transport.seen[seen_before:] if s.path.endswith("/changes"))
    assert httpx.QueryParams(first_pull.query)["cursor"] == committed
    assert mirror_view(side.mirror) == await api_view(side.client)
    assert side.mirror.total(TicketQuery()) == 12


# 5 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["seconds", "http-date"])
async def test_429_retry_after_is_honoured(fresh_world, sides, form):
    transport = FaultyTransport()
    side = await sides(fresh_world.portal, fresh_world.accounts["a_own"], transport=transport)
    if form == "seconds":
        retry_after = "2"
    else:  # an HTTP date has whole seconds: four from now is more than three
        retry_after = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 4))
    transport.inject(path_is("GET", "/me"), Fault("status", 429, {"Retry-After": retry_after}))

    started = time.monotonic()
    me = await side.client.me()
    waited = time.monotonic() - started

    assert me.email == fresh_world.accounts["a_own"].email
    assert waited >= 2.0
    assert [s.status for s in transport.seen if s.path.endswith("/me")] == [429, 200]


# 6 ------------------------------------------------------------------------------------------------


async def test_cursor_expired_means_full_resync_and_the_outbox_survives(fresh_world, sides):
    portal, account = fresh_world.portal, fresh_world.accounts["a_company"]
    await create_tickets(portal, fresh_world.accounts["a_own"], 2)
    transport = FaultyTransport()
    side = await sides(portal, account, transport=transport)
    await side.engine.sync_now()
    # An access change on the portal invalidates every cursor the user holds.
    portal.cli("set-access", "--email", account.email, "--access-level", "company_admin")
    pending_id = side.mirror.outbox.submit_ticket(draft("Queued before the reset"))
    side.mirror.outbox.add_comment(pending_id, "still here")

    result = await side.engine.sync_now()

    assert result.error is None
    assert 410 in [s.status for s in transport.seen if s.path.endswith("/changes")]
    on_server = await tickets_titled(side.client, "Queued before the reset")
    assert len(on_server) == 1
    detail = await side.client.ticket(on_server[0].id)
    assert [e.body for e in detail.timeline if e.kind.value == "comment"] == ["still here"]
    assert mirror_view(side.mirror) == await api_view(side.client)
    assert len(mirror_view(side.mirror)) == 3


# 7 ------------------------------------------------------------------------------------------------


async def test_corrupt_cache_is_rebuilt_by_a_full_sync_and_the_outbox_kept(world, sides, tmp_path):
    portal, account = world.portal, world.accounts["a_own"]
    await create_tickets(portal, account, 3)
    side = await sides(portal, account)
    await side.engine.sync_now()
    portal.stop()
    side.mirror.outbox.submit_ticket(draft("Typed before the crash"))
    side.mirror.close()
    with open(side.mirror.paths.cache_db, "r+b") as cache:
        cache.seek(0)
        cache.write(os.urandom(4096))
    portal.start()

    rebuilt = await sides(portal, account)

    assert rebuilt.mirror.moved_aside is not None and rebuilt.mirror.moved_aside.exists()
    assert rebuilt.mirror.sync_status().waiting_to_send == 1
    assert (await rebuilt.engine.sync_now()).error is None
    assert mirror_view(rebuilt.mirror) == await api_view(rebuilt.client)
    assert len(await tickets_titled(rebuilt.client, "Typed before the crash")) == 1


# 8 ------------------------------------------------------------------------------------------------

SYNC_IN_A_PROCESS = """
import asyncio, json, sys, time
from cache.mirror import Mirror
from tui.paths import profile_paths
from cache.sync import SyncEngine
from portal.client import PortalClient
from tests.cache.faults import Fault, FaultyTransport

async def main(url, email, token, home):
    transport = FaultyTransport()  # slow answers, so the two syncs overlap
    transport.inject(lambda request: True, *[Fault("delay", seconds=0.3)] * 50)
    mirror = Mirror.open(profile_paths("test", url, email, {"HOME": home}))
    async with PortalClient(url, token, transport=transport) as client:
        engine = SyncEngine(mirror, client, page_size=2)
        held = []  # when this process worked under the profile's lock (observed, not changed)
        locked_part = engine._sync_locked
        async def observed():
            start = time.time()
            try:
                return await locked_part()
            finally:
                held.append((start, time.time()))
        engine._sync_locked = observed
        result = await engine.sync_now()
    print(json.dumps({"skipped": result.skipped, "error": result.error, "held": held}))

asyncio.run(main(*sys.argv[1:]))
"""


async def test_two_processes_syncing_one_profile(fresh_world, sides, tmp_path):
    portal, account = fresh_world.portal, fresh_world.accounts["a_own"]
    await create_tickets(portal, account, 4)
    token = token_for(portal, account)
    home = str(tmp_path / "shared-home")
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SYNC_IN_A_PROCESS, portal.url, account.email, token, home],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [await asyncio.to_thread(p.communicate, timeout=120) for p in processes]

    for process, (out, err) in zip(processes, outcomes):
        assert process.returncode == 0, err
        assert "locked" not in err.lower()
    results = [json.loads(out) for out, _ in outcomes]
    assert all(r["error"] is None for r in results)
    assert any(not r["skipped"] for r in results)
    # Whoever synced did so alone: the times under the lock never overlap.
    spans = sorted(span for r in results for span in r["held"])
    assert all(earlier[1] <= later[0] for earlier, later in zip(spans, spans[1:]))
    side = await sides(portal, account, home=Path(home))
    assert mirror_view(side.mirror) == await api_view(side.client)
    assert len(mirror_view(side.mirror)) == 4


# 9 ------------------------------------------------------------------------------------------------


async def test_access_narrowed_to_own_drops_the_others_tickets(fresh_world, sides):
    portal, accounts = fresh_world.portal, fresh_world.accounts
    user = accounts["a_company"]
    await create_tickets(portal, accounts["a_own"], 2, "Colleague")
    await create_tickets(portal, user, 1, "Mine")
    side = await sides(portal, user)
    await side.engine.sync_now()
    assert len(mirror_view(side.mirror)) == 3

    portal.cli("set-access", "--email", user.email, "--access-level", "own")
    result = await side.engine.sync_now()

    assert result.error is None
    view = mirror_view(side.mirror)
    assert [t["subject"] for t in view.values()] == ["Mine 0"]
    assert view == await api_view(side.client)
    assert side.mirror.total(TicketQuery(search="Colleague")) == 0


async def test_a_replayed_answer_never_takes_the_mirror_back_in_time(fresh_world, sides):
    """A create whose answer was lost and whose retries failed is sent again a sync later; the
    portal replays the answer it stored at the time. Meanwhile the technicians moved the ticket
    and the pull brought that in: the old answer must not undo it."""
    portal = fresh_world.portal
    transport = FaultyTransport()
    side = await sides(portal, fresh_world.accounts["a_own"], transport=transport)
    attempts = FAST_RETRY.max_attempts
    transport.inject(path_is("POST", "/tickets"), Fault("lose_response"), *[Fault("drop")] * (attempts - 1))
    side.mirror.outbox.submit_ticket(draft("Answered long ago"))
    assert (await side.engine.sync_now()).error  # committed, but the client never heard
    (created,) = await tickets_titled(side.client, "Answered long ago")
    for _ in range(20):
        portal.psa_sync_now()
        moved = await side.client.ticket(created.id)
        if moved.updated_at > created.updated_at:
            break
    else:
        raise AssertionError("the PSA simulator never touched the ticket")

    again = await side.engine.sync_now()

    assert again.error is None and side.mirror.outbox.pending_items() == []
    replays = [s for s in transport.seen if s.method == "POST" and s.path.endswith("/tickets")]
    assert replays[-1].status == 201, "sent again and answered from the portal's store"
    assert mirror_view(side.mirror) == await api_view(side.client)
