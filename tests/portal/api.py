"""A thin, honest HTTP caller for the portal tests: plain httpx, responses parsed with the
contract's models (so every success is also a shape check), nothing hidden."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

from portal.schema import (
    ChangeKind,
    ChangePage,
    ErrorBody,
    Status,
    Ticket,
    TicketDetail,
    TicketPage,
    TimelineEvent,
)
from portal.server import psa
from portal.server.storage import Storage
from tests.support.portal import Account, RunningPortal, token_for


class Api:
    def __init__(self, portal: RunningPortal, token: str) -> None:
        self.portal = portal
        self.http = httpx.Client(base_url=portal.api, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    @classmethod
    def signed_in(cls, portal: RunningPortal, account: Account) -> Api:
        return cls(portal, token_for(portal, account))

    def close(self) -> None:
        self.http.close()

    def create(self, subject: str = "Printer jams", **fields: str) -> Ticket:
        draft = {"category": "hardware", "priority": "medium", "description": "Every page."}
        response = self.http.post(
            "/tickets",
            json={"subject": subject, **draft, **fields},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.text
        return Ticket.model_validate_json(response.content)

    def comment(self, ticket_id: int, body: str) -> TimelineEvent:
        response = self.http.post(
            f"/tickets/{ticket_id}/comments",
            json={"body": body},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.text
        return TimelineEvent.model_validate_json(response.content)

    def detail(self, ticket_id: int) -> TicketDetail:
        response = self.http.get(f"/tickets/{ticket_id}")
        assert response.status_code == 200, response.text
        return TicketDetail.model_validate_json(response.content)

    def all_tickets(self, limit: int = 7, **filters: str) -> list[Ticket]:
        """Every visible ticket, following next_cursor page by page."""
        tickets: list[Ticket] = []
        cursor = None
        while True:
            params = {**filters, "limit": limit, **({"cursor": cursor} if cursor else {})}
            response = self.http.get("/tickets", params=params)
            assert response.status_code == 200, response.text
            page = TicketPage.model_validate_json(response.content)
            tickets += page.items
            cursor = page.next_cursor
            if cursor is None:
                return tickets

    def feed_pages(self, cursor: str | None = None, limit: int = 4) -> Iterator[ChangePage]:
        while True:
            params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
            response = self.http.get("/changes", params=params)
            assert response.status_code == 200, response.text
            page = ChangePage.model_validate_json(response.content)
            yield page
            cursor = page.next_cursor
            if not page.has_more:
                return


def refusal(response: httpx.Response, status: int, code: str) -> ErrorBody:
    """The response is the given refusal, in the ErrorBody shape."""
    assert response.status_code == status, response.text
    body = ErrorBody.model_validate_json(response.content)
    assert body.code == code, body
    assert body.error.strip(), "an error must say what to do"
    return body


class FeedMirror:
    """What a client following the change feed knows: tickets and timeline events by id."""

    def __init__(self) -> None:
        self.tickets: dict[int, Ticket] = {}
        self.events: dict[int, TimelineEvent] = {}
        self.cursor: str | None = None
        self.seqs: list[int] = []

    def follow(self, api: Api, limit: int = 4) -> None:
        for page in api.feed_pages(self.cursor, limit):
            for change in page.changes:
                self.seqs.append(change.seq)
                if change.kind is ChangeKind.TICKET:
                    self.tickets[change.ticket_id] = change.ticket
                elif change.kind is ChangeKind.EVENT:
                    self.events[change.event.id] = change.event
                else:
                    self.tickets.pop(change.ticket_id, None)
                    self.events = {k: e for k, e in self.events.items() if e.ticket_id != change.ticket_id}
            self.cursor = page.next_cursor

    def timeline(self, ticket_id: int) -> list[TimelineEvent]:
        events = [e for e in self.events.values() if e.ticket_id == ticket_id]
        return sorted(events, key=lambda e: (e.created_at, e.id))


def db_snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table, read straight from the portal's database file."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {table: sorted(conn.execute(f'SELECT * FROM "{table}"'), key=repr) for table in tables}
    finally:
        conn.close()


def psa_cycles(portal: RunningPortal, count: int = 1) -> None:
    """Run PSA sync cycles against the portal's database, as `msp-portal psa-sync-now` does,
    in this process (the same code, without a process start per cycle)."""
    db = Storage(portal.db)
    try:
        for _ in range(count):
            psa.run_cycle(db, psa.SimulatedPsa(1), time.time)
    finally:
        db.close()


def ticket_in_status(api: Api, status: Status, *, tickets: int = 6, max_cycles: int = 30) -> int:
    """A ticket of this user's that the PSA simulator has brought to `status`. Tickets waiting on
    the client get a client reply, as a person would give."""
    ids = [api.create(f"Needs work {n}").id for n in range(tickets)]
    for _ in range(max_cycles):
        psa_cycles(api.portal)
        for ticket_id in ids:
            current = api.detail(ticket_id).status
            if current is status:
                return ticket_id
            if current is Status.WAITING_ON_CLIENT:
                api.comment(ticket_id, "Here is what you asked for.")
    raise AssertionError(f"no ticket reached {status} in {max_cycles} PSA cycles")


def portal_id_in(db: Path) -> str:
    """The identity stored in a portal's database, read as an operator would."""
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT value FROM state WHERE key = 'portal_id'").fetchone()[0]
