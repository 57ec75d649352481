"""Where this app keeps its files, per the XDG base directory spec: the config, the credentials,
the demo, and each profile's mirror, outbox and sync lock.

A profile's files are one set per (profile, portal, user). The user is the portal's id of the
account the token belongs to (from `GET /me`), not what the config file says: two tokens of two
users on one profile never share a mirror or an outbox. The mirror is disposable (under
$XDG_CACHE_HOME) and rebuilt by a full sync; the outbox holds what the user wrote and is kept
with user data (under $XDG_DATA_HOME), never deleted for them.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

from cache.profile import ProfilePaths

APP_DIR = "msp-tickets"
XDG_FALLBACKS = {"config": ".config", "cache": ".cache", "data": ".local/share", "state": ".local/state"}


def xdg_dir(kind: str, env: Mapping[str, str] = os.environ) -> Path:
    """This app's folder of `kind` (config, cache, data, state) per the XDG base directory spec."""
    value = env.get(f"XDG_{kind.upper()}_HOME", "")
    # The XDG spec: a relative path is invalid and must be ignored.
    if value and os.path.isabs(value):
        return Path(value) / APP_DIR
    home = env.get("HOME") or str(Path.home())
    return Path(home) / XDG_FALLBACKS[kind] / APP_DIR


def profile_paths(
    profile: str, portal_url: str, user_id: int | str, env: Mapping[str, str] = os.environ
) -> ProfilePaths:
    """The files of `profile` for the user `user_id` (the portal's id) of the portal."""
    return _paths(_file_stem(profile, portal_url, f"user {user_id}"), env)


def paths_by_email(profile: str, portal_url: str, email: str, env: Mapping[str, str] = os.environ) -> ProfilePaths:
    """Where versions before identity-keyed files kept them (by the email in the config)."""
    return _paths(_file_stem(profile, portal_url, email.strip().lower()), env)


def identity_file(profile: str, portal_url: str, env: Mapping[str, str] = os.environ) -> Path:
    """Where the profile remembers whose its token is, so an offline start finds its mirror."""
    return xdg_dir("cache", env) / f"{_file_stem(profile, portal_url, 'identity')}.identity.json"


def _paths(stem: str, env: Mapping[str, str]) -> ProfilePaths:
    cache_dir = xdg_dir("cache", env)
    data_dir = xdg_dir("data", env)
    return ProfilePaths(
        cache_db=cache_dir / f"{stem}.db",
        outbox_db=data_dir / f"{stem}.outbox.db",
        lock_file=cache_dir / f"{stem}.sync.lock",
    )


def _file_stem(profile: str, portal_url: str, who: str) -> str:
    # Readable profile name plus a digest: two portals or two users never share a file,
    # and nothing a user typed becomes a path component unescaped.
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", profile).strip("._") or "profile"
    identity = f"{portal_url.rstrip('/').lower()}\n{who}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return f"{readable[:40]}-{digest}"
