"""Ageing on the board: each row shows how long since its last activity, a row waiting on the
user how long it has waited (from its last change to waiting on you); a sort by that age, the
longest first (`s`, `S`, a click on its heading); at 80 columns the age gives way before the
subject gets narrow, unless the tickets are sorted by it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cache.model import SortColumn
from portal.schema import EventKind, Status
from tests.tui.conftest import fixed_tui, screen_text, settle
from tests.tui.fixed_world import FIXED_NOW, apply_msp_event, fixed_mirror, fixed_ticket
from widgets.ticket_table import AGE, SUBJECT, TicketTable, columns_for
from widgets.when import age


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(-5, "now"), (59, "now"), (12 * 60 + 59, "12 min"), (5 * 3600 + 1, "5 h"), (3 * 86400 + 23 * 3600, "3 d")],
)
def test_age(seconds: float, shown: str) -> None:
    assert age(seconds) == shown


@pytest.mark.parametrize("with_submitter", [False, True])
def test_the_age_gives_way_before_the_subject_gets_narrow(with_submitter: bool) -> None:
    for width in range(60, 200):
        columns = dict((column.title, cell) for column, cell in columns_for(width, with_submitter))
        if AGE.title in columns:
            assert columns[SUBJECT.title] >= 30, width
    assert AGE.title in dict((c.title, w) for c, w in columns_for(120, with_submitter))


async def test_a_waiting_row_shows_how_long_it_has_waited_and_the_age_sorts_the_longest_first(tmp_path: Path) -> None:
    """#1002 waits on you since 3 d 2 h, though it was updated only 47 h ago; #1003 was last
    updated 3 d ago, #1001 22 h ago. By age, the longest first: 1002, 1003, 1001 — an order
    neither way of Updated gives."""
    waiting = fixed_ticket(2, status=Status.WAITING_ON_CLIENT)
    tickets = [fixed_ticket(1, status=Status.OPEN), waiting, fixed_ticket(3, status=Status.OPEN)]
    mirror = fixed_mirror(tmp_path, tickets, events_per_ticket=0)
    apply_msp_event(
        mirror,
        waiting.id,
        FIXED_NOW - timedelta(days=3, hours=2),
        kind=EventKind.STATUS_CHANGE,
        body=None,
        from_status=Status.IN_PROGRESS,
        to_status=Status.WAITING_ON_CLIENT,
    )

    def order() -> list[int]:
        return [int(line.split("#")[1].split()[0]) for line in screen_text(app).splitlines() if " #100" in line]

    async def press(*keys: str) -> None:
        await pilot.press(*keys)
        await settle(app)
        await pilot.pause()

    async with fixed_tui(mirror) as (app, pilot):
        table = app.screen.query_one(TicketTable)
        assert SortColumn.AGE in table.sortable()
        lines = screen_text(app).splitlines()
        assert "Age" in next(line for line in lines if "Subject" in line)
        open_row = next(line for line in lines if "#1001" in line)
        waiting_row = next(line for line in lines if "#1002" in line)
        assert " 22 h " in open_row, "an open ticket: since its last update (3 h after creation, a day ago)"
        assert " 3 d " in waiting_row, "a waiting ticket: since it turned to waiting on you"

        await press("s", "s")  # Created → Updated → Age
        assert table.ticket_query.sort is SortColumn.AGE and "Age▼" in screen_text(app)
        assert order() == [1002, 1003, 1001]
        await press("S")
        assert "Age▲" in screen_text(app) and order() == [1001, 1003, 1002]
        header = next(n for n, line in enumerate(screen_text(app).splitlines()) if "Age▲" in line)
        await pilot.click(offset=(screen_text(app).splitlines()[header].index("Age▲") + 1, header))
        await settle(app)
        await pilot.pause()
        assert "Age▼" in screen_text(app) and order() == [1002, 1003, 1001], "a click on its heading flips it"


def test_at_80_columns_the_age_shows_when_the_tickets_are_sorted_by_it() -> None:
    assert AGE.title not in [column.title for column, _ in columns_for(80, False)]
    shown = dict((column.title, width) for column, width in columns_for(80, False, SortColumn.AGE))
    assert AGE.title in shown and shown[SUBJECT.title] >= 20
