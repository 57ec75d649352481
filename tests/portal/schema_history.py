"""The SQL the reference portal ran to make its database at schema version 1, frozen as it was
(the demo keeps its portal database across runs, so such files exist)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_V1 = """
CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    psa_prefix TEXT NOT NULL
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    access_level TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    access_epoch INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    revoked_at REAL
);
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    submitted_by INTEGER NOT NULL REFERENCES users(id),
    subject TEXT NOT NULL,
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    assignee TEXT,
    psa_ticket_id TEXT,
    rating INTEGER,
    rating_comment TEXT,
    client_ref TEXT,
    UNIQUE (company_id, client_ref)
);
CREATE INDEX tickets_company_newest ON tickets(company_id, created_at DESC, id DESC);
CREATE INDEX tickets_submitter_newest ON tickets(submitted_by, created_at DESC, id DESC);
CREATE INDEX tickets_status ON tickets(status);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    company_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    author_role TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body TEXT,
    from_status TEXT,
    to_status TEXT,
    assignee TEXT,
    score INTEGER,
    created_at TEXT NOT NULL,
    client_ref TEXT,
    UNIQUE (company_id, client_ref)
);
CREATE INDEX events_ticket ON events(ticket_id, created_at, id);
CREATE TABLE idempotency (
    user_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    ticket_id INTEGER NOT NULL,
    event_id INTEGER,
    user_id INTEGER
);
CREATE INDEX changes_ticket ON changes(ticket_id, kind);
CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def build_version_1(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(SCHEMA_V1)
    conn.execute("PRAGMA user_version = 1")
    return conn
