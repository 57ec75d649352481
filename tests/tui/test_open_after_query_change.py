"""`enter` right after a pill change (`5` then `enter` in one burst) opens a ticket of the new
list, never the row under the cursor in the list being replaced; keys after it wait for it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from textual.app import App, ComposeResult

from cache.model import Pill, TicketQuery, TicketRow
from portal.schema import Category, Priority, Status
from screens.input_ready import takes_keys
from widgets.ticket_table import TicketTable

WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _row(ticket_id: int, status: Status) -> TicketRow:
    return TicketRow(
        ticket_id, f"Ticket {ticket_id}", Category.GENERAL, Priority.MEDIUM, status, WHEN, WHEN, 1, "Alex", None, None,
        pending=False, changed=False, needs_attention=None,
    )  # fmt: skip


class GatedTickets:
    """Two open tickets and one resolved; reads of the Resolved list wait until released, as a
    slow mirror would."""

    def __init__(self) -> None:
        self.rows = [_row(3, Status.OPEN), _row(2, Status.OPEN), _row(1, Status.RESOLVED)]
        self.resolved_may_be_read = threading.Event()

    def _matching(self, query: TicketQuery) -> list[TicketRow]:
        if query.pill is Pill.ALL:
            return self.rows
        self.resolved_may_be_read.wait(10)
        return [row for row in self.rows if row.status is query.pill.status]

    def page(self, query: TicketQuery, offset: int, limit: int) -> list[TicketRow]:
        return self._matching(query)[offset : offset + limit]

    def total(self, query: TicketQuery) -> int:
        return len(self._matching(query))

    def position(self, query: TicketQuery, ticket_id: int) -> int | None:
        ids = [row.id for row in self._matching(query)]
        return ids.index(ticket_id) if ticket_id in ids else None


class TableApp(App):
    def __init__(self, source: GatedTickets) -> None:
        super().__init__()
        self.source = source
        self.opened: list[int] = []

    def compose(self) -> ComposeResult:
        yield TicketTable(self.source)

    def on_mount(self) -> None:
        self.query_one(TicketTable).reload()

    def on_ticket_table_opened(self, event: TicketTable.Opened) -> None:
        self.opened.append(event.ticket_id)


async def test_enter_during_a_pill_change_opens_a_ticket_of_the_new_list() -> None:
    source = GatedTickets()
    app = TableApp(source)
    async with app.run_test() as pilot:
        table = app.query_one(TicketTable)
        await pilot.wait_for_scheduled_animations()
        await _until(pilot, lambda: table.current_id() == 3)

        table.show(TicketQuery(pill=Pill.RESOLVED))
        table.action_open()  # the open ticket #3 is still under the cursor
        await pilot.pause()
        assert app.opened == [] and table.opening
        assert not takes_keys(app.screen)  # what is typed next is for the ticket being opened

        source.resolved_may_be_read.set()
        await _until(pilot, lambda: app.opened)
        assert app.opened == [1]
        assert takes_keys(app.screen)


async def test_a_failed_read_drops_the_waiting_open_and_keys_flow_again() -> None:
    source = GatedTickets()

    def broken(query: TicketQuery, offset: int, limit: int) -> list[TicketRow]:
        if query.pill is Pill.RESOLVED:
            raise OSError("the mirror went away")
        return source.rows[offset : offset + limit]

    source.page = broken  # type: ignore[method-assign]
    source.resolved_may_be_read.set()
    app = TableApp(source)
    async with app.run_test() as pilot:
        table = app.query_one(TicketTable)
        await _until(pilot, lambda: table.current_id() == 3)
        table.show(TicketQuery(pill=Pill.RESOLVED))
        table.action_open()
        await _until(pilot, lambda: not table.opening)
        assert app.opened == []  # not the replaced list's #3
        assert takes_keys(app.screen)


async def _until(pilot, condition) -> None:
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition never held")
