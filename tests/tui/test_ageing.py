"""Ageing on the board: each row shows how long since its last activity, a row waiting on the
user how long it has waited (from its last change to waiting on you), sorted by last activity;
at 80 columns the age gives way before the subject gets narrow."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cache.model import SortColumn
from cache.sync import SyncEngine
from portal.client import PortalClient
from portal.schema import AuthorRole, Change, ChangeKind, EventKind, Status, TimelineEvent
from tests.tui.conftest import screen_text
from tests.tui.fixed_world import FIXED_NOW, fixed_mirror, fixed_ticket
from tui.app import TicketsApp
from tui.session import Session
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


async def test_a_waiting_row_shows_how_long_it_has_waited_and_sorts_by_activity(tmp_path: Path) -> None:
    waiting = fixed_ticket(2, status=Status.WAITING_ON_CLIENT)
    mirror = fixed_mirror(tmp_path, [fixed_ticket(1, status=Status.OPEN), waiting], events_per_ticket=0)
    turned = TimelineEvent(
        id=70_000_001,
        ticket_id=waiting.id,
        kind=EventKind.STATUS_CHANGE,
        author_role=AuthorRole.MSP,
        author_name="Tess Technician",
        body=None,
        from_status=Status.IN_PROGRESS,
        to_status=Status.WAITING_ON_CLIENT,
        assignee=None,
        score=None,
        created_at=FIXED_NOW - timedelta(days=3, hours=2),
    )
    mirror.apply_changes(
        [Change(seq=500, kind=ChangeKind.EVENT, ticket_id=waiting.id, ticket=None, event=turned)],
        next_cursor="turned",
        has_more=False,
    )
    client = PortalClient("http://127.0.0.1:9")
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)), clock=FIXED_NOW.timestamp, sync_on_start=False
    )
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            table = app.screen.query_one(TicketTable)
            assert SortColumn.UPDATED in table.sortable()
            lines = screen_text(app).splitlines()
            assert "Age" in next(line for line in lines if "Subject" in line)
            open_row = next(line for line in lines if "#1001" in line)
            waiting_row = next(line for line in lines if "#1002" in line)
            assert " 22 h " in open_row, "an open ticket: since its last update (3 h after creation, a day ago)"
            assert " 3 d " in waiting_row, "a waiting ticket: since it turned to waiting on you"
    finally:
        await client.aclose()
        mirror.close()
