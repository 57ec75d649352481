"""Undo (issue 13 item 5) in the app against the real portal: a confirm or a reopen waits in the
outbox for the undo window, the status line says so, `u` (or its palette entry, or the key the
keymap gives it) takes it back — never sent, the ticket as it was — and once the window has
passed it goes by itself."""

from __future__ import annotations

from pathlib import Path

from cache.model import Pill
from tests.tui.conftest import Running, look_for_in_palette, running_tui, screen_text
from tests.tui.test_detail import footer_keys, open_first, portal_ticket


def notices(running: Running) -> str:
    return "\n".join(str(n.message) for n in running.app._notifications)


def undo_offered(running: Running) -> bool:
    return "Undo" in {b.binding.description for b in running.app.active_bindings.values() if b.enabled}


def bar(running: Running) -> str:
    """The key bar, the screen's last line."""
    return screen_text(running.app).splitlines()[-1]


async def test_u_takes_a_confirm_back_before_it_is_sent(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        detail = await open_first(running, Pill.RESOLVED)
        assert not undo_offered(running), "nothing to undo yet"
        assert "Undo" not in bar(running)
        await running.press("f", "y")
        said = f"Confirmed #{detail.ticket_id} · u to undo ("
        await running.until(lambda: said in screen_text(running.app), what="the undo on the status line")
        assert undo_offered(running) and "Closed" in screen_text(running.app)
        assert " u Undo " in bar(running), "the key bar offers it while the write waits"

        await running.press("u")
        await running.until(lambda: "nothing was sent" in notices(running), what="the undo said")
        await running.until(lambda: "Confirm" in footer_keys(running), what="the ticket resolved again")
        assert said not in screen_text(running.app) and not undo_offered(running)
        assert "Undo" not in bar(running), "and not once there is nothing to take back"
        assert running.app.session.mirror.outbox.pending_items() == []
        await running.sync()
        assert portal_ticket(running, detail.ticket_id)["status"] == "resolved"


async def test_a_reopen_goes_once_the_window_has_passed(demo_portal, tmp_path: Path, short_undo_window) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        detail = await open_first(running, Pill.RESOLVED)
        await running.press("o", *"Jams again", "enter")
        await running.until(
            lambda: portal_ticket(running, detail.ticket_id)["status"] == "open", what="reopened on the portal"
        )
        await running.until(lambda: not undo_offered(running), what="the undo to end with the window")
        await running.press("u")  # too late: nothing happens
        timeline = portal_ticket(running, detail.ticket_id)["timeline"]
        assert [e.get("body") for e in timeline].count("Jams again") == 1
        assert "to undo" not in screen_text(running.app)


async def test_undo_from_the_palette_and_on_a_remapped_key(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path, keymap={"undo": "z"}) as running:
        detail = await open_first(running, Pill.RESOLVED)
        await running.press("o", "enter")
        said = f"Reopened #{detail.ticket_id} · z to undo ("
        await running.until(lambda: said in screen_text(running.app), what="the key in force on the status line")
        await running.press("ctrl+p")
        await look_for_in_palette(running.pilot, "undo the last", "Undo the last confirm or reopen")
        await running.press("enter")
        await running.until(lambda: "nothing was sent" in notices(running), what="undone from the palette")

        await running.press("f", "y")
        await running.until(lambda: "Confirmed #" in screen_text(running.app), what="the confirm held")
        await running.press("z")
        await running.until(lambda: "Undone: “Confirmed" in notices(running), what="undone on z")
        await running.sync()
        assert portal_ticket(running, detail.ticket_id)["status"] == "resolved"
