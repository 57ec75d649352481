"""Point 6: each company has 100 requests a minute; the 101st gets 429 with Retry-After, and
every authenticated response says where the budget stands."""

from __future__ import annotations

import time

from tests.portal.api import Api, refusal
from tests.support.portal import make_world, start_portal, token_for


def test_the_101st_request_in_a_minute_is_refused(tmp_path):
    portal = start_portal(tmp_path, rate_limit=100)
    try:
        world = make_world(portal)
        own = Api.signed_in(portal, world.accounts["a_own"])
        colleague = Api.signed_in(portal, world.accounts["a_admin"])  # sign-ins are not counted
        remaining = []
        for n in range(100):
            response = (own if n % 2 else colleague).http.get("/me")
            assert response.status_code == 200, (n, response.text)
            assert response.headers["X-RateLimit-Limit"] == "100"
            remaining.append(int(response.headers["X-RateLimit-Remaining"]))
        assert remaining == list(range(99, -1, -1))  # one budget for the whole company
        reset = int(response.headers["X-RateLimit-Reset"])
        assert time.time() < reset <= time.time() + 61

        refused = own.http.get("/tickets")
        body = refusal(refused, 429, "RATE_LIMIT_EXCEEDED")
        retry_after = int(refused.headers["Retry-After"])
        assert 1 <= retry_after <= 60
        assert str(retry_after) in body.error
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        refusal(colleague.http.post("/tickets", json={}), 429, "RATE_LIMIT_EXCEEDED")

        # Another company has its own budget, and signing in has a budget per address instead.
        stranger = Api.signed_in(portal, world.accounts["b_own"])
        assert stranger.http.get("/me").status_code == 200
        assert token_for(portal, world.accounts["a_company"])
    finally:
        portal.stop()
