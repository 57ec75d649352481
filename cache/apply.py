"""Portal data written into the cache, inside the caller's transaction.

Each upsert reports whether the row is new to the mirror (for notifications) and whether the
text search indexes changed (so a ticket's FTS row is rebuilt only when it must be).
Times are stored as fixed-width UTC ISO 8601 text, so they compare and sort correctly as text.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from cache import queries
from portal.sqlite import utc_text
from portal.vocabulary import AuthorRole, EventKind, Status

if TYPE_CHECKING:  # the models are loaded by whoever parsed them (the sync), not for the board
    from portal.schema import Ticket, TimelineEvent


def now_text() -> str:
    return utc_text(datetime.now(UTC))


class Written(NamedTuple):
    new: bool  # not in the mirror before
    text_changed: bool  # what search indexes changed: the ticket's FTS row must be rebuilt


UPDATED_AT = queries.TICKET_COLUMNS.index("updated_at")


def upsert_ticket(conn: sqlite3.Connection, ticket: Ticket, *, unless_older: bool = False) -> Written:
    """`unless_older`: for a write's answer, which may be from the past (an idempotent retry is
    answered with what the portal stored when it first did the write) while the mirror already
    has what happened since. The change feed is in the portal's order and always applies."""
    params = ticket_params(ticket)
    before = conn.execute(queries.SELECT_TICKET_COLUMNS, (ticket.id,)).fetchone()
    if before is None:
        conn.execute(queries.INSERT_TICKET, params)
        return Written(new=True, text_changed=True)
    if unless_older and params["updated_at"] < before[UPDATED_AT]:
        return Written(new=False, text_changed=False)
    # Only what changed is written: every column set is an index rewritten (a PSA change
    # touches status, assignee and updated_at, not the eight sort indexes).
    changed = [c for c, old in zip(queries.TICKET_COLUMNS, before) if params[c] != old]
    if changed:
        assignments = ", ".join(f"{c} = :{c}" for c in changed)
        conn.execute(f"UPDATE tickets SET {assignments} WHERE id = :id", params)
    return Written(new=False, text_changed=bool({"subject", "description"} & set(changed)))


def ticket_params(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "subject": ticket.subject,
        "category": ticket.category.value,
        "priority": ticket.priority.value,
        "description": ticket.description,
        "status": ticket.status.value,
        "created_at": utc_text(ticket.created_at),
        "updated_at": utc_text(ticket.updated_at),
        "submitted_by_id": ticket.submitted_by.id,
        "submitted_by_name": ticket.submitted_by.name,
        "company_id": ticket.company_id,
        "assignee": ticket.assignee,
        "psa_ticket_id": ticket.psa_ticket_id,
        "rating": ticket.rating,
        "rating_comment": ticket.rating_comment,
        "client_ref": ticket.client_ref,
    }


def upsert_event(conn: sqlite3.Connection, event: TimelineEvent) -> Written:
    before = conn.execute("SELECT body FROM events WHERE id = ?", (event.id,)).fetchone()
    params = event_params(event)
    conn.execute(queries.UPSERT_EVENT, params)
    if event.author_role is AuthorRole.MSP:
        conn.execute(queries.NOTE_MSP_CHANGE, params)
    if event.kind is EventKind.STATUS_CHANGE and event.to_status is Status.WAITING_ON_CLIENT:
        conn.execute(queries.NOTE_TURN_TO_WAITING, params)
    is_comment = event.kind is EventKind.COMMENT
    if before is None:
        return Written(new=True, text_changed=is_comment)
    return Written(new=False, text_changed=is_comment and before[0] != event.body)


def event_params(event: TimelineEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "ticket_id": event.ticket_id,
        "kind": event.kind.value,
        "author_role": event.author_role.value,
        "author_name": event.author_name,
        "author_id": event.author_id,
        "body": event.body,
        "from_status": event.from_status.value if event.from_status else None,
        "to_status": event.to_status.value if event.to_status else None,
        "assignee": event.assignee,
        "score": event.score,
        "created_at": utc_text(event.created_at),
    }


def remove_ticket(conn: sqlite3.Connection, ticket_id: int) -> None:
    for statement in queries.REMOVE_TICKET:
        conn.execute(statement, (ticket_id,))


def reindex(conn: sqlite3.Connection, ticket_ids: set[int]) -> None:
    if not ticket_ids:
        return
    ids = json.dumps(sorted(ticket_ids))
    conn.execute("DELETE FROM fts WHERE rowid IN (SELECT value FROM json_each(?))", (ids,))
    conn.execute(queries.INDEX_TICKETS, (ids,))
