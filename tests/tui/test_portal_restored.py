"""The board after its portal was restored from an older backup (issue 10, item 3): the next
sync rebuilds the mirror, the board stops showing the ticket the portal no longer has, and a
notice says what happened."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cache.sync import REBUILT_CURSOR_EXPIRED
from tests.support.portal import make_world, start_portal
from tests.tui.conftest import running_tui, screen_text


async def test_a_restored_portal_rebuilds_the_board_and_says_so(tmp_path: Path) -> None:
    portal = start_portal(tmp_path)
    try:
        world = make_world(portal)
        async with running_tui(portal, tmp_path, world.accounts["a_admin"]) as running:
            app = running.app
            backup = await asyncio.to_thread(portal.backup, tmp_path / "backup.db")
            running.api(
                "POST",
                "/tickets",
                json={"subject": "After the backup", "category": "email", "priority": "low", "description": "x"},
                headers={"Idempotency-Key": "tui-after-the-backup"},
            )
            await running.sync()
            assert "After the backup" in screen_text(app)

            await asyncio.to_thread(portal.restore, backup)
            await running.sync()

            notices = [n.message for n in app._notifications if n.title == "Mirror rebuilt"]
            assert notices == [REBUILT_CURSOR_EXPIRED]
            await running.until(lambda: "After the backup" not in screen_text(app), what="the board rebuilt")
            assert "synced just now" in screen_text(app)
    finally:
        portal.stop()
