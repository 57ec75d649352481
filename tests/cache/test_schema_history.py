"""A mirror or an outbox of every older version is brought to what a new file is: the steps of
cache/schema.py (sqlite-utils) applied to files made by the SQL those versions ran."""

from __future__ import annotations

import re
import sqlite3

import pytest

from cache.mirror import Mirror
from cache.model import TicketQuery
from cache.schema import CACHE_MIGRATIONS, OUTBOX_MIGRATIONS
from portal.sqlite import migrate
from tests.cache import schema_history
from tests.cache.schema_history import describe
from tui.paths import profile_paths

PLOTTER = (
    "INSERT INTO tickets (id, subject, category, priority, description, status, created_at, updated_at, "
    "submitted_by_id, submitted_by_name, company_id) VALUES (7, 'Plotter offline', 'hardware', 'high', "
    "'It blinks', 'waiting_on_client', '2026-01-01T00:00:00.000000+00:00', '2026-01-01T00:00:00.000000+00:00', 1, "
    "'User 1', 1)"
)
COMMENT = (
    "INSERT INTO events (id, ticket_id, kind, author_role, author_name, body, created_at) VALUES "
    "(70, 7, 'comment', 'msp', 'Ana', 'Replaced the toner', '2026-01-01T01:00:00.000000+00:00')"
)


def _fresh(tmp_path, migrations) -> sqlite3.Connection:
    conn = sqlite3.connect(tmp_path / "fresh.db", isolation_level=None)
    migrate(conn, migrations)
    return conn


def _fts_sql(conn: sqlite3.Connection) -> str:
    return re.sub(r"\s+", "", conn.execute("SELECT sql FROM sqlite_master WHERE name = 'fts'").fetchone()[0])


def test_a_new_mirror_is_what_the_last_version_made(tmp_path):
    """sqlite-utils writes its own CREATE statements; what they make is the same schema."""
    old = schema_history.build(tmp_path / "old.db", schema_history.CACHE_STEPS, len(schema_history.CACHE_STEPS))
    new = _fresh(tmp_path, CACHE_MIGRATIONS)
    assert len(CACHE_MIGRATIONS) == len(schema_history.CACHE_STEPS)
    assert describe(new) == describe(old)
    assert _fts_sql(new) == _fts_sql(old)


@pytest.mark.parametrize("version", range(1, len(schema_history.CACHE_STEPS)))
def test_a_mirror_of_each_older_version_is_brought_up_to_date_with_its_tickets(tmp_path, version):
    paths = profile_paths("old", "http://127.0.0.1:1", 1, {"HOME": str(tmp_path)})
    paths.cache_db.parent.mkdir(parents=True)
    old = schema_history.build(paths.cache_db, schema_history.CACHE_STEPS, version)
    old.execute(PLOTTER)
    old.execute(COMMENT)
    old.execute(
        "INSERT INTO fts (rowid, subject, description, comments) VALUES (7, 'Plotter offline', 'It blinks', 'Replaced the toner')"
    )
    old.close()

    mirror = Mirror.open(paths)
    try:
        assert mirror.moved_aside is None  # upgraded, not thrown away
        conn = mirror._conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(CACHE_MIGRATIONS)
        assert describe(conn) == describe(_fresh(tmp_path, CACHE_MIGRATIONS))
        assert _fts_sql(conn) == _fts_sql(_fresh(tmp_path, CACHE_MIGRATIONS))
        # Found by the first letter of a word in its comment (the prefix index), its rank computed.
        [row] = mirror.page(TicketQuery(search="t"), 0, 10)
        assert (row.id, row.subject) == (7, "Plotter offline")
        assert tuple(conn.execute("SELECT priority_rank, status_rank FROM tickets").fetchone()) == (3, 3)
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO sync_state (id) VALUES (2)")  # still one row, always
    finally:
        mirror.close()


def test_a_new_outbox_is_what_the_last_version_made(tmp_path):
    old = schema_history.build(tmp_path / "old.db", schema_history.OUTBOX_STEPS, len(schema_history.OUTBOX_STEPS))
    assert describe(_fresh(tmp_path, OUTBOX_MIGRATIONS)) == describe(old)


def test_a_version_1_outbox_keeps_what_waits_in_it(tmp_path):
    conn = schema_history.build(tmp_path / "outbox.db", schema_history.OUTBOX_STEPS, 1)
    conn.execute(
        "INSERT INTO outbox (kind, ticket_ref, payload, idempotency_key, author_name, created_at) "
        "VALUES ('comment', 7, '{}', 'k1', 'Ann', '2026-01-01T00:00:00+00:00')"
    )
    migrate(conn, OUTBOX_MIGRATIONS)
    assert describe(conn) == describe(_fresh(tmp_path, OUTBOX_MIGRATIONS))
    assert conn.execute("SELECT kind, idempotency_key, portal_id FROM outbox").fetchall() == [("comment", "k1", None)]
    conn.execute("DELETE FROM outbox")
    new_id = conn.execute(
        "INSERT INTO outbox (kind, payload, idempotency_key, author_name, created_at) "
        "VALUES ('ticket', '{}', 'k2', 'Ann', 'now') RETURNING id"
    ).fetchone()[0]
    assert new_id == 2  # AUTOINCREMENT kept: -1 stays the name of the first pending ticket


def test_a_file_at_the_current_version_is_not_touched(tmp_path):
    conn = _fresh(tmp_path, CACHE_MIGRATIONS)
    before = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0], conn.total_changes
    migrate(conn, CACHE_MIGRATIONS)
    assert (conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0], conn.total_changes) == before
