"""Who is calling: argon2 password hashes, bearer tokens (only their sha256 is stored), and
sign-ins that give nothing away.

A refused sign-in looks and costs the same whatever the reason — an unknown email, a wrong
password, an account someone else has been guessing at: one status, one body, one argon2
verification (against a dummy hash when the email is unknown). Guessing is slowed by
`throttle.SignInThrottle` (per email and client address) and the per-address budget in app.py,
never by locking the account, so nobody can lock a colleague out.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.server import storage
from portal.server.errors import unauthorized
from portal.server.storage import Storage, User

DEFAULT_TOKEN_TTL_SECONDS = 30 * 24 * 3600
PASSWORD_MIN_LENGTH = 8

_hasher = PasswordHasher()


# A hash of "not a password anyone has", made with PasswordHasher()'s parameters of this
# argon2-cffi. Nothing is ever let in by it (an unknown email is refused whatever it verifies).
_STORED_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$3Cdl50cKq/wzmXSw3d0/ZA$5KFer0kZG6Spzh57kSpzV2YgeyrwPCDcygUQDrRkKkU"


@functools.cache
def _dummy_hash() -> str:
    # Verified against when the email is unknown, with the same parameters as every stored
    # hash, so a wrong email costs exactly what a wrong password does. Looked at when the portal
    # starts (not on the first unknown email, which would then take twice as long); the CLI's
    # commands, which never check a password, need not pay for it. The stored one saves each
    # start a hash (0.15 s of CPU); an argon2-cffi with other parameters gets one of its own.
    if _hasher.check_needs_rehash(_STORED_DUMMY_HASH):
        return _hasher.hash("not a password anyone has")
    return _STORED_DUMMY_HASH


BAD_CREDENTIALS = "The email or password is wrong; check both and try again."


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _password_matches(password_hash: str, password: str) -> bool:
    # As bytes, so half a surrogate pair is hashed like any other wrong password (as str,
    # argon2-cffi would refuse it before doing the work, and answer faster).
    secret = password.encode("utf-8", "surrogatepass")
    try:
        return _hasher.verify(password_hash, secret)
    except (VerificationError, InvalidHashError):
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
        _dummy_hash()
        self._count_lock = threading.Lock()
        self.verifications = 0  # argon2 verifications so far: the proof that each refusal cost one

    def login(self, email: str, password: str) -> Issued:
        """A new token for these credentials, or 401 with BAD_CREDENTIALS — after exactly one
        argon2 verification whoever asked."""
        found = None  # half a surrogate pair can be nobody's email
        if _is_utf8_text(email):
            with self._db.read() as db:
                found = storage.credentials_by_email(db, email)
        matches = _password_matches(found.password_hash if found else _dummy_hash(), password)
        with self._count_lock:
            self.verifications += 1
        if found is None or not matches:
            raise unauthorized(BAD_CREDENTIALS)
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self._db.write() as db:
            storage.store_token(db, token_hash(token), found.user.id, now, now + self._ttl)
        return Issued(token, found.user)

    def user_for(self, token: str | None) -> User:
        if not token:
            raise unauthorized("Sign in first: send 'Authorization: Bearer <token>'.")
        with self._db.read() as db:
            user = storage.user_by_token(db, token_hash(token), self._clock())
        if user is None:
            raise unauthorized("Your token is not valid (unknown, expired or revoked); sign in again.")
        return user

    def revoke(self, token: str) -> None:
        with self._db.write() as db:
            storage.revoke_token(db, token_hash(token), self._clock())
