"""The board against the real portal: pills, search as you type, sort, open and back, `r`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Input

from cache.model import Pill, Scope
from portal.schema import PRIORITY_LABELS, Priority, Status
from screens.board import BoardScreen
from screens.detail import DetailScreen
from tests.tui.conftest import Running, running_tui, screen_text
from widgets.pills import PILLS, PillBar
from widgets.ticket_table import TicketTable
from widgets.when import short_date

SEVERITY = {p: i for i, p in enumerate(Priority)}


def shown_rows(running: Running):
    table = running.app.screen.query_one(TicketTable)
    return [table.row_at(i) for i in range(table.total)]


def portal_ids(running: Running, **filters: str) -> set[int]:
    ids: set[int] = set()
    cursor = None
    while True:
        params = {"limit": 500, **filters, **({"cursor": cursor} if cursor else {})}
        page = running.api("GET", "/tickets", params=params).json()
        ids |= {t["id"] for t in page["items"]}
        cursor = page["next_cursor"]
        if not cursor:
            return ids


async def test_each_pill_shows_exactly_its_tickets_and_its_count(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        seen_statuses = set()
        for key, pill in enumerate(PILLS, 1):
            await running.press(str(key))
            await running.pilot.pause()
            expected = portal_ids(running, **({"status": pill.status.value} if pill.status else {}))
            rows = shown_rows(running)
            assert {r.id for r in rows} == expected, pill
            assert len(rows) == len(expected)
            count = running.app.screen.query_one(PillBar).count(pill)
            assert count == len(expected), pill
            if pill.status:
                assert {r.status for r in rows} <= {pill.status}
            seen_statuses |= {r.status for r in rows}
        # All includes waiting_on_vendor, which has no pill of its own.
        assert Status.WAITING_ON_VENDOR in seen_statuses


async def test_pill_can_be_clicked(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        resolved = next(span for span in running.app.screen.query_one(PillBar).spans() if span.pill is Pill.RESOLVED)
        await running.click(PillBar, offset=(resolved.x + 1, resolved.y))
        await running.pilot.pause()
        rows = shown_rows(running)
        assert rows and {r.status for r in rows} == {Status.RESOLVED}
        assert running.app.screen.query_one(TicketTable).ticket_query.pill is Pill.RESOLVED


async def test_search_narrows_as_typed(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        table = running.app.screen.query_one(TicketTable)
        everything = table.total
        word = max(table.row_at(0).subject.split(), key=len).lower()
        await running.press("slash")
        totals = []
        for letter in word:
            await running.press(letter)
            await running.pilot.pause()
            totals.append(table.total)
        assert totals == sorted(totals, reverse=True), "each letter narrows or keeps the list"
        typed = running.app.screen.query_one("#search", Input).value
        assert typed == word, "letters typed into the search are text, not the board's keys"
        assert 0 < totals[-1] < everything
        mirror = running.app.session.mirror
        for row in shown_rows(running):
            view = mirror.ticket(row.id)
            texts = [view.row.subject, view.description] + [e.body or "" for e in view.timeline]
            assert any(word in text.lower() for text in texts), row.subject
        # esc twice: back to the table, then the search is cleared.
        await running.press("escape", "escape")
        await running.pilot.pause()
        assert table.total == everything
        # The board's own letters, typed into the search, are only text there.
        await running.press("slash", *"rsnm1", "question_mark")
        assert running.app.screen.query_one("#search", Input).value == "rsnm1?"
        assert isinstance(running.app.screen, BoardScreen) and not running.app.syncing


async def test_sort_cycles_and_flips(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        rows = shown_rows(running)
        created = [r.created_at for r in rows]
        assert created == sorted(created, reverse=True), "newest first by default"
        await running.press("s")  # → updated
        await running.pilot.pause()
        updated = [r.updated_at for r in shown_rows(running)]
        assert updated == sorted(updated, reverse=True)
        await running.press("s")  # → age, the longest first: a waiting row's age counts from its turn to waiting
        counted_from = [
            (r.waiting_since or r.updated_at) if r.status is Status.WAITING_ON_CLIENT else r.updated_at
            for r in shown_rows(running)
        ]
        assert counted_from == sorted(counted_from) and "Age▼" in screen_text(running.app)
        await running.press("s")  # → priority, most severe first
        await running.pilot.pause()
        severities = [SEVERITY[r.priority] for r in shown_rows(running)]
        assert severities == sorted(severities, reverse=True)
        assert "Priority▼" in screen_text(running.app)
        await running.press("S")
        await running.pilot.pause()
        severities = [SEVERITY[r.priority] for r in shown_rows(running)]
        assert severities == sorted(severities)
        assert "Priority▲" in screen_text(running.app)
        assert PRIORITY_LABELS[Priority.LOW] in screen_text(running.app).split("Priority▲")[1].splitlines()[1]


async def test_open_a_ticket_and_come_back_to_the_same_row(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        table = running.app.screen.query_one(TicketTable)
        await running.press("down", "down", "down", "enter")
        await running.pilot.pause()
        chosen = table.row_at(3)
        detail = running.app.screen
        assert isinstance(detail, DetailScreen) and detail.ticket_id == chosen.id
        assert chosen.subject in screen_text(running.app)
        await running.press("escape")
        await running.pilot.pause()
        assert isinstance(running.app.screen, BoardScreen)
        assert table.cursor == 3 and table.current_id() == chosen.id


async def test_mine_shows_only_my_tickets(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        me = running.api("GET", "/me").json()
        everyone = len(shown_rows(running))
        assert "Submitted by" in screen_text(running.app)
        await running.press("m")
        await running.pilot.pause()
        mine = shown_rows(running)
        assert running.app.screen.query_one(TicketTable).ticket_query.scope is Scope.MINE
        assert mine and len(mine) < everyone
        assert {r.submitted_by_id for r in mine} == {me["id"]}
        assert running.app.screen.query_one(PillBar).count(Pill.ALL) == len(mine)


async def test_r_brings_what_changed_on_the_portal(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        table = running.app.screen.query_one(TicketTable)
        before = table.total
        created = running.api(
            "POST",
            "/tickets",
            json={
                "subject": "Made on the web portal",
                "category": "email",
                "priority": "low",
                "description": "from the browser",
            },
            headers={"Idempotency-Key": "tui-r-test"},
        ).json()
        assert table.total == before
        await running.sync()
        assert table.total == before + 1
        assert table.row_at(0).id == created["id"]
        assert "synced just now" in screen_text(running.app)


@pytest.mark.parametrize("key", ["question_mark"])
async def test_help_lists_every_key(demo_portal, tmp_path: Path, key: str) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        await running.press(key)
        await running.pilot.pause()
        help_screen = running.app.screen
        listed = {text for _, section in help_screen.sections for b in section for text in (b.description, b.tooltip)}
        for screen in (BoardScreen, DetailScreen):
            assert {b.description for b in screen.BINDINGS} <= listed
        assert "Sync now" in listed


async def test_the_sorted_column_shows_itself_and_the_sort_cycles_only_shown_columns(
    demo_portal, tmp_path: Path
) -> None:
    async with running_tui(demo_portal, tmp_path, size=(80, 24)) as running:
        table = running.app.screen.query_one(TicketTable)
        header = screen_text(running.app).splitlines()
        assert any("Created▼" in line for line in header), "the default sort is marked"
        assert not any("Updated" in line for line in header)
        await running.press("s")
        await running.pilot.pause()
        text = screen_text(running.app)
        assert "Updated▼" in text and "Created" not in text, "sorted by Updated, its dates are shown"
        first = table.row_at(0)
        # At 80 columns beside the submitter the date is short (`11-30`), as it reads in the full one.
        assert short_date(first.updated_at, datetime.now(UTC)) in text.split("Updated▼")[1].splitlines()[1]
        shown = set(table.sortable())
        for _ in range(len(shown) + 1):
            await running.press("s")
            await running.pilot.pause()
            sort = table.shown_query.sort  # (not `query`: renamed on another branch)
            assert sort in table.sortable(), f"sorted by {sort}, a column that is not shown"
            assert any(arrow in screen_text(running.app) for arrow in "▲▼"), (sort, screen_text(running.app))
