"""The SQL each older version of msp-tickets ran to make its mirror and outbox, frozen as it
was: the files real users have. `build` makes a file of any older version, so a test can show
that the steps of cache/schema.py bring it to what a new file is."""

from __future__ import annotations

import sqlite3
from pathlib import Path

PRIORITY_RANK_SQL = "CASE priority WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 WHEN 'critical' THEN 4 END"
STATUS_RANK_SQL = (
    "CASE status WHEN 'open' THEN 1 WHEN 'in_progress' THEN 2 WHEN 'waiting_on_client' THEN 3 "
    "WHEN 'waiting_on_vendor' THEN 4 WHEN 'resolved' THEN 5 WHEN 'closed' THEN 6 END"
)

CACHE_STEPS = [
    f"""
    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        subject TEXT NOT NULL,
        category TEXT NOT NULL,
        priority TEXT NOT NULL,
        description TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,          -- UTC ISO 8601, fixed width: sorts as text
        updated_at TEXT NOT NULL,
        submitted_by_id INTEGER NOT NULL,
        submitted_by_name TEXT NOT NULL,
        company_id INTEGER NOT NULL,
        assignee TEXT,
        psa_ticket_id TEXT,
        rating INTEGER,
        rating_comment TEXT,
        client_ref TEXT,
        last_msp_change_at TEXT,           -- newest msp-authored event
        opened_at TEXT,                    -- last_msp_change_at when the user last opened it
        priority_rank INTEGER GENERATED ALWAYS AS ({PRIORITY_RANK_SQL}) VIRTUAL,
        status_rank INTEGER GENERATED ALWAYS AS ({STATUS_RANK_SQL}) VIRTUAL
    );
    CREATE INDEX tickets_by_created ON tickets(created_at, id);
    CREATE INDEX tickets_by_updated ON tickets(updated_at, id);
    CREATE INDEX tickets_by_subject ON tickets(subject COLLATE NOCASE, id);
    CREATE INDEX tickets_by_category ON tickets(category, id);
    CREATE INDEX tickets_by_priority ON tickets(priority_rank, id);
    CREATE INDEX tickets_by_status ON tickets(status_rank, id);
    CREATE INDEX tickets_by_submitter_name ON tickets(submitted_by_name COLLATE NOCASE, id);
    CREATE INDEX tickets_by_status_and_submitter ON tickets(status, submitted_by_id);

    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        author_role TEXT NOT NULL,
        author_name TEXT NOT NULL,
        body TEXT,
        from_status TEXT,
        to_status TEXT,
        assignee TEXT,
        score INTEGER,
        created_at TEXT NOT NULL
    );
    CREATE INDEX events_by_ticket ON events(ticket_id, created_at, id);

    -- One row per ticket (rowid = ticket id): a search may match words spread over the
    -- subject, the description and any comment.
    CREATE VIRTUAL TABLE fts USING fts5(
        subject, description, comments, tokenize = 'unicode61 remove_diacritics 2'
    );

    CREATE TABLE sync_state (
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
    );
    INSERT INTO sync_state (id) VALUES (1);
    """,
    # 2: an index of one-letter prefixes, so the first letter typed in the search box is a
    # lookup, not a merge of every word that starts with it (46 -> 14 ms at 100k tickets,
    # +13 % file size; `bench/mirror.py` measures both).
    """
    DROP TABLE fts;
    CREATE VIRTUAL TABLE fts USING fts5(
        subject, description, comments, tokenize = 'unicode61 remove_diacritics 2', prefix = '1'
    );
    INSERT INTO fts (rowid, subject, description, comments)
    SELECT t.id, t.subject, t.description,
           (SELECT group_concat(e.body, char(10)) FROM events e
            WHERE e.ticket_id = t.id AND e.kind = 'comment')
    FROM tickets t;
    """,
    # 3: the identity of the portal the mirror was built from (its /meta portal_id): a mirror
    # of another portal at the same address is rebuilt, never mixed.
    """
    ALTER TABLE sync_state ADD COLUMN portal_id TEXT;
    """,
    # 4: a search may be a PSA id (`ACM-1143`, any case): a lookup, not a scan of every ticket.
    """
    CREATE INDEX tickets_by_psa_id ON tickets(psa_ticket_id COLLATE NOCASE);
    """,
    # 5: the activity log: every change by others a sync brought, kept (through a full resync
    # too) until the user has read it and beyond, so it can be traced afterwards.
    """
    CREATE TABLE activity (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket_id INTEGER NOT NULL,
        subject TEXT NOT NULL,
        kind TEXT NOT NULL,
        author_role TEXT NOT NULL,
        author_name TEXT NOT NULL,
        at TEXT NOT NULL,
        event_id INTEGER,
        from_status TEXT,
        to_status TEXT,
        assignee TEXT,
        body TEXT,
        score INTEGER,
        read INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX activity_unread ON activity (read) WHERE read = 0;
    """,
    # 6: who wrote an event, by the portal's user id.
    """
    ALTER TABLE events ADD COLUMN author_id INTEGER;
    """,
    # 7: the board's Age as a sortable, indexed column.
    """
    ALTER TABLE tickets ADD COLUMN waiting_since TEXT;
    UPDATE tickets SET waiting_since = (SELECT max(e.created_at) FROM events e WHERE e.ticket_id = tickets.id AND e.kind = 'status_change' AND e.to_status = 'waiting_on_client');
    ALTER TABLE tickets ADD COLUMN age_from TEXT GENERATED ALWAYS AS (CASE WHEN status = 'waiting_on_client' THEN COALESCE(waiting_since, updated_at) ELSE updated_at END) VIRTUAL;
    CREATE INDEX tickets_by_age ON tickets(age_from, id);
    """,
    # 8: who made each logged change, by user id.
    """
    ALTER TABLE activity ADD COLUMN author_id INTEGER;
    """,
]

OUTBOX_STEPS = [
    """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: -id names a pending ticket
        kind TEXT NOT NULL CHECK (kind IN ('ticket', 'comment', 'confirm', 'reopen', 'rating')),
        ticket_ref INTEGER,                     -- portal id, or -id of a pending ticket item
        payload TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        author_id INTEGER,
        author_name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'needs_attention', 'done')),
        attention_message TEXT,
        server_ticket_id INTEGER,
        server_event_id INTEGER,
        done_at TEXT
    );
    CREATE INDEX outbox_by_ticket ON outbox(ticket_ref, state);
    CREATE INDEX outbox_by_state ON outbox(state, id);
    CREATE TABLE drafts (
        name TEXT PRIMARY KEY,
        fields TEXT NOT NULL,
        saved_at TEXT NOT NULL
    );
    """,
    # 2: which ticket an item that names one was written to — the portal's identity and the
    # ticket's created_at and submitter when it was queued — so that an item is never sent
    # to a ticket that now has its id on a restored or different portal.
    """
    ALTER TABLE outbox ADD COLUMN portal_id TEXT;
    ALTER TABLE outbox ADD COLUMN ticket_created_at TEXT;
    ALTER TABLE outbox ADD COLUMN ticket_submitted_by INTEGER;
    """,
    # 3: an item may wait a few seconds before it is sent, so a confirm or a reopen can be
    # taken back while it waits.
    """
    ALTER TABLE outbox ADD COLUMN send_after TEXT;
    """,
]


def build(path: Path, steps: list[str], version: int) -> sqlite3.Connection:
    """A file at `version`, made as that version made it; the connection is left open."""
    conn = sqlite3.connect(path, isolation_level=None)
    for step in steps[:version]:
        for statement in _statements(step):
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    return conn


def _statements(script: str) -> list[str]:
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    return [s for s in statements if s]


def describe(conn: sqlite3.Connection) -> dict:
    """What a schema is, whatever SQL text made it: each table's columns (generated ones
    included), its foreign keys, and its indexes by what they hold (an index's name and whether
    a UNIQUE constraint or a CREATE INDEX made it do not change what it does)."""
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {
        table: {
            "columns": [tuple(row) for row in conn.execute(f"PRAGMA table_xinfo('{table}')")],
            "foreign keys": sorted(tuple(row)[2:5] for row in conn.execute(f"PRAGMA foreign_key_list('{table}')")),
            "indexes": sorted(_index(conn, row) for row in conn.execute(f"PRAGMA index_list('{table}')")),
        }
        for table in tables
    }


def _index(conn: sqlite3.Connection, row: tuple) -> tuple:
    _, name, unique, _, partial = tuple(row)
    keys = tuple(tuple(key)[2:5] for key in conn.execute(f"PRAGMA index_xinfo('{name}')") if key[5])
    where = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    condition = where[0].split(" WHERE ", 1)[1] if partial and where and where[0] else ""
    return unique, keys, condition
