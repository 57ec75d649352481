"""Token lifetime and the sign-in slowdown, which take days and minutes of real time: the
Authenticator over a real database file and the throttle, with the clock moved by hand."""

from __future__ import annotations

import asyncio
import os
import sys
import threading

import pytest

from portal.schema import AccessLevel
from portal.server import storage
from portal.server.auth import BAD_CREDENTIALS, Authenticator, hash_password, token_hash
from portal.server.errors import ApiError
from portal.server.storage import Storage
from portal.server.throttle import (
    MAX_DELAY_SECONDS,
    SIGN_IN_NICENESS,
    Saturated,
    SignInQueue,
    SignInThrottle,
    delay_after,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def auth(tmp_path):
    db = Storage(tmp_path / "portal.db")
    with db.write() as conn:
        company = storage.add_company(conn, "Clockwork Ltd", "CLO")
        storage.add_user(
            conn,
            company_id=company,
            email="tick@clock.example",
            name="Tick",
            access_level=AccessLevel.OWN,
            password_hash=hash_password("right password"),
        )
    clock = Clock()
    yield Authenticator(db, token_ttl_seconds=3600, clock=clock), clock, db
    db.close()


def _refused(call) -> ApiError:
    with pytest.raises(ApiError) as refused:
        call()
    assert refused.value.status == 401 and refused.value.headers["WWW-Authenticate"] == "Bearer"
    return refused.value


def test_a_token_expires_after_its_lifetime(auth):
    authenticator, clock, _db = auth
    token = authenticator.login("tick@clock.example", "right password").token
    clock.now += 3599
    assert authenticator.user_for(token).email == "tick@clock.example"
    clock.now += 2
    assert "expired" in _refused(lambda: authenticator.user_for(token)).message


def test_only_a_hash_of_the_token_is_stored(auth):
    authenticator, _clock, db = auth
    token = authenticator.login("tick@clock.example", "right password").token
    with db.read() as conn:
        stored = [tuple(row) for row in conn.execute("SELECT * FROM tokens")]
    assert token not in repr(stored)
    assert token_hash(token) in repr(stored)


def test_no_number_of_failures_locks_the_account(auth):
    authenticator, _clock, _db = auth
    for _ in range(20):
        assert _refused(lambda: authenticator.login("tick@clock.example", "wrong")).message == (BAD_CREDENTIALS)
    assert authenticator.login("tick@clock.example", "right password").token
    assert authenticator.verifications == 21


def test_the_wait_grows_after_three_attempts_and_is_capped():
    throttle = SignInThrottle(clock=Clock())
    waits = []
    for _ in range(14):
        assert throttle.admit("tick@clock.example", "192.0.2.1") == 0
        waits.append(delay_after(len(waits) + 1))
        throttle._clock.now += waits[-1]  # try again the moment it is allowed
    assert waits[:6] == [0, 0, 1, 2, 4, 8]
    assert waits[-1] == MAX_DELAY_SECONDS


def test_the_throttle_counts_per_email_and_address_and_forgives_a_success():
    clock = Clock()
    throttle = SignInThrottle(clock=clock)
    for _ in range(3):
        assert throttle.admit("Tick@Clock.example", "192.0.2.1") == 0
    assert throttle.admit("tick@clock.example", "192.0.2.1") == 1  # the same email, any case
    assert throttle.admit("tick@clock.example", "192.0.2.2") == 0  # another address
    assert throttle.admit("tock@clock.example", "192.0.2.1") == 0  # another email
    clock.now += 1
    assert throttle.admit("tick@clock.example", "192.0.2.1") == 0
    assert throttle.admit("tick@clock.example", "192.0.2.1") == 2
    throttle.forgive("tick@clock.example", "192.0.2.1")
    assert throttle.admit("tick@clock.example", "192.0.2.1") == 0


def test_an_attempt_turned_away_unheard_does_not_count():
    clock = Clock()
    throttle = SignInThrottle(clock=clock)
    for _ in range(3):
        assert throttle.admit("tick@clock.example", "192.0.2.1") == 0
    throttle.withdraw("tick@clock.example", "192.0.2.1")  # the third was never checked
    assert throttle.admit("tick@clock.example", "192.0.2.1") == 0
    assert throttle.admit("tick@clock.example", "192.0.2.1") == 1


def test_the_throttle_forgets_quiet_entries_and_keeps_at_most_its_bound():
    clock = Clock()
    throttle = SignInThrottle(clock=clock, max_entries=100)
    for n in range(1000):
        throttle.admit(f"guess{n}@clock.example", "192.0.2.1")
    assert len(throttle) == 100
    clock.now += 3600
    throttle.admit("late@clock.example", "192.0.2.1")
    assert len(throttle) == 1


@pytest.mark.parametrize(
    "email, password",
    [("tick\ud800@clock.example", "right password"), ("tick@clock.example", "right\udfff")],
)
def test_half_a_surrogate_pair_is_just_wrong_credentials(auth, email, password):
    authenticator, _, _ = auth
    refused = _refused(lambda: authenticator.login(email, password))
    assert refused.message == BAD_CREDENTIALS
    assert authenticator.verifications == 1  # as much work as any wrong password


async def test_password_checks_are_bounded_queued_and_turned_away_past_the_queue():
    queue = SignInQueue(workers=1, max_waiting=2)
    release = threading.Event()
    running = []

    def check(n: int) -> int:
        running.append(n)
        release.wait(10)
        return n

    try:
        first = asyncio.ensure_future(queue.run(check, 1))
        second = asyncio.ensure_future(queue.run(check, 2))
        await asyncio.sleep(0.2)
        assert running == [1]  # one worker: the second waits, holding no thread
        with pytest.raises(Saturated):
            await queue.run(check, 3)
        release.set()
        assert await asyncio.gather(first, second) == [1, 2]
        assert await queue.run(check, 4) == 4  # room again
    finally:
        release.set()
        queue.close()


@pytest.mark.skipif(sys.platform != "linux", reason="a per-thread nice value is Linux's")
async def test_password_checks_run_at_a_lower_cpu_priority_than_the_rest():
    queue = SignInQueue(workers=1, max_waiting=1)
    try:
        niceness = await queue.run(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    finally:
        queue.close()
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert niceness == min(19, mine + SIGN_IN_NICENESS)  # 19 is the lowest priority
