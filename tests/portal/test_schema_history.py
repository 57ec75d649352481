"""A reference portal database of schema version 1 (the demo keeps its database across runs) is
brought to what a new one is by the sqlite-utils steps in portal/server/storage.py, its data kept."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from portal.server import storage
from portal.server.storage import Storage
from portal.sqlite import utc_text
from tests.cache.schema_history import describe
from tests.portal.schema_history import build_version_1


def test_a_version_1_database_is_brought_up_to_date_with_its_tickets(tmp_path):
    old = build_version_1(tmp_path / "old.db")
    old.execute("INSERT INTO companies (id, name, psa_prefix) VALUES (1, 'Acme', 'ACM')")
    old.execute(
        "INSERT INTO users (id, company_id, email, name, access_level, password_hash) "
        "VALUES (1, 1, 'ann@acme.test', 'Ann', 'own', 'x')"
    )
    now = utc_text(datetime.now(UTC))
    old.execute(
        "INSERT INTO tickets (id, company_id, submitted_by, subject, category, priority, description, status, "
        "created_at, updated_at, client_ref) VALUES (5, 1, 1, 'Printer', 'hardware', 'low', 'd', 'open', ?, ?, 'r1')",
        (now, now),
    )
    old.close()

    upgraded = Storage(tmp_path / "old.db")
    fresh = Storage(tmp_path / "fresh.db")
    try:
        db = upgraded.connection()
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(storage.MIGRATIONS)
        assert describe(db) == describe(fresh.connection())
        assert storage.portal_id(db)  # made by the step that gives the portal its identity
        assert storage.ticket_with_client_ref(db, 1, "r1")
        with pytest.raises(sqlite3.IntegrityError):  # a client's reference still names one ticket
            with upgraded.write() as writing:
                writing.execute(
                    "INSERT INTO tickets (company_id, submitted_by, subject, category, priority, description, "
                    "status, created_at, updated_at, client_ref) VALUES (1, 1, 's', 'c', 'p', 'd', 'open', ?, ?, 'r1')",
                    (now, now),
                )
        with pytest.raises(sqlite3.IntegrityError):  # an email is one account, in any case
            with upgraded.write() as writing:
                writing.execute(
                    "INSERT INTO users (company_id, email, name, access_level, password_hash) "
                    "VALUES (1, 'ANN@acme.test', 'Ann 2', 'own', 'x')"
                )
    finally:
        upgraded.close()
        fresh.close()


def test_a_database_of_a_newer_portal_is_refused_untouched(tmp_path):
    path = tmp_path / "newer.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(storage.MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer than this program"):
        Storage(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    conn.close()
