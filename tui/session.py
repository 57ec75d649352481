"""A logged-in session: the mirror, the portal client and the sync engine for one profile.

Whose session it is comes from the portal (`GET /me`), not from the config file: a profile may
be only `MSP_TICKETS_PORTAL` and `MSP_TICKETS_TOKEN`. The answer is remembered per profile with
a digest of the token it was asked with (never the token), so an offline start still finds the
right mirror, and a different token is asked about again.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from cache.mirror import Mirror
from cache.private_files import write_private_text
from cache.profile import ProfilePaths
from tui.config import Profile
from tui.paths import identity_file, paths_by_email, profile_paths

if TYPE_CHECKING:
    # httpx, pydantic's models and the sync's file lock: loaded once the board has painted.
    from cache.sync import SyncEngine
    from portal.client import PortalClient
    from portal.schema import Me


class Identity(NamedTuple):
    """Who a token belongs to, as the portal said."""

    user_id: int
    email: str


class WrongAccount(Exception):
    """The token is another user's than the one the profile was logged in as."""


class Session:
    """The mirror, the portal client and the sync engine of one profile's user. Opened from a
    profile (`open_session`), the client and the engine are made when first asked for, or by
    `connect` (on a thread, say): the board paints from the mirror alone."""

    def __init__(
        self,
        mirror: Mirror,
        client: PortalClient | None = None,
        engine: SyncEngine | None = None,
        *,
        connect: Callable[[], tuple[PortalClient, SyncEngine]] | None = None,
    ) -> None:
        if (client is None or engine is None) and connect is None:
            raise ValueError("a session needs its client and engine, or a way to make them")
        self.mirror = mirror
        self._client, self._engine = client, engine
        self._connect = connect
        self._connecting = threading.Lock()

    @property
    def connected(self) -> bool:
        return self._client is not None

    def connect(self) -> None:
        """Make the client and the engine, once (from any thread)."""
        with self._connecting:
            if self._client is None and self._connect is not None:
                self._client, self._engine = self._connect()

    @property
    def client(self) -> PortalClient:
        self.connect()
        assert self._client is not None
        return self._client

    @property
    def engine(self) -> SyncEngine:
        self.connect()
        assert self._engine is not None
        return self._engine

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        self.mirror.close()


# --- who the token is -----------------------------------------------------------------------------


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def remembered_identity(profile: Profile, token: str | None, env: Mapping[str, str] = os.environ) -> Identity | None:
    """Whose `token` is, if this profile asked the portal before with this very token; with no
    token, whose the profile's files were last (what `logout` cleans up)."""
    try:
        stored = json.loads(identity_file(profile.name, profile.portal_url, env).read_text(encoding="utf-8"))
        if token is None or stored["token_sha256"] == _token_digest(token):
            return Identity(int(stored["user_id"]), str(stored["email"]))
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not known, or unreadable: ask the portal again
    return None


def remember_identity(profile: Profile, token: str, me: Me, env: Mapping[str, str] = os.environ) -> Identity:
    record = {"token_sha256": _token_digest(token), "user_id": me.id, "email": me.email}
    write_private_text(identity_file(profile.name, profile.portal_url, env), json.dumps(record))
    return Identity(me.id, me.email)


def forget_identity(profile: Profile, env: Mapping[str, str] = os.environ) -> None:
    identity_file(profile.name, profile.portal_url, env).unlink(missing_ok=True)


async def identify(profile: Profile, token: str, env: Mapping[str, str] = os.environ) -> Identity:
    """Whose `token` is: remembered, else asked of the portal with a client of its own (so no
    connection outlives this event loop). Raises the client's errors (Unauthorized, …)."""
    known = remembered_identity(profile, token, env)
    if known is not None:
        return known
    from portal.client import PortalClient

    async with PortalClient(profile.portal_url, token) as client:
        me = await client.me()
    return remember_identity(profile, token, me, env)


# --- the session ------------------------------------------------------------------------------------


def session_paths(profile: Profile, identity: Identity, env: Mapping[str, str] = os.environ) -> ProfilePaths:
    """The profile's files for this user, taking over files an older version kept by email."""
    paths = profile_paths(profile.name, profile.portal_url, identity.user_id, env)
    older = paths_by_email(profile.name, profile.portal_url, identity.email, env)
    if older.outbox_db.exists() and not paths.outbox_db.exists():
        for old, new in zip(older.outbox_files + older.cache_files, paths.outbox_files + paths.cache_files):
            if old.exists():
                old.replace(new)
    return paths


def open_session(
    profile: Profile, identity: Identity, token: str, env: Mapping[str, str] = os.environ, *, quick_check: bool = True
) -> Session:
    """The session of `identity` on its mirror (`quick_check`: see `Mirror.open`); the client
    and the sync engine are made when first needed."""
    if profile.email and profile.email.strip().lower() != identity.email.strip().lower():
        raise WrongAccount(
            f"The token is {identity.email}'s, but profile {profile.name!r} is {profile.email}'s: "
            "nothing was done. Log in again as that user, or use another profile."
        )
    mirror = Mirror.open(session_paths(profile, identity, env), quick_check=quick_check)

    def connect() -> tuple[PortalClient, SyncEngine]:
        from cache.sync import Cadence, SyncEngine
        from portal.client import PortalClient

        client = PortalClient(profile.portal_url, token)
        cadence = Cadence() if profile.min_sync_interval is None else Cadence(min_interval=profile.min_sync_interval)
        # The engine checks every sync that the token is still this user (by id, and by the
        # email the profile was logged in with, if it was).
        return client, SyncEngine(mirror, client, expected_email=profile.email, cadence=cadence)

    return Session(mirror, connect=connect)
