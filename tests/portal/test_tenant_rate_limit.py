"""The tenant-wide budget (the vendor's real limit): one budget for every company of the portal,
stated on every answer to a caller, and a client that waits for the reset instead of being
refused."""

from __future__ import annotations

import httpx

from portal.client import PortalClient, RetryPolicy
from portal.errors import RateLimited
from tests.cache.faults import FaultyTransport
from tests.portal.api import Api, refusal
from tests.support.portal import make_world, start_portal, token_for

RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def test_tenant_scope_shares_one_budget_across_companies(tmp_path):
    portal = start_portal(tmp_path, rate_limit=10, rate_limit_scope="tenant")
    try:
        world = make_world(portal)
        alpha = Api.signed_in(portal, world.accounts["a_own"])
        beta = Api.signed_in(portal, world.accounts["b_own"])
        remaining = []
        for n in range(10):
            response = (alpha if n % 2 else beta).http.get("/me")
            assert response.status_code == 200, response.text
            remaining.append(int(response.headers["X-RateLimit-Remaining"]))
        assert remaining == list(range(9, -1, -1))  # both companies draw on one budget

        for api in (alpha, beta):
            refused = api.http.get("/tickets")
            body = refusal(refused, 429, "RATE_LIMIT_EXCEEDED")
            assert int(refused.headers["Retry-After"]) >= 1
            assert "All companies of this portal" in body.error
    finally:
        portal.stop()


def test_company_scope_is_still_the_default(tmp_path):
    portal = start_portal(tmp_path, rate_limit=3)
    try:
        world = make_world(portal)
        alpha = Api.signed_in(portal, world.accounts["a_own"])
        beta = Api.signed_in(portal, world.accounts["b_own"])
        for _ in range(3):
            assert alpha.http.get("/me").status_code == 200
        assert alpha.http.get("/me").status_code == 429
        assert beta.http.get("/me").status_code == 200  # another company, another budget
    finally:
        portal.stop()


def test_every_answer_to_a_caller_states_the_budget(tmp_path):
    portal = start_portal(tmp_path, rate_limit=8, rate_limit_scope="tenant")
    try:
        world = make_world(portal)
        api = Api.signed_in(portal, world.accounts["a_own"])
        answers = [
            api.http.get("/me"),  # 200
            api.http.get("/changes"),  # 200
            api.http.get("/tickets/999999"),  # 404
            api.http.get("/tickets", params={"status": "nonsense"}),  # 422
            api.http.post("/tickets", json={}),  # 422
        ]
        answers += [api.http.get("/sync") for _ in range(4)]  # the last is the 9th: 429
        assert [a.status_code for a in answers] == [200, 200, 404, 422, 422, 200, 200, 200, 429]
        for answer in answers:
            assert all(name in answer.headers for name in RATE_HEADERS), answer.headers
        assert [int(a.headers["X-RateLimit-Remaining"]) for a in answers] == [7, 6, 5, 4, 3, 2, 1, 0, 0]
    finally:
        portal.stop()


async def _requests_by_status(portal, account, *, pace: bool, count: int) -> list[int | None]:
    transport = FaultyTransport()
    retry = RetryPolicy(max_attempts=1)  # a 429 is not retried: it shows
    client = PortalClient(portal.url, token_for(portal, account), transport=transport, retry=retry, pace=pace)
    async with client:
        for _ in range(count):
            try:
                await client.me()
            except RateLimited:
                pass
    return [seen.status for seen in transport.seen]


async def test_the_client_waits_for_the_reset_instead_of_getting_429(tmp_path):
    # A tiny budget over a short window: the client runs out of it three times over.
    portal = start_portal(tmp_path, rate_limit=4, rate_limit_scope="tenant", rate_limit_window=1.5)
    try:
        world = make_world(portal)
        paced = await _requests_by_status(portal, world.accounts["a_own"], pace=True, count=12)
        assert paced == [200] * 12  # it waited for the window to pass each time

        unpaced = await _requests_by_status(portal, world.accounts["b_own"], pace=False, count=12)
        assert 429 in unpaced  # the same requests, sent at once, are refused
    finally:
        portal.stop()


def test_a_refusal_says_when_to_come_back(tmp_path):
    portal = start_portal(tmp_path, rate_limit=1, rate_limit_scope="tenant")
    try:
        world = make_world(portal)
        http = httpx.Client(
            base_url=portal.api,
            headers={"Authorization": f"Bearer {token_for(portal, world.accounts['a_own'])}"},
        )
        with http:
            assert http.get("/me").status_code == 200
            refused = http.get("/me")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["X-RateLimit-Remaining"] == "0"
    finally:
        portal.stop()
