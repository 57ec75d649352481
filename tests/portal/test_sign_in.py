"""Sign-ins that give nothing away (issue 10, item 6), over real HTTP to the reference portal.

An unknown email, a wrong password and an account a guesser has been hammering get the same
status and body, each after one argon2 verification; failed attempts slow that email from that
address only (the owner signs in from another address); each address has a sign-in budget.
Two client addresses on one machine: the client binds its socket to 127.0.0.1 or 127.0.0.2
(the whole 127/8 is loopback), and the portal sees the socket's peer.
"""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from portal.server.app import Settings, create_app
from portal.server.auth import BAD_CREDENTIALS
from tests.portal.api import refusal
from tests.support.portal import RunningPortal, World, make_world, start_portal


def _from(address: str, base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, transport=httpx.HTTPTransport(local_address=address), timeout=30)


def _sign_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    return client.post("/auth/token", json={"email": email, "password": password})


def _hammer_until_throttled(client: httpx.Client, email: str) -> httpx.Response:
    for _ in range(10):
        answer = _sign_in(client, email, "not the password")
        if answer.status_code == 429:
            return answer
        refusal(answer, 401, "UNAUTHORIZED")
    raise AssertionError("ten failed sign-ins were never slowed down")


def test_every_refused_sign_in_looks_the_same(world: World):
    owner, hammered = world.accounts["a_own"], world.accounts["b_own"]
    with _from("127.0.0.2", world.portal.api) as guesser:
        _hammer_until_throttled(guesser, hammered.email)  # what used to lock the account
    with _from("127.0.0.1", world.portal.api) as client:
        answers = {
            "unknown email": _sign_in(client, "nobody@a.example", "correct horse battery"),
            "wrong password": _sign_in(client, owner.email, "not the password"),
            "hammered account": _sign_in(client, hammered.email, "not the password"),
        }
        # The hammered account's owner is not locked out: the right password works.
        assert _sign_in(client, hammered.email, hammered.password).status_code == 200
    for why, answer in answers.items():
        assert answer.status_code == 401, why
        assert answer.content == answers["unknown email"].content, why
        assert answer.headers["WWW-Authenticate"] == "Bearer", why
    assert refusal(answers["wrong password"], 401, "UNAUTHORIZED").error == BAD_CREDENTIALS


async def test_each_refusal_costs_one_argon2_verification(tmp_path):
    """In process, to count the verifications (the app's own counter, nothing replaced)."""
    unstarted = RunningPortal(tmp_path / "portal.db", tmp_path / "log", psa_interval=1, rate_limit=1)
    world = make_world(unstarted)
    app = create_app(Settings(db_path=world.portal.db, run_psa_job=False))
    auth = app.state.portal.auth
    owner = world.accounts["a_own"]
    attempts = [
        ("nobody@a.example", "correct horse battery"),
        (owner.email, "not the password"),
        ("", "x"),  # refused by validation (422): not a sign-in, so nothing to verify
    ]
    transport = httpx.ASGITransport(app=app, client=("127.0.0.9", 5000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://portal/api/v1") as client:
            for email, password in attempts:
                before = auth.verifications
                answer = await client.post(
                    "/auth/token",
                    content=json.dumps({"email": email, "password": password}),
                    headers={"Content-Type": "application/json"},
                )
                if not email:
                    assert answer.status_code == 422 and auth.verifications == before
                    continue
                assert answer.status_code == 401, (email, answer.text)
                assert answer.json()["error"] == BAD_CREDENTIALS
                assert auth.verifications == before + 1, email
            answer = await client.post("/auth/token", json={"email": owner.email, "password": owner.password})
            assert answer.status_code == 200 and auth.verifications == before + 1
    finally:
        app.state.portal.sign_ins.close()
        app.state.portal.db.close()


def test_failures_slow_that_address_only_and_never_lock_the_owner_out(world: World):
    owner = world.accounts["a_company"]
    with _from("127.0.0.2", world.portal.api) as guesser, _from("127.0.0.1", world.portal.api) as home:
        throttled = _hammer_until_throttled(guesser, owner.email)
        body = refusal(throttled, 429, "RATE_LIMIT_EXCEEDED")
        wait = int(throttled.headers["Retry-After"])
        assert 1 <= wait <= 8 and "second" in body.error
        # Even the right password waits its turn from the guesser's address...
        refusal(_sign_in(guesser, owner.email, owner.password), 429, "RATE_LIMIT_EXCEEDED")
        # ...while the owner, elsewhere, signs in at once.
        assert _sign_in(home, owner.email, owner.password).status_code == 200
        # Once the wait is over, the right password works from there too, and the count
        # starts again.
        time.sleep(wait)
        assert _sign_in(guesser, owner.email, owner.password).status_code == 200
        refusal(_sign_in(guesser, owner.email, "not the password"), 401, "UNAUTHORIZED")


def test_an_unknown_email_is_slowed_exactly_like_a_real_one(world: World):
    answers = {}
    with _from("127.0.0.3", world.portal.api) as guesser:
        for email in (world.accounts["b_admin"].email, "nobody@b.example"):
            answers[email] = [_sign_in(guesser, email, "x") for _ in range(3)]
            answers[email].append(_hammer_until_throttled(guesser, email))
    real, unknown = answers.values()
    assert [a.status_code for a in real[:3]] == [a.status_code for a in unknown[:3]] == [401] * 3
    assert [a.content for a in real[:3]] == [a.content for a in unknown[:3]]
    assert real[-1].json()["error"].split(";")[0] == unknown[-1].json()["error"].split(";")[0]


@pytest.fixture
def strict_portal(tmp_path):
    portal = start_portal(tmp_path, sign_in_rate_limit=5)
    try:
        yield make_world(portal)
    finally:
        portal.stop()


def test_each_address_has_a_sign_in_budget(strict_portal: World):
    api = strict_portal.portal.api
    with _from("127.0.0.4", api) as busy, _from("127.0.0.5", api) as other:
        for _ in range(5):  # a new email each time: the per-email slowdown never starts
            refusal(_sign_in(busy, f"{uuid.uuid4().hex}@x.example", "x"), 401, "UNAUTHORIZED")
        refused = _sign_in(busy, f"{uuid.uuid4().hex}@x.example", "x")
        body = refusal(refused, 429, "RATE_LIMIT_EXCEEDED")
        retry_after = int(refused.headers["Retry-After"])
        assert 1 <= retry_after <= 60 and str(retry_after) in body.error
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        # A forwarded-for header is not believed: it is still the same address.
        spoofed = busy.post(
            "/auth/token",
            json={"email": "someone@x.example", "password": "x"},
            headers={"X-Forwarded-For": "203.0.113.7", "Forwarded": "for=203.0.113.7"},
        )
        refusal(spoofed, 429, "RATE_LIMIT_EXCEEDED")
        # Another address has its own budget.
        account = strict_portal.accounts["a_admin"]
        assert _sign_in(other, account.email, account.password).status_code == 200
