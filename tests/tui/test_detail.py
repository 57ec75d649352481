"""The detail screen against the real portal: comment, confirm, reopen, rate, and which of them
are offered; what is not yet sent shows as pending until the portal has it."""

from __future__ import annotations

from pathlib import Path

from cache.model import Pill
from screens.detail import DetailScreen
from tests.tui.conftest import Running, running_tui, screen_text
from widgets.pills import PILLS


async def open_first(running: Running, pill: Pill) -> DetailScreen:
    await running.press(str(PILLS.index(pill) + 1), "home", "enter")
    await running.pilot.pause()
    screen = running.app.screen
    assert isinstance(screen, DetailScreen)
    return screen


def footer_keys(running: Running) -> set[str]:
    return {b.binding.description for b in running.app.screen.active_bindings.values() if b.enabled}


def portal_ticket(running: Running, ticket_id: int) -> dict:
    return running.api("GET", f"/tickets/{ticket_id}").json()


async def test_comment_shows_pending_then_reaches_the_portal(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        detail = await open_first(running, Pill.IN_PROGRESS)
        await running.press("c")
        await running.pilot.pause()
        await running.press(*"Still broken")
        await running.press("ctrl+s")
        await running.until(lambda: "Still broken" in screen_text(running.app), what="the comment on screen")
        await running.synced()
        timeline = portal_ticket(running, detail.ticket_id)["timeline"]
        assert any(e["body"] == "Still broken" and e["author_role"] == "client" for e in timeline)
        text = screen_text(running.app)
        assert "client comment" in text and "Still broken" in text


async def test_empty_comment_is_refused_beside_the_field(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        await open_first(running, Pill.OPEN)
        await running.press("c", "space", "ctrl+s")
        await running.pilot.pause()
        assert "The comment is required" in screen_text(running.app)
        assert running.app.session.mirror.sync_status().waiting_to_send == 0


async def test_confirm_closes_a_resolved_ticket(demo_portal, tmp_path: Path, short_undo_window) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        detail = await open_first(running, Pill.RESOLVED)
        assert {"Confirm", "Reopen", "Rate"} <= footer_keys(running)
        await running.press("f")
        question = f"Confirm that #{detail.ticket_id} “{detail.view.row.subject}” is resolved?"
        await running.until(lambda: question in screen_text(running.app), what="the question, naming the ticket")
        await running.press("y")
        await running.synced()
        await running.until(
            lambda: portal_ticket(running, detail.ticket_id)["status"] == "closed", what="closed on the portal"
        )
        await running.until(lambda: "Confirm" not in footer_keys(running), what="confirm to go")
        assert "Closed" in screen_text(running.app)


async def test_reopen_puts_a_resolved_ticket_back_to_open(demo_portal, tmp_path: Path, short_undo_window) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        detail = await open_first(running, Pill.RESOLVED)
        await running.press("o")
        question = f"Reopen #{detail.ticket_id} “{detail.view.row.subject}”?"
        await running.until(lambda: question in screen_text(running.app), what="the question, naming the ticket")
        await running.press(*"Not fixed yet", "enter")
        await running.synced()
        await running.until(
            lambda: portal_ticket(running, detail.ticket_id)["status"] == "open", what="open on the portal"
        )

        def reason_posted() -> bool:  # a second write, sent after the reopening
            timeline = portal_ticket(running, detail.ticket_id)["timeline"]
            return any(e.get("body") == "Not fixed yet" and e["author_role"] == "client" for e in timeline)

        await running.until(reason_posted, what="the reason, as a comment")
        assert reason_posted(), "the reason, as a comment"
        await running.until(lambda: "Reopen" not in footer_keys(running), what="reopen to go")
        assert "Rate" not in footer_keys(running), "an open ticket cannot be rated"


async def test_rate_a_closed_ticket(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        detail = await open_first(running, Pill.CLOSED)
        assert "Rate" in footer_keys(running)
        assert "Confirm" not in footer_keys(running) and "Reopen" not in footer_keys(running)
        await running.press("t")
        await running.pilot.pause()
        await running.press("4", "tab")
        await running.pilot.click("#rating-comment")
        await running.press(*"Quick and kind", "enter")
        await running.synced()
        await running.until(
            lambda: portal_ticket(running, detail.ticket_id)["rating"] == 4, what="the rating on the portal"
        )
        assert portal_ticket(running, detail.ticket_id)["rating_comment"] == "Quick and kind"
        await running.until(lambda: "★★★★☆ 4/5" in screen_text(running.app), what="the rating on screen")


async def test_no_confirm_reopen_or_rate_on_work_in_progress(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        await open_first(running, Pill.IN_PROGRESS)
        keys = footer_keys(running)
        assert "Comment" in keys
        assert not {"Confirm", "Reopen", "Rate"} & keys
        await running.press("f", "o", "t")
        await running.pilot.pause()
        assert isinstance(running.app.screen, DetailScreen), "the hidden keys do nothing"
        assert running.app.session.mirror.sync_status().waiting_to_send == 0


async def test_no_to_the_question_and_esc_on_reopen_change_nothing(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        detail = await open_first(running, Pill.RESOLVED)
        await running.press("f", "n")
        assert running.app.screen is detail
        await running.press("o", *"no after all", "escape")
        assert running.app.screen is detail
        assert running.app.session.mirror.sync_status().waiting_to_send == 0
        assert portal_ticket(running, detail.ticket_id)["status"] == "resolved"


async def test_at_80_columns_a_resolved_tickets_keys_all_fit(demo_portal, tmp_path: Path) -> None:
    """The most keys a ticket offers (resolved: confirm, reopen, rate) still leave help and the
    palette on the key bar of an 80-column terminal."""
    async with running_tui(demo_portal, tmp_path, size=(80, 24)) as running:
        await open_first(running, Pill.RESOLVED)
        bar = screen_text(running.app).splitlines()[-1]
        assert "f Confirm  o Reopen  t Rate" in bar and "? Help" in bar and bar.endswith("▏^p Commands"), bar
