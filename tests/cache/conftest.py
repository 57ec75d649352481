"""Fixtures for the mirror's end-to-end tests: a client, a mirror and an engine per account."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from cache.mirror import Mirror
from cache.sync import SyncEngine
from portal.client import PortalClient

# api_view, draft and mirror_view are imported from here by other test groups.
from tests.cache.helpers import FAST_RETRY, api_view, draft, mirror_view  # noqa: F401
from tests.support.portal import Account, RunningPortal
from tui.paths import profile_paths


@dataclass
class Side:
    client: PortalClient
    mirror: Mirror
    engine: SyncEngine


@pytest.fixture
async def sides(tmp_path: Path):
    """Opens (client, mirror, engine) for an account; closes them all at teardown."""
    opened: list[Side] = []

    async def open_side(
        portal: RunningPortal, account: Account, *, transport=None, retry=FAST_RETRY, home=None, **engine_kw
    ) -> Side:
        client = PortalClient(portal.url, transport=transport, retry=retry)
        await client.login(account.email, account.password)
        home = home or tmp_path / "home"
        paths = profile_paths("test", portal.url, account.email, {"HOME": str(home)})
        mirror = Mirror.open(paths)
        side = Side(client, mirror, SyncEngine(mirror, client, **engine_kw))
        opened.append(side)
        return side

    yield open_side
    for side in opened:
        side.mirror.close()
        await side.client.aclose()
