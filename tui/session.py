"""A logged-in session: the mirror, the portal client and the sync engine for one profile."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from cache.mirror import Mirror
from cache.profile import profile_paths
from cache.sync import SyncEngine
from portal.client import PortalClient


@dataclass
class Session:
    mirror: Mirror
    client: PortalClient
    engine: SyncEngine

    async def aclose(self) -> None:
        await self.client.aclose()
        self.mirror.close()


def open_session(profile_name: str, portal_url: str, email: str, token: str, env: Mapping[str, str] = os.environ) -> Session:
    mirror = Mirror.open(profile_paths(profile_name, portal_url, email, env))
    client = PortalClient(portal_url, token)
    return Session(mirror, client, SyncEngine(mirror, client, expected_email=email))
