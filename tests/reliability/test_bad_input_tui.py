"""Issue 6, point 2, the TUI's new-ticket form: every hostile value is either accepted (the
detail opens on exactly that text) or refused with the problem beside the field that names it,
the draft holding exactly what was typed. No control character reaches the terminal either way.
(Invalid UTF-8 cannot be typed: the terminal driver decodes keys before any widget sees them.)"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, TextArea

from screens.board import BoardScreen
from screens.detail import DetailScreen
from screens.new_ticket import DRAFT_NAME, NewTicketScreen
from tests.reliability.hostile import HOSTILE, refusal_hint, stored_form
from tests.tui.conftest import Running, demo_portal, running_tui, screen_text  # noqa: F401  (a fixture)
from tests.tui.test_hostile_text import no_control_characters_reach_the_terminal

VALID = {"subject": "Scanner drops the network", "description": "Every scan fails at 50%."}
DESCRIPTION_CASES = ["empty", "white space", "1 MB", "NUL", "ANSI escapes", "right-to-left and combining"]


async def _paste_and_submit(running: Running, subject: str, description: str) -> dict[str, str]:
    """Paste each text into its field as a terminal's bracketed paste delivers it, submit, and
    return what the fields held (an Input keeps only the first line of a paste)."""
    await running.until(lambda: isinstance(running.app.screen, BoardScreen), what="the board")
    await running.pilot.press("n")
    await running.until(lambda: isinstance(running.app.screen, NewTicketScreen), what="the form")
    form = running.app.screen
    held = {}
    for field, widget_type, text in (("subject", Input, subject), ("description", TextArea, description)):
        widget = form.query_one(f"#{field}", widget_type)
        widget.focus()
        widget.clear()
        running.app.post_message(events.Paste(text))  # as the driver delivers it
        await running.pilot.pause()
        held[field] = widget.value if widget_type is Input else widget.text
    await running.pilot.press("ctrl+s")
    await running.pilot.pause()
    return held


def _saved_draft(running: Running) -> dict[str, str]:
    """The draft on disk, read by a connection of its own, as a process started after a crash
    would (read-only: opening the files as the app does checks and migrates them, too slow to
    poll)."""
    outbox = running.app.session.mirror.paths.outbox_db
    conn = sqlite3.connect(f"{outbox.as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        row = conn.execute("SELECT fields FROM drafts WHERE name = ?", (DRAFT_NAME,)).fetchone()
    finally:
        conn.close()
    return json.loads(row[0]) if row else {}


async def _expect(running: Running, field: str, text: str, fields: dict[str, str]) -> int | None:
    """The pending id of the accepted ticket, or None when it was refused."""
    app, mirror = running.app, running.app.session.mirror
    hint = refusal_hint(field, text)
    if hint is None:
        await running.until(lambda: isinstance(app.screen, DetailScreen), what=f"the detail of {field}={text[:20]!r}")
        view = mirror.ticket(app.screen.ticket_id)
        stored = view.row.subject if field == "subject" else view.description
        assert stored == stored_form(field, text)
        no_control_characters_reach_the_terminal(running)
        await running.until(lambda: _saved_draft(running) == {}, what="the sent draft to go")
        accepted_id = app.screen.ticket_id
    else:
        assert isinstance(app.screen, NewTicketScreen), f"{field}={text[:20]!r} was not refused"
        shown = screen_text(app)
        assert f"The {field} " in shown, shown
        assert hint in shown or (hint == "required" and "white space" in shown), shown
        no_control_characters_reach_the_terminal(running)
        await running.until(lambda: _saved_draft(running).get(field) == fields[field], what="the draft on disk")
        accepted_id = None
    await running.pilot.press("escape")
    return accepted_id


@pytest.mark.slow
async def test_every_hostile_value_in_the_form(demo_portal, tmp_path: Path) -> None:  # noqa: F811
    async with running_tui(demo_portal, tmp_path) as running:
        mirror = running.app.session.mirror
        sent: dict[int, tuple[str, str]] = {}
        cases = [("subject", text) for text in HOSTILE.values()]
        cases += [("description", HOSTILE[name]) for name in DESCRIPTION_CASES]
        for field, text in cases:
            fields = await _paste_and_submit(running, **{**VALID, field: text})
            pending_id = await _expect(running, field, fields[field], fields)
            if pending_id is not None:
                sent[pending_id] = (fields["subject"].strip(), fields["description"].strip())
        assert len(sent) >= 9, "most hostile values are valid text and must be accepted"

        await running.sync()
        status = mirror.sync_status()
        assert (status.waiting_to_send, status.needs_attention) == (0, 0)
        for pending_id, (subject, description) in sent.items():
            ticket_id = mirror.outbox.resolve(pending_id)
            assert ticket_id > 0, f"{subject[:20]!r} never reached the portal"
            on_portal = running.api("GET", f"/tickets/{ticket_id}").json()
            assert (on_portal["subject"], on_portal["description"]) == (subject, description)


@pytest.mark.parametrize("where", ["form", "search"])
async def test_pasted_control_characters_never_reach_the_terminal(demo_portal, tmp_path: Path, where: str) -> None:  # noqa: F811
    async with running_tui(demo_portal, tmp_path) as running:
        for name in ("ANSI escapes", "OSC escapes", "NUL"):
            if where == "form":
                await _paste_and_submit(running, HOSTILE[name], HOSTILE[name])
            else:
                await running.pilot.press("slash")
                running.app.post_message(events.Paste(HOSTILE[name]))
                await running.pilot.pause()
            no_control_characters_reach_the_terminal(running)
            await running.pilot.press("escape")


async def test_hostile_text_from_the_portal_and_in_the_search_box(demo_portal, tmp_path: Path) -> None:  # noqa: F811
    """What the portal sends back is shown as text on the board and in the detail; what is typed
    into the search box (FTS syntax included) filters, and never fails."""
    async with running_tui(demo_portal, tmp_path) as running:
        app = running.app
        readable = {
            "ANSI escapes": "red alert",
            "OSC escapes": "click",
            "markup": "[bold red]loud[/]",
            "right-to-left and combining": "שלום",
            "emoji": "printer",
            "FTS syntax": "NEAR(",
        }
        made = {}
        for name, visible in readable.items():
            ticket = running.api(
                "POST",
                "/tickets",
                json={"subject": HOSTILE[name], "category": "other", "priority": "low", "description": HOSTILE[name]},
                headers={"Idempotency-Key": str(uuid.uuid4())},
            ).json()
            made[ticket["id"]] = visible
        await running.sync()
        no_control_characters_reach_the_terminal(running)
        for ticket_id, visible in made.items():
            app.push_screen(DetailScreen(app.screen.services, ticket_id))
            await running.until(
                lambda: isinstance(app.screen, DetailScreen) and visible in screen_text(app),
                what=f"{visible!r} in the detail",
            )
            no_control_characters_reach_the_terminal(running)
            await running.pilot.press("escape")
            await running.until(lambda: isinstance(app.screen, BoardScreen), what="the board")

        mirror = app.session.mirror
        await running.pilot.press("slash")
        for words in ['"', "*", "NEAR(", "AND", '"unbalanced', "subject:x", "\x1b[2J", "🔥", "שלום"]:
            search = app.screen.query_one("#search", Input)
            search.value = ""
            if words.isascii() and words.isprintable():
                await running.pilot.press(*words)
            else:
                app.post_message(events.Paste(words))
            await running.until(lambda: search.value == words, what=f"{words!r} typed")
            await running.pilot.pause(0.3)
            assert isinstance(app.screen, BoardScreen) and app.is_running
            table = app.screen.table
            await running.until(lambda: table.shown_query.search == words, what=f"the table to show {words!r}")
            assert table.total == mirror.total(table.shown_query), words
            no_control_characters_reach_the_terminal(running)
