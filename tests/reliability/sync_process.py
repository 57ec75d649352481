"""One sync of a profile, as its own process, for the crash trials: `python sync_process.py
PORTAL_URL EMAIL HOME PAGE_SIZE`, the token in $MSP_TICKETS_TOKEN (never on a command line).
Prints "synced" when the sync is over, whatever its outcome."""

from __future__ import annotations

import asyncio
import os
import sys

from cache.mirror import Mirror
from cache.sync import SyncEngine
from portal.client import PortalClient
from tui.paths import profile_paths


async def sync_once(portal_url: str, email: str, home: str, page_size: int) -> str | None:
    mirror = Mirror.open(profile_paths("crash", portal_url, email, {"HOME": home}))
    try:
        async with PortalClient(portal_url, os.environ["MSP_TICKETS_TOKEN"]) as client:
            result = await SyncEngine(mirror, client, page_size=page_size).sync_now()
    finally:
        mirror.close()
    return result.error


if __name__ == "__main__":
    url, email, home, page_size = sys.argv[1:5]
    error = asyncio.run(sync_once(url, email, home, int(page_size)))
    print("synced" if error is None else f"failed: {error}", flush=True)
