"""The mirror's two SQLite files: connections, pragmas, migrations and recovery (design §5).

The cache is disposable: one that is corrupt, read-only or written by a newer version is moved
aside as `<name>.corrupt-<timestamp>` (with its -wal/-shm) and rebuilt empty, so the next sync is
a full one; moved-aside files older than a week are removed at the next open. The outbox holds
what the user wrote: it is never moved or deleted here; if it cannot be used, opening fails with
a sentence that says where it is and what to do. Every file is private (cache/private_files.py).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cache.private_files import SQLITE_COMPANIONS, private_database, private_folder

CACHE_SCHEMA_VERSION = 5
OUTBOX_SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 5000
MOVED_ASIDE_KEPT_FOR = timedelta(days=7)
MOVED_ASIDE_MARK = ".corrupt-"
MOVED_ASIDE_STAMP = "%Y%m%dT%H%M%S"
# A mirror of 100,000 tickets has ~300 MB; the default 2 MB page cache makes every write that
# touches several indexes miss it. No memory-mapped I/O: a mirror truncated under a running
# board would then kill the process with SIGBUS instead of raising an error it can recover from.
CACHE_SIZE_KIB = 64 * 1024
SQLITE_HEADER = b"SQLite format 3\x00"

PRIORITY_RANK_SQL = "CASE priority WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 WHEN 'critical' THEN 4 END"
STATUS_RANK_SQL = (
    "CASE status WHEN 'open' THEN 1 WHEN 'in_progress' THEN 2 WHEN 'waiting_on_client' THEN 3 "
    "WHEN 'waiting_on_vendor' THEN 4 WHEN 'resolved' THEN 5 WHEN 'closed' THEN 6 END"
)

# Index i migrates from user_version i to i + 1.
CACHE_MIGRATIONS = [
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
]

OUTBOX_MIGRATIONS = [
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
]


def _pragma_waiting(conn: sqlite3.Connection, pragma: str) -> None:
    """Run a journal-mode pragma, waiting as busy_timeout would: on a new file that another
    process is writing, SQLite says "database is locked" at once instead of waiting."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute(pragma)
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class OutboxUnusable(RuntimeError):
    """The outbox file cannot be used; it is left exactly where it is."""


def connect(cache_db: Path, outbox_db: Path) -> sqlite3.Connection:
    """A connection to the cache with the outbox attached as schema `outbox`."""
    # Used by one thread only, but closed by whichever thread closes the mirror.
    conn = sqlite3.connect(cache_db, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    _pragma_waiting(conn, "PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA cache_size = -{CACHE_SIZE_KIB}")
    conn.execute("ATTACH DATABASE ? AS outbox", (str(outbox_db),))
    _pragma_waiting(conn, "PRAGMA outbox.journal_mode = WAL")
    conn.execute("PRAGMA outbox.synchronous = FULL")
    return conn


def is_busy(error: BaseException) -> bool:
    """Another connection holds the lock this statement needs: worth trying again."""
    return isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error))


@contextmanager
def busy_timeout(conn: sqlite3.Connection, milliseconds: int) -> Iterator[None]:
    """Wait at most `milliseconds` for a lock in this block, then the usual time again."""
    conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def prepare_files(cache_db: Path, outbox_db: Path, *, quick_check: bool = True) -> Path | None:
    """Create or migrate both files, private. Returns where a bad cache was moved, if one was.
    Without `quick_check` the cache's pages are not read through (a third of a second at
    100,000 tickets): the board checks them after its first paint (`quick_check_passes`)."""
    private_folder(cache_db.parent)
    private_folder(outbox_db.parent)
    remove_old_moved_aside(cache_db)
    _check_writable_outbox(private_database(outbox_db))
    prepare_outbox(outbox_db)
    moved = None
    try:
        if _read_only(private_database(cache_db)):
            raise sqlite3.DatabaseError("the cache is read-only")
        _prepare_cache(cache_db, quick_check)
    except sqlite3.OperationalError:
        raise  # busy, locked, out of disk: trouble, but not a bad cache file
    except (sqlite3.DatabaseError, _NewerSchema):
        moved = move_aside(cache_db)
        _prepare_cache(private_database(cache_db), quick_check=False)  # new and empty
    return moved


def _read_only(path: Path) -> bool:
    # The owner's write bit, not os.access: a file its owner made read-only is read-only for
    # this app even when it runs as root, which access() would let through.
    return not path.stat().st_mode & stat.S_IWUSR or not os.access(path, os.W_OK)


def _check_writable_outbox(path: Path) -> None:
    if not _read_only(path):
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    raise OutboxUnusable(
        f"The outbox {path} is read-only (mode {mode:o}), so nothing can be queued or marked "
        f"sent; it has not been changed. Run `chmod 600 '{path}'` to use it again."
    )


class _NewerSchema(Exception):
    pass


def prepare_outbox(path: Path) -> None:
    """Create or migrate the outbox; OutboxUnusable (it left as it is) if it cannot be used."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            _pragma_waiting(conn, "PRAGMA journal_mode = WAL")
            _migrate(conn, OUTBOX_MIGRATIONS, OUTBOX_SCHEMA_VERSION)
        finally:
            conn.close()
    except _NewerSchema:
        raise OutboxUnusable(
            f"The outbox {path} was written by a newer version of msp-tickets; "
            "upgrade msp-tickets to send what it holds (it has not been changed)."
        ) from None
    except sqlite3.DatabaseError as error:
        raise OutboxUnusable(
            f"The outbox {path} cannot be read ({error}); it has not been changed — "
            "copy it somewhere safe before doing anything else with it."
        ) from None


def _prepare_cache(path: Path, quick_check: bool) -> None:
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if quick_check and not quick_check_passes(conn):
            raise sqlite3.DatabaseError("quick_check failed")
        _pragma_waiting(conn, "PRAGMA journal_mode = WAL")
        _migrate(conn, CACHE_MIGRATIONS, CACHE_SCHEMA_VERSION)
    finally:
        conn.close()


def quick_check_passes(conn: sqlite3.Connection) -> bool:
    """SQLite's `quick_check`: every page of the file readable and well formed (indexes not
    compared with their tables)."""
    return conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def _migrate(conn: sqlite3.Connection, migrations: list[str], target: int) -> None:
    if conn.execute("PRAGMA user_version").fetchone()[0] == target:
        return
    with write_transaction(conn):
        # Read again inside the lock: another process may have just migrated.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > target:
            raise _NewerSchema(version)
        for step in migrations[version:target]:
            for statement in _statements(step):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {target}")


def _statements(script: str) -> list[str]:
    # executescript would COMMIT our transaction; split on complete statements instead.
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    return [s for s in statements if s]


def move_aside(path: Path) -> Path:
    stamp = time.strftime(MOVED_ASIDE_STAMP, time.gmtime())
    target = path.with_name(f"{path.name}{MOVED_ASIDE_MARK}{stamp}")
    for suffix in ("", *SQLITE_COMPANIONS):
        source = Path(str(path) + suffix)
        if source.exists():
            source.rename(Path(str(target) + suffix))
    return target


def moved_aside_files(path: Path) -> list[Path]:
    """The files `move_aside` made of `path` (with their -wal/-shm), oldest first."""
    return sorted(path.parent.glob(f"{path.name}{MOVED_ASIDE_MARK}*"))


def remove_old_moved_aside(path: Path, now: datetime | None = None) -> list[Path]:
    """Remove what was moved aside from `path` more than a week ago (by the stamp in its
    name: a rename keeps the file's old modification time). Returns what was removed."""
    cutoff = (now or datetime.now(UTC)) - MOVED_ASIDE_KEPT_FOR
    removed = []
    for candidate in moved_aside_files(path):
        stamp = candidate.name.split(MOVED_ASIDE_MARK, 1)[1][: len("20260101T000000")]
        try:
            moved_at = datetime.strptime(stamp, MOVED_ASIDE_STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue  # not a name this app made: not this app's to delete
        if moved_at < cutoff:
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
    return removed
