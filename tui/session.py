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
from collections.abc import Mapping
from dataclasses import dataclass

from cache.mirror import Mirror
from cache.private_files import write_private_text
from cache.profile import ProfilePaths
from cache.sync import SyncEngine
from portal.client import PortalClient
from portal.schema import Me
from tui.config import Profile
from tui.paths import identity_file, paths_by_email, profile_paths


@dataclass(frozen=True)
class Identity:
    """Who a token belongs to, as the portal said."""

    user_id: int
    email: str


class WrongAccount(Exception):
    """The token is another user's than the one the profile was logged in as."""


@dataclass
class Session:
    mirror: Mirror
    client: PortalClient
    engine: SyncEngine

    async def aclose(self) -> None:
        await self.client.aclose()
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


def open_session(profile: Profile, identity: Identity, token: str, env: Mapping[str, str] = os.environ) -> Session:
    if profile.email and profile.email.strip().lower() != identity.email.strip().lower():
        raise WrongAccount(
            f"The token is {identity.email}'s, but profile {profile.name!r} is {profile.email}'s: "
            "nothing was done. Log in again as that user, or use another profile."
        )
    mirror = Mirror.open(session_paths(profile, identity, env))
    client = PortalClient(profile.portal_url, token)
    # The engine checks every sync that the token is still this user (by id, and by the email
    # the profile was logged in with, if it was).
    return Session(mirror, client, SyncEngine(mirror, client, expected_email=profile.email))
