"""Who is calling: argon2 password hashes, bearer tokens (only their sha256 is stored), lockout."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.server import storage
from portal.server.errors import unauthorized
from portal.server.storage import Storage, User

DEFAULT_TOKEN_TTL_SECONDS = 30 * 24 * 3600
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW_SECONDS = 15 * 60
LOCKOUT_SECONDS = 15 * 60
PASSWORD_MIN_LENGTH = 8

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    # Verified against when the email is unknown, so a wrong email costs as long as a wrong
    # password. Made on first use: the CLI's commands need not pay for it.
    return _hasher.hash("not a password anyone has")


BAD_CREDENTIALS = "The email or password is wrong; check both and try again."


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError, UnicodeEncodeError):
        return False


def _is_utf8_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    token: str
    user: User


class Authenticator:
    def __init__(
        self,
        db: Storage,
        *,
        token_ttl_seconds: float = DEFAULT_TOKEN_TTL_SECONDS,
        clock: Callable[[], float],
    ) -> None:
        self._db = db
        self._ttl = token_ttl_seconds
        self._clock = clock

    def login(self, email: str, password: str) -> Issued:
        """A new token for these credentials, or 401. A locked account is refused even with
        the right password; the fifth failure in 15 minutes locks it for 15 minutes."""
        now = self._clock()
        if not (_is_utf8_text(email) and _is_utf8_text(password)):
            found = None  # half a surrogate pair can be nobody's email or password
        else:
            with self._db.read() as db:
                found = storage.credentials_by_email(db, email)
        if found is None:
            _password_matches(_dummy_hash(), password)
            raise unauthorized(BAD_CREDENTIALS)
        if found.locked_until is not None and found.locked_until > now:
            raise _locked(found.locked_until)
        if not _password_matches(found.password_hash, password):
            raise self._record_failure(found.user.id, now)
        token = secrets.token_urlsafe(32)
        with self._db.write() as db:
            storage.clear_failed_logins(db, found.user.id)
            storage.store_token(db, token_hash(token), found.user.id, now, now + self._ttl)
        return Issued(token, found.user)

    def _record_failure(self, user_id: int, now: float) -> Exception:
        """Count a failed sign-in; the refusal to raise."""
        with self._db.write() as db:
            storage.record_failed_login(db, user_id, now)
            failures = storage.failed_logins_since(db, user_id, now - LOCKOUT_WINDOW_SECONDS)
            if failures >= LOCKOUT_FAILURES:
                storage.lock_user(db, user_id, now + LOCKOUT_SECONDS)
        if failures >= LOCKOUT_FAILURES:
            return _locked(now + LOCKOUT_SECONDS)
        return unauthorized(BAD_CREDENTIALS)

    def user_for(self, token: str | None) -> User:
        if not token:
            raise unauthorized("Sign in first: send 'Authorization: Bearer <token>'.")
        with self._db.read() as db:
            user = storage.user_by_token(db, token_hash(token), self._clock())
        if user is None:
            raise unauthorized(
                "Your token is not valid (unknown, expired or revoked); sign in again."
            )
        return user

    def revoke(self, token: str) -> None:
        with self._db.write() as db:
            storage.revoke_token(db, token_hash(token), self._clock())


def _locked(until: float) -> Exception:
    moment = datetime.fromtimestamp(until, UTC).strftime("%H:%M UTC on %Y-%m-%d")
    return unauthorized(
        f"This account is locked after repeated failed sign-ins; try again after {moment}."
    )
