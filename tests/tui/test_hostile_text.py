"""Text a ticket carries is shown as text: a subject holding `\\x1b[2J`, `[bold]` and `[/]`
shows those characters literally on the board and in the detail, and nothing reaches the
terminal as a control sequence or as markup."""

from __future__ import annotations

from pathlib import Path

from screens.detail import DetailScreen
from tests.tui.conftest import Running, running_tui, screen_text
from widgets.ticket_table import TicketTable

SUBJECT = "Printer \x1b[2J [bold]HALT[/] now"
SHOWN = "Printer \\x1b[2J [bold]HALT[/] now"
COMMENT = "Try \x1b]0;pwned\x07 and [red]this[/red]"
COMMENT_SHOWN = "Try \\x1b]0;pwned\\x07 and [red]this[/red]"


def no_control_characters_reach_the_terminal(running: Running) -> None:
    for strip in running.app.screen._compositor.render_strips():
        for segment in strip:
            assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in segment.text), repr(segment.text)


async def test_escape_sequences_and_markup_show_literally(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        ticket = running.api(
            "POST",
            "/tickets",
            json={"subject": SUBJECT, "category": "hardware", "priority": "low", "description": "[i]not italic[/i]"},
            headers={"Idempotency-Key": "tui-hostile"},
        ).json()
        running.api(
            "POST",
            f"/tickets/{ticket['id']}/comments",
            json={"body": COMMENT},
            headers={"Idempotency-Key": "tui-hostile-comment"},
        )
        await running.sync()
        table = running.app.screen.query_one(TicketTable)
        assert table.row_at(0).id == ticket["id"]

        board = screen_text(running.app)
        assert SHOWN in board
        assert board.splitlines()[0].startswith(" Tickets"), "the screen was not cleared"
        no_control_characters_reach_the_terminal(running)

        await running.press("home", "enter")
        await running.pilot.pause()
        assert isinstance(running.app.screen, DetailScreen)
        detail = screen_text(running.app)
        assert SHOWN in detail and COMMENT_SHOWN in detail and "[i]not italic[/i]" in detail
        no_control_characters_reach_the_terminal(running)
