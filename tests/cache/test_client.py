"""The portal client: URL safety, the token kept secret, typed errors, and when it retries."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from portal.client import PortalClient, RetryPolicy, api_base_url, parse_retry_after
from portal.errors import InsecurePortalURL, NotFound, PortalUnavailable, Unauthorized, ValidationFailed
from tests.cache.faults import Fault, FaultyTransport, path_is
from tests.cache.helpers import FAST_RETRY, draft
from tests.support.portal import token_for


@pytest.mark.parametrize("url", ["http://portal.example.com", "http://10.0.0.5:8080", "ftp://x", "portal"])
def test_plain_http_is_refused_except_to_loopback(url):
    with pytest.raises(InsecurePortalURL) as caught:
        PortalClient(url)
    assert "https" in caught.value.message


@pytest.mark.parametrize(
    "url",
    ["http://localhost:8080", "http://127.0.0.1:1", "http://127.1.2.3", "http://[::1]:9", "https://portal.example.com"],
)
def test_loopback_and_https_are_accepted(url):
    PortalClient(url)  # raises InsecurePortalURL when refused
    assert str(api_base_url(url)) == url.rstrip("/") + "/api/v1/"


def test_repr_never_shows_the_token():
    client = PortalClient("https://portal.example.com", token="s3cret-token-value")
    assert "s3cret" not in repr(client) and "with token" in repr(client)


def test_retry_after_in_both_forms():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=7), usegmt=True), now) == 7.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=7), usegmt=True), now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_retry_after_is_a_floor_and_is_clamped():
    policy = RetryPolicy(base_delay=0.5, max_delay=8, retry_after_cap=60)
    rng = random.Random(1)
    assert all(policy.wait_before_retry(0, 2.0, rng) >= 2.0 for _ in range(100))
    assert policy.wait_before_retry(0, 10_000.0, rng) <= 60
    assert all(0 <= policy.backoff(10, rng) <= 8 for _ in range(100))


async def test_errors_carry_the_portals_sentence(fresh_world):
    portal, accounts = fresh_world.portal, fresh_world.accounts
    async with PortalClient(portal.url, retry=FAST_RETRY) as client:
        with pytest.raises(Unauthorized) as caught:
            await client.login(accounts["a_own"].email, "wrong password")
        assert caught.value.status == 401 and caught.value.message
        await client.login(accounts["a_own"].email, accounts["a_own"].password)
        with pytest.raises(ValidationFailed) as invalid:
            await client.list_tickets(status="bogus")
        assert "status" in invalid.value.details or "status" in invalid.value.message
        async with PortalClient(portal.url, token_for(portal, accounts["b_own"])) as beta:
            hidden = await beta.create_ticket(draft("Beta only"), "beta-1")
        with pytest.raises(NotFound):
            await client.ticket(hidden.id)


async def test_the_token_stays_out_of_logs_and_errors(fresh_world, caplog):
    portal, account = fresh_world.portal, fresh_world.accounts["a_own"]
    token = token_for(portal, account)
    transport = FaultyTransport()
    transport.inject(path_is("GET", "/me"), *[Fault("drop")] * FAST_RETRY.max_attempts)
    caplog.set_level(logging.DEBUG)
    async with PortalClient(portal.url, token, transport=transport, retry=FAST_RETRY) as client:
        with pytest.raises(PortalUnavailable) as caught:
            await client.me()
        await client.meta()
    assert token not in str(caught.value) and token not in repr(caught.value)
    # httpx's exception (which holds the request and its headers) is not chained on.
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert token not in caplog.text
    assert "GET /meta -> 200" in caplog.text


async def test_a_post_without_idempotency_key_is_not_retried(fresh_world):
    portal, account = fresh_world.portal, fresh_world.accounts["a_own"]
    transport = FaultyTransport()
    transport.inject(path_is("POST", "/auth/token"), Fault("status", 503))
    async with PortalClient(portal.url, transport=transport, retry=FAST_RETRY) as client:
        with pytest.raises(PortalUnavailable):
            await client.login(account.email, account.password)
    assert [s.status for s in transport.seen] == [503]


async def test_a_post_with_idempotency_key_is_retried_once_created(fresh_world):
    portal, account = fresh_world.portal, fresh_world.accounts["a_own"]
    transport = FaultyTransport()
    transport.inject(path_is("POST", "/tickets"), Fault("status", 503), Fault("drop"))
    async with PortalClient(portal.url, token_for(portal, account), transport=transport, retry=FAST_RETRY) as client:
        created = await client.create_ticket(draft("Retried"), "retried-1")
        page = await client.list_tickets(q="Retried")
    assert [t.id for t in page.items if t.subject == "Retried"] == [created.id]
    assert [s.status for s in transport.seen if s.method == "POST"] == [503, None, 201]


async def test_a_bad_request_is_refused_before_sending_naming_the_field():
    transport = FaultyTransport()
    async with PortalClient("http://127.0.0.1:9", "t", transport=transport) as client:
        with pytest.raises(ValidationFailed) as blank:
            await client.add_comment(1, "   ", "key-1")
        with pytest.raises(ValidationFailed) as score:
            await client.rate(1, 9, None)
    assert "body" in blank.value.message and "body" in blank.value.details
    assert "score" in score.value.message
    assert transport.seen == []
