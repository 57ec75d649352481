"""`msp-tickets sync` after the portal was restored from a backup (issue 10, item 3): it says
in words that the mirror was rebuilt and which queued write was not sent, and why."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.cli.conftest import Cli
from tests.support.portal import make_world, start_portal, token_for
from tui.cli import exit_codes


def _create(portal, account, subject: str) -> int:
    response = httpx.post(
        f"{portal.api}/tickets",
        json={"subject": subject, "category": "email", "priority": "low", "description": "x"},
        headers={"Authorization": f"Bearer {token_for(portal, account)}", "Idempotency-Key": subject.replace(" ", "-")},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["id"]


def test_sync_says_the_mirror_was_rebuilt_and_what_was_not_sent(cli: Cli, tmp_path: Path):
    portal = start_portal(tmp_path)
    try:
        world = make_world(portal)
        me, colleague = world.accounts["a_company"], world.accounts["a_admin"]
        assert cli.login(portal, me).code == 0
        backup = portal.backup(tmp_path / "backup.db")
        mine = _create(portal, me, "Mine after the backup")
        assert cli("sync").code == 0
        portal.stop()
        queued = cli("comment", str(mine), "Meant for my ticket")
        assert queued.code == exit_codes.UNREACHABLE, queued.err

        portal.restore(backup)
        assert _create(portal, colleague, "A colleague's ticket") == mine
        synced = cli("sync")

        assert synced.code == 0, synced.err
        lines = synced.out.splitlines()
        assert "restored from a backup" in lines[0] and "rebuilt" in lines[0]
        attention = [line for line in lines if "needs attention" in line]
        assert len(attention) == 1 and f"#{mine}" in attention[0] and "not sent" in attention[0]
        status = cli("status", "--json").json()
        assert (status["waiting_to_send"], status["needs_attention"]) == (0, 1)
        document = cli("sync", "--json").json()
        assert document["rebuilt"] is None  # once rebuilt, the next sync is an ordinary one
        shown = cli("show", str(mine), "--json").json()
        assert shown["subject"] == "A colleague's ticket"
        assert "Meant for my ticket" not in [event["body"] for event in shown["timeline"]]
    finally:
        portal.stop()
