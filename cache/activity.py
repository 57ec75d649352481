"""The activity log in the cache: every change by others a sync brought, with a read flag."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from cache.model import ActivityEntry, NewsKind, TicketChange
from portal.sqlite import utc_text
from portal.vocabulary import AuthorRole, Status

# The view shows the newest; older lines stay in the file but are not read back.
ACTIVITY_SHOWN_AT_MOST = 500

_COLUMNS = (
    "ticket_id",
    "subject",
    "kind",
    "author_role",
    "author_name",
    "author_id",
    "at",
    "event_id",
    "from_status",
    "to_status",
    "assignee",
    "body",
    "score",
)


def record(conn: sqlite3.Connection, changes: Iterable[TicketChange]) -> None:
    """Inside the caller's transaction."""
    conn.executemany(
        f"INSERT INTO activity ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
        [_row(change) for change in changes],
    )


# Only what is about a ticket the user still sees (one the mirror holds): a line about a ticket
# their access no longer shows is neither listed nor counted (kept, should it come back).
_SEEN = "EXISTS (SELECT 1 FROM tickets t WHERE t.id = activity.ticket_id)"


def newest(conn: sqlite3.Connection, limit: int = ACTIVITY_SHOWN_AT_MOST) -> list[ActivityEntry]:
    rows = conn.execute(
        f"SELECT id, read, {', '.join(_COLUMNS)} FROM activity WHERE {_SEEN} ORDER BY at DESC, id DESC LIMIT ?",
        (limit,),
    )
    return [_entry(row) for row in rows]


def unread_count(conn: sqlite3.Connection) -> int:
    return conn.execute(f"SELECT count(*) FROM activity WHERE read = 0 AND {_SEEN}").fetchone()[0]


def mark_read(conn: sqlite3.Connection, ids: Iterable[int] | None = None) -> None:
    """All of it when `ids` is None."""
    if ids is None:
        conn.execute("UPDATE activity SET read = 1 WHERE read = 0")
    else:
        conn.executemany("UPDATE activity SET read = 1 WHERE id = ?", [(i,) for i in ids])


def _row(change: TicketChange) -> tuple:
    return (
        change.ticket_id,
        change.subject,
        change.kind.value,
        change.author_role.value,
        change.author_name,
        change.author_id,
        utc_text(change.at),
        change.event_id,
        change.from_status.value if change.from_status else None,
        change.to_status.value if change.to_status else None,
        change.assignee,
        change.body,
        change.score,
    )


def _entry(row: sqlite3.Row) -> ActivityEntry:
    change = TicketChange(
        ticket_id=row["ticket_id"],
        subject=row["subject"],
        kind=NewsKind(row["kind"]),
        author_role=AuthorRole(row["author_role"]),
        author_name=row["author_name"],
        author_id=row["author_id"],
        at=datetime.fromisoformat(row["at"]),
        event_id=row["event_id"],
        from_status=Status(row["from_status"]) if row["from_status"] else None,
        to_status=Status(row["to_status"]) if row["to_status"] else None,
        assignee=row["assignee"],
        body=row["body"],
        score=row["score"],
    )
    return ActivityEntry(row["id"], change, bool(row["read"]))
