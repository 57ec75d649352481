"""Logging in: the one way the TUI's login screen and `msp-tickets login` exchange an email and
a password for a token, keep it, and save the profile. No Textual here: each front end words
the outcome its own way, from `LoginFailed.reason`.

A token that cannot be kept (no keyring, a file that cannot be written, a config that cannot be
saved) is revoked on the portal before the failure is reported: nobody must be left holding a
valid 30-day token that no program knows about.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from portal.client import PortalClient
from portal.errors import InsecurePortalURL, PortalError, PortalUnavailable, Unauthorized
from portal.schema import Me
from tui.config import ConfigError, Profile, check_portal_url, save_profile
from tui.credentials import CredentialError, NoSecureStorage, TokenStore
from tui.session import Identity, remember_identity

log = logging.getLogger("msp_tickets.login")


class Why(Enum):
    BAD_ADDRESS = "bad address"  # the portal address is unusable: fix it
    REFUSED = "refused"  # wrong email or password (or the portal's own refusal)
    UNREACHABLE = "unreachable"
    NO_KEYRING = "no keyring"  # nothing stored; the file option or the env variable would do
    NOT_KEPT = "not kept"  # the token or the profile could not be written
    OTHER = "other"


class LoginFailed(Exception):
    def __init__(self, message: str, reason: Why) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class LoggedIn:
    profile: Profile
    user: Me
    identity: Identity
    token: str = field(repr=False)
    kept_in: str  # where the token is, in words


async def log_in(
    profile_name: str,
    portal_address: str,
    email: str,
    password: str,
    *,
    tokens: TokenStore,
    insecure_storage: bool = False,
    env: Mapping[str, str] = os.environ,
) -> LoggedIn:
    """Log in, keep the token, save the profile. Raises LoginFailed with a sentence."""
    try:
        portal_url = check_portal_url(portal_address)
    except ConfigError as error:
        raise LoginFailed(str(error), Why.BAD_ADDRESS) from None
    profile = Profile(profile_name, portal_url, email.strip())
    try:
        async with PortalClient(portal_url) as client:
            answer = await client.login(profile.email, password)
            try:
                kept_in = _keep(profile, answer.token, answer.user, tokens, insecure_storage, env)
            except LoginFailed:
                await _revoke(client)
                raise
    except InsecurePortalURL as error:
        raise LoginFailed(error.message, Why.BAD_ADDRESS) from None
    except Unauthorized as error:
        raise LoginFailed(error.message or "The email or password is wrong.", Why.REFUSED) from None
    except PortalUnavailable as error:
        raise LoginFailed(f"Could not reach the portal at {portal_url}: {error.message}", Why.UNREACHABLE) from None
    except PortalError as error:
        raise LoginFailed(error.message, Why.OTHER) from None
    identity = Identity(answer.user.id, answer.user.email)
    return LoggedIn(profile, answer.user, identity, answer.token, kept_in)


def _keep(
    profile: Profile, token: str, user: Me, tokens: TokenStore, insecure_storage: bool, env: Mapping[str, str]
) -> str:
    try:
        kept_in = tokens.set(profile, token, insecure_storage=insecure_storage)
    except NoSecureStorage as error:
        raise LoginFailed(str(error), Why.NO_KEYRING) from None
    except (CredentialError, OSError) as error:
        raise LoginFailed(f"The token could not be stored ({error}); it was revoked.", Why.NOT_KEPT) from None
    try:
        save_profile(profile, env)
        remember_identity(profile, token, user, env)
    except (ConfigError, OSError) as error:
        tokens.delete(profile)  # kept a moment ago: it is about to be revoked
        raise LoginFailed(f"The profile could not be saved ({error}); the token was revoked.", Why.NOT_KEPT) from None
    return kept_in


async def _revoke(client: PortalClient) -> None:
    """Undo a login whose token could not be kept."""
    try:
        await client.logout()
    except PortalError as error:
        log.warning("could not revoke a token that was not kept: %s", error.code or type(error).__name__)
