"""Where a profile's files live: one cache, one outbox and one sync lock per (profile, portal, user).

The cache is disposable (under $XDG_CACHE_HOME) and rebuilt by a full sync; the outbox holds
what the user wrote and is kept with user data (under $XDG_DATA_HOME), never deleted for them.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_DIR = "msp-tickets"


@dataclass(frozen=True)
class ProfilePaths:
    cache_db: Path
    outbox_db: Path
    lock_file: Path


def profile_paths(
    profile: str, portal_url: str, email: str, env: Mapping[str, str] = os.environ
) -> ProfilePaths:
    stem = _file_stem(profile, portal_url, email)
    cache_dir = xdg_dir("cache", env)
    data_dir = xdg_dir("data", env)
    return ProfilePaths(
        cache_db=cache_dir / f"{stem}.db",
        outbox_db=data_dir / f"{stem}.outbox.db",
        lock_file=cache_dir / f"{stem}.sync.lock",
    )


def _file_stem(profile: str, portal_url: str, email: str) -> str:
    # Readable profile name plus a digest: two portals or two users never share a file,
    # and nothing a user typed becomes a path component unescaped.
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", profile).strip("._") or "profile"
    identity = f"{portal_url.rstrip('/').lower()}\n{email.strip().lower()}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return f"{readable[:40]}-{digest}"


XDG_FALLBACKS = {"config": ".config", "cache": ".cache", "data": ".local/share", "state": ".local/state"}


def xdg_dir(kind: str, env: Mapping[str, str] = os.environ) -> Path:
    """This app's folder of `kind` (config, cache, data, state) per the XDG base directory spec."""
    value = env.get(f"XDG_{kind.upper()}_HOME", "")
    # The XDG spec: a relative path is invalid and must be ignored.
    if value and os.path.isabs(value):
        return Path(value) / APP_DIR
    home = env.get("HOME") or str(Path.home())
    return Path(home) / XDG_FALLBACKS[kind] / APP_DIR
