"""Token lifetime and lockout expiry, which take days and minutes of real time: the
Authenticator over a real database file, with the clock moved by hand."""

from __future__ import annotations

import pytest

from portal.schema import AccessLevel
from portal.server import storage
from portal.server.auth import (
    LOCKOUT_SECONDS,
    Authenticator,
    hash_password,
    token_hash,
)
from portal.server.errors import ApiError
from portal.server.storage import Storage


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
        storage.add_user(conn, company_id=company, email="tick@clock.example", name="Tick",
                         access_level=AccessLevel.OWN, password_hash=hash_password("right password"))
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


def test_a_lock_lifts_after_fifteen_minutes(auth):
    authenticator, clock, _db = auth
    for _ in range(5):
        _refused(lambda: authenticator.login("tick@clock.example", "wrong"))
    locked = _refused(lambda: authenticator.login("tick@clock.example", "right password"))
    assert "locked" in locked.message
    clock.now += LOCKOUT_SECONDS + 1
    assert authenticator.login("tick@clock.example", "right password").token


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(auth):
    authenticator, clock, _db = auth
    for _ in range(8):
        _refused(lambda: authenticator.login("tick@clock.example", "wrong"))
        clock.now += 5 * 60
    assert authenticator.login("tick@clock.example", "right password").token


@pytest.mark.parametrize(
    "email, password",
    [("tick\ud800@clock.example", "right password"), ("tick@clock.example", "right\udfff")],
)
def test_half_a_surrogate_pair_is_just_wrong_credentials(auth, email, password):
    authenticator, _, _ = auth
    refused = _refused(lambda: authenticator.login(email, password))
    assert "email or password" in refused.message
