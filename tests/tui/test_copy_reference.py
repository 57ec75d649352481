"""`y` copies a ticket's reference (screens/copy_reference.py) on the board's current row and in
the detail: `#143 ACM-1143 — subject`, the subject through the control-character gate, and a
notice saying what was copied; a ticket only in the outbox has no number to copy. The bytes the
terminal gets (OSC 52) are checked in tests/tui/test_copy_reference_in_tmux.py."""

from __future__ import annotations

from pathlib import Path

from cache.model import Pill
from portal.schema import TicketCreate
from screens.copy_reference import ticket_reference
from tests.tui.conftest import Running, running_tui
from tests.tui.test_detail import open_first
from widgets.ticket_table import TicketTable

HOSTILE = "Printer \x1b]52;c;cm0gLXJmIH4=\x07 jams \x9b2J"
HOSTILE_COPIED = "Printer \\x1b]52;c;cm0gLXJmIH4=\\x07 jams \\x9b2J"


def notices(running: Running) -> list[str]:
    return [str(n.message) for n in running.app._notifications]


async def test_y_copies_the_current_row_on_the_board_and_the_ticket_in_the_detail(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app = running.app
        await running.press("2", "home", "down")  # Open, the second row
        row = app.screen.query_one(TicketTable).current()
        assert row is not None and row.psa_ticket_id
        await running.press("y")
        assert app.clipboard == f"#{row.id} {row.psa_ticket_id} — {row.subject}"
        assert f"Copied to the clipboard: {app.clipboard}" in notices(running)

        detail = await open_first(running, Pill.RESOLVED)
        await running.press("y")
        assert app.clipboard == f"#{detail.ticket_id} {detail.view.row.psa_ticket_id} — {detail.view.row.subject}"


async def test_a_hostile_subject_is_copied_spelt_out(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        ticket = running.api(
            "POST",
            "/tickets",
            json={"subject": HOSTILE, "category": "hardware", "priority": "low", "description": "d"},
            headers={"Idempotency-Key": "copy-hostile"},
        ).json()
        await running.sync()
        await running.press("colon", *str(ticket["id"]), "enter")
        await running.until(lambda: getattr(running.app.screen, "view", None) is not None, what="the ticket")
        await running.press("y")
        assert running.app.clipboard == f"#{ticket['id']} — {HOSTILE_COPIED}"
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in running.app.clipboard)


async def test_a_ticket_only_in_the_outbox_has_nothing_to_copy(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        outbox = running.app.session.mirror.outbox
        outbox.submit_ticket(TicketCreate(subject="Not sent yet", category="other", priority="low", description="d"))
        await running.press("2", "1", "home")  # the board read again: the newest ticket first
        row = running.app.screen.query_one(TicketTable).current()
        assert row is not None and row.pending and ticket_reference(row) is None
        await running.press("y")
        assert running.app.clipboard == ""
        assert "This ticket is not on the portal yet: it has no number to copy." in notices(running)
