"""SQLite as both sides keep it — the reference portal's database and the client's mirror.

Times are stored as fixed-width UTC text, so they compare and sort as text; a search's LIKE
pattern takes the user's `%` and `_` literally; a journal mode is set even while another process
holds a new file; writes run in `BEGIN IMMEDIATE`; and schemas are versioned by
`PRAGMA user_version`, each step a function of a `sqlite_utils.Database` over the caller's own
connection (so the caller's pragmas and private file modes stay as they are).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

# --- times ----------------------------------------------------------------------------------------


def utc_text(moment: datetime) -> str:
    """Fixed-width UTC ISO 8601 (microseconds): compares and sorts correctly as text. A naive
    time is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_utc_text(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- searching ------------------------------------------------------------------------------------

LIKE_ESCAPE = "ESCAPE '\\'"


def like_containing(text: str) -> str:
    """A LIKE pattern (with `LIKE_ESCAPE`) matching values that contain `text` as typed."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- locks and transactions -----------------------------------------------------------------------


def is_busy(error: BaseException) -> bool:
    """Another connection holds the lock this statement needs: worth trying again."""
    return isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error))


def enter_wal(conn: sqlite3.Connection, wait_ms: int, schema: str = "main") -> None:
    """Switch `schema` to WAL, waiting as busy_timeout would: on a new file that another process
    is writing, SQLite says "database is locked" at once, without calling the busy handler."""
    deadline = time.monotonic() + wait_ms / 1000
    while True:
        try:
            conn.execute(f"PRAGMA {schema}.journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One transaction that holds the write lock from its start (no upgrade that could fail
    half-way), committed at the end of the block and rolled back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# --- schema versions ------------------------------------------------------------------------------

MigrationStep = Callable[["Database"], None]


class NewerSchema(Exception):
    """The file was written by a newer version of this program; it is left as it is."""

    def __init__(self, version: int) -> None:
        super().__init__(f"schema version {version}")
        self.version = version


def migrate(conn: sqlite3.Connection, steps: Sequence[MigrationStep]) -> None:
    """Bring the file to version `len(steps)`: step i takes it from user_version i to i + 1, all
    of the steps still to do in one write transaction. A file at that version costs one pragma
    (sqlite-utils is imported only when there is something to do)."""
    target = len(steps)
    if _version(conn) == target:
        return
    from sqlite_utils import Database

    with write_transaction(conn):
        # Read again inside the lock: another process may have just migrated.
        version = _version(conn)
        if version > target:
            raise NewerSchema(version)
        # No plugins and no pragmas of its own: the connection stays exactly as the caller made it.
        db = Database(conn, recursive_triggers=False, execute_plugins=False)
        for step in steps[version:]:
            step(db)
        conn.execute(f"PRAGMA user_version = {target}")


def _version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]
