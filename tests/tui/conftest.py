"""The TUI against the real reference portal: one seeded portal per test module, and an app
built from real parts (Mirror, PortalClient over HTTP, SyncEngine) for each test."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from textual import events
from textual.command import Command, CommandList
from textual.pilot import Pilot

import tui.app
from cache.mirror import Mirror
from cache.sync import SyncEngine
from portal.client import PortalClient, RetryPolicy, tls_context
from screens.common import ViewShelf
from tests.support.portal import Account, RunningPortal, held_token, start_portal
from tests.tui.fixed_world import FIXED_NOW
from tui.app import TicketsApp
from tui.demo import DEMO_EMAIL, DEMO_PASSWORD
from tui.paths import profile_paths
from tui.session import Session

DEMO_ADMIN = Account(DEMO_EMAIL, DEMO_PASSWORD, "Acme admin", "Acme Corp", "company_admin")


@pytest.fixture(scope="module")
def demo_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPortal]:
    """Seeded with the demo companies; shared by a module's tests, so each test derives what it
    expects from the portal itself rather than from fixed numbers."""
    running = start_portal(tmp_path_factory.mktemp("tui-portal"), seed_demo=True)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def short_undo_window(monkeypatch: pytest.MonkeyPatch) -> timedelta:
    """Confirms and reopens wait half a second for their undo, not five (an app without a
    profile holds them for the default `undo_seconds`)."""
    window = timedelta(seconds=0.5)
    monkeypatch.setattr(tui.app, "DEFAULT_UNDO_SECONDS", window.total_seconds())
    return window


@dataclass
class Running:
    app: TicketsApp
    pilot: Pilot
    portal: RunningPortal
    token: str

    def api(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs) -> httpx.Response:
        """The portal's own answer, as the same user, to compare the screen against."""
        headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        response = httpx.request(
            method, f"{self.portal.api}{path}", headers=headers, timeout=30, verify=tls_context(), **kwargs
        )
        response.raise_for_status()
        return response

    async def until(self, condition: Callable[[], object], *, timeout: float = 15, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await self.pilot.pause(0.05)

    async def press(self, *keys: str) -> None:
        """Press keys, then let what they started (the table's counting, a write) finish."""
        await self.pilot.press(*keys)
        await settle(self.app)
        await self.pilot.pause()

    async def click(self, *args, **kwargs) -> None:
        await self.pilot.click(*args, **kwargs)
        await settle(self.app)
        await self.pilot.pause()

    async def synced(self) -> None:
        """Wait for the running sync (if any) and the UI's handling of it."""
        await self.until(lambda: not self.app.syncing, what="the sync to finish")
        await settle(self.app)
        await self.pilot.pause()

    async def sync(self) -> None:
        await self.synced()
        await self.pilot.press("r")
        await self.pilot.pause()
        await self.synced()


def client_for(portal: RunningPortal, token: str) -> PortalClient:
    # One attempt per request: an unreachable portal is seen at once, not after backoff.
    return PortalClient(portal.url, token, retry=RetryPolicy(max_attempts=1))


@asynccontextmanager
async def running_tui(
    portal: RunningPortal,
    folder: Path,
    account: Account = DEMO_ADMIN,
    *,
    size: tuple[int, int] = (120, 40),
    keymap: dict[str, str] | None = None,
    views: ViewShelf | None = None,
) -> AsyncIterator[Running]:
    token = await asyncio.to_thread(held_token, portal, account)
    env = {"XDG_CACHE_HOME": str(folder / "cache"), "XDG_DATA_HOME": str(folder / "data")}
    mirror = Mirror.open(profile_paths("test", portal.url, account.email, env))
    client = client_for(portal, token)
    app = TicketsApp(Session(mirror, client, SyncEngine(mirror, client)), keymap=keymap, views=views)
    try:
        async with app.run_test(size=size) as pilot:
            running = Running(app, pilot, portal, token)
            await running.synced()
            yield running
    finally:
        await client.aclose()
        mirror.close()


def palette_offers(app: TicketsApp) -> list[str]:
    """The commands the open command palette lists now."""
    return [option.hit.text for option in app.screen.query_one(CommandList).options if isinstance(option, Command)]


async def look_for_in_palette(pilot: Pilot, words: str, offered: str, *, timeout: float = 15) -> None:
    """`words` pasted into the open command palette (one search, not one per key), and its
    list offering a command whose text holds `offered`. The palette searches on a worker of its own, which the pilot's
    pause does not wait for: its list is waited for."""
    pilot.app.post_message(events.Paste(words))
    deadline = time.monotonic() + timeout
    while not any(offered in command for command in palette_offers(pilot.app)):
        if time.monotonic() > deadline:
            shown = palette_offers(pilot.app)
            raise AssertionError(f"timed out waiting for {offered!r} in the palette after {words!r}; it offers {shown}")
        await pilot.pause(0.05)


def screen_text(app: TicketsApp) -> str:
    """What the terminal shows, as plain text."""
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())


async def settle(app) -> None:
    """Every worker of the app ended. One cancelled on the way (an exclusive worker replaced by a
    newer one) ended too; `wait_for_complete` would raise it."""
    await asyncio.gather(*(worker.wait() for worker in list(app.workers)), return_exceptions=True)


@asynccontextmanager
async def fixed_tui(mirror: Mirror, *, size: tuple[int, int] = (120, 40)) -> AsyncIterator[tuple[TicketsApp, Pilot]]:
    """The app over a mirror filled by hand, at the fixed world's clock, its first reads done.
    No portal: the client's address is a closed loopback port, and nothing syncs."""
    client = PortalClient("http://127.0.0.1:9")
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)), clock=FIXED_NOW.timestamp, sync_on_start=False
    )
    try:
        async with app.run_test(size=size) as pilot:
            await settle(app)
            await pilot.pause()
            yield app, pilot
    finally:
        await client.aclose()
        mirror.close()
