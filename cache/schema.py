"""The mirror's and the outbox's tables, step by step (`PRAGMA user_version`, portal/sqlite.py).

Step i takes a file from version i to i + 1, and a file's version is the number of steps: a new
step is one more function at the end of its list. Files of every older version are brought up
to date by the steps they have not had (tests/cache/test_schema_history.py builds each older
version with the SQL that version wrote, and compares). Each step says what it does with
sqlite-utils (`create`, `add_column`, `create_index`); what sqlite-utils cannot say is one SQL
statement, with the reason beside it: generated columns, index keys with a collation or a WHERE,
CHECK and AUTOINCREMENT, and the text index — FTS5 over a ticket's subject, description and
comments as one row, with a prefix index (`enable_fts` indexes one table's own columns and
takes no prefix option).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cache.queries import AGE_FROM, INDEX_ALL_TICKETS, PRIORITY_RANK, STATUS_RANK, last_turn_to_waiting
from portal.sqlite import MigrationStep

if TYPE_CHECKING:
    from sqlite_utils import Database

# --- the mirror -----------------------------------------------------------------------------------


def _create_mirror(db: Database) -> None:
    """1: the tickets, their events, the text index and the sync state."""
    db["tickets"].create(
        {
            "id": int,
            "subject": str,
            "category": str,
            "priority": str,
            "description": str,
            "status": str,
            "created_at": str,  # UTC ISO 8601, fixed width: sorts as text
            "updated_at": str,
            "submitted_by_id": int,
            "submitted_by_name": str,
            "company_id": int,
            "assignee": str,
            "psa_ticket_id": str,
            "rating": int,
            "rating_comment": str,
            "client_ref": str,
            "last_msp_change_at": str,  # newest msp-authored event
            "opened_at": str,  # last_msp_change_at when the user last opened it
        },
        pk="id",
        not_null=_REQUIRED_TICKET_COLUMNS,
    )
    # The board sorts by severity and in workflow order: ranks SQLite computes, so they index.
    db.execute(f"ALTER TABLE tickets ADD COLUMN priority_rank INTEGER GENERATED ALWAYS AS ({PRIORITY_RANK}) VIRTUAL")
    db.execute(f"ALTER TABLE tickets ADD COLUMN status_rank INTEGER GENERATED ALWAYS AS ({STATUS_RANK}) VIRTUAL")
    for name, columns in _TICKET_INDEXES.items():
        db["tickets"].create_index(columns, name)
    # Names sort without regard to case: a collation in the index key.
    db.execute("CREATE INDEX tickets_by_subject ON tickets(subject COLLATE NOCASE, id)")
    db.execute("CREATE INDEX tickets_by_submitter_name ON tickets(submitted_by_name COLLATE NOCASE, id)")

    db["events"].create(
        {
            "id": int,
            "ticket_id": int,
            "kind": str,
            "author_role": str,
            "author_name": str,
            "body": str,
            "from_status": str,
            "to_status": str,
            "assignee": str,
            "score": int,
            "created_at": str,
        },
        pk="id",
        not_null={"ticket_id", "kind", "author_role", "author_name", "created_at"},
    )
    db["events"].create_index(["ticket_id", "created_at", "id"], "events_by_ticket")

    # One row per ticket (rowid = ticket id): a search may match words spread over the subject,
    # the description and any comment.
    db.execute(
        "CREATE VIRTUAL TABLE fts USING fts5("
        "subject, description, comments, tokenize = 'unicode61 remove_diacritics 2')"
    )

    # One row, always (the CHECK).
    db.execute(
        """CREATE TABLE sync_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            cursor TEXT,
            full_sync_complete INTEGER NOT NULL DEFAULT 0,
            me TEXT,
            last_synced_at TEXT,
            next_sync_at TEXT,
            next_psa_sync_at TEXT,
            offline_since TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        )"""
    )
    db["sync_state"].insert({"id": 1})


_REQUIRED_TICKET_COLUMNS = {
    "subject",
    "category",
    "priority",
    "description",
    "status",
    "created_at",
    "updated_at",
    "submitted_by_id",
    "submitted_by_name",
    "company_id",
}
# A sort index per column of the board, each ending in the id that breaks ties; the pills count
# by status, in both scopes.
_TICKET_INDEXES = {
    "tickets_by_created": ["created_at", "id"],
    "tickets_by_updated": ["updated_at", "id"],
    "tickets_by_category": ["category", "id"],
    "tickets_by_priority": ["priority_rank", "id"],
    "tickets_by_status": ["status_rank", "id"],
    "tickets_by_status_and_submitter": ["status", "submitted_by_id"],
}


def _index_first_letters(db: Database) -> None:
    """2: an index of one-letter prefixes, so the first letter typed in the search box is a
    lookup, not a merge of every word that starts with it (46 -> 14 ms at 100k tickets,
    +13 % file size; `bench/mirror.py` measures both)."""
    db["fts"].drop()
    db.execute(
        "CREATE VIRTUAL TABLE fts USING fts5("
        "subject, description, comments, tokenize = 'unicode61 remove_diacritics 2', prefix = '1')"
    )
    db.execute(INDEX_ALL_TICKETS)


def _note_the_portal(db: Database) -> None:
    """3: the identity of the portal the mirror was built from (its /meta portal_id): a mirror
    of another portal at the same address is rebuilt, never mixed."""
    db["sync_state"].add_column("portal_id", str)


def _index_psa_ids(db: Database) -> None:
    """4: a search may be a PSA id (`ACM-1143`, any case): a lookup, not a scan of every ticket."""
    db.execute("CREATE INDEX tickets_by_psa_id ON tickets(psa_ticket_id COLLATE NOCASE)")


def _log_activity(db: Database) -> None:
    """5: the activity log: every change by others a sync brought, kept (through a full resync
    too) until the user has read it and beyond, so it can be traced afterwards."""
    db["activity"].create(
        {
            "id": int,
            "ticket_id": int,
            "subject": str,
            "kind": str,
            "author_role": str,
            "author_name": str,
            "at": str,
            "event_id": int,
            "from_status": str,
            "to_status": str,
            "assignee": str,
            "body": str,
            "score": int,
            "read": int,
        },
        pk="id",
        not_null={"ticket_id", "subject", "kind", "author_role", "author_name", "at", "read"},
        defaults={"read": 0},
    )
    # Only the unread lines, which the status line counts: an index with a WHERE.
    db.execute("CREATE INDEX activity_unread ON activity (read) WHERE read = 0")


def _note_event_authors(db: Database) -> None:
    """6: who wrote an event, by the portal's user id (null for the MSP, and from a portal that
    does not send it): names are not unique, and "was it me?" is asked of the id."""
    db["events"].add_column("author_id", int)


def _sort_by_age(db: Database) -> None:
    """7: the board's Age as a sortable column: the time it counts from (a ticket's last update,
    or for one waiting on the client its last turn to waiting), indexed, so a sort by how long
    tickets have waited walks an index instead of every ticket's events."""
    db["tickets"].add_column("waiting_since", str)
    db.execute(f"UPDATE tickets SET waiting_since = ({last_turn_to_waiting('tickets.id')})")
    # A generated column: sqlite-utils' add_column cannot say one.
    db.execute(f"ALTER TABLE tickets ADD COLUMN age_from TEXT GENERATED ALWAYS AS ({AGE_FROM}) VIRTUAL")
    db["tickets"].create_index(["age_from", "id"], "tickets_by_age")


def _log_activity_authors(db: Database) -> None:
    """8: the activity log keeps who made each change by user id too, as the change carries it."""
    db["activity"].add_column("author_id", int)


CACHE_MIGRATIONS: list[MigrationStep] = [
    _create_mirror,
    _index_first_letters,
    _note_the_portal,
    _index_psa_ids,
    _log_activity,
    _note_event_authors,
    _sort_by_age,
    _log_activity_authors,
]

# --- the outbox -----------------------------------------------------------------------------------


def _create_outbox(db: Database) -> None:
    """1: what the user wrote and the portal has not acknowledged, and their unfinished drafts."""
    # AUTOINCREMENT: an id is never reused, since -id names a pending ticket. The CHECKs keep
    # kind and state to what the sync engine knows.
    db.execute(
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('ticket', 'comment', 'confirm', 'reopen', 'rating')),
            ticket_ref INTEGER,  -- portal id, or -id of a pending ticket item
            payload TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            author_id INTEGER,
            author_name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'needs_attention', 'done')),
            attention_message TEXT,
            server_ticket_id INTEGER,
            server_event_id INTEGER,
            done_at TEXT
        )"""
    )
    db["outbox"].create_index(["ticket_ref", "state"], "outbox_by_ticket")
    db["outbox"].create_index(["state", "id"], "outbox_by_state")
    db["drafts"].create({"name": str, "fields": str, "saved_at": str}, pk="name", not_null={"fields", "saved_at"})


def _note_the_ticket_written_to(db: Database) -> None:
    """2: which ticket an item that names one was written to — the portal's identity and the
    ticket's created_at and submitter when it was queued — so that an item is never sent to a
    ticket that now has its id on a restored or different portal."""
    db["outbox"].add_column("portal_id", str)
    db["outbox"].add_column("ticket_created_at", str)
    db["outbox"].add_column("ticket_submitted_by", int)


def _hold_items_back(db: Database) -> None:
    """3: an item may wait a few seconds before it is sent (UTC, as created_at; NULL: at once),
    so that the user can take a confirm or a reopen back while it waits (cache/outbox.py)."""
    db["outbox"].add_column("send_after", str)


OUTBOX_MIGRATIONS: list[MigrationStep] = [_create_outbox, _note_the_ticket_written_to, _hold_items_back]
