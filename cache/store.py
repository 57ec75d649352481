"""The mirror's two SQLite files: connections, pragmas, migrating them (their steps are in
cache/schema.py) and recovery (design §5).

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
from cache.schema import CACHE_MIGRATIONS, OUTBOX_MIGRATIONS
from portal.sqlite import NewerSchema, enter_wal, migrate

BUSY_TIMEOUT_MS = 5000
MOVED_ASIDE_KEPT_FOR = timedelta(days=7)
MOVED_ASIDE_MARK = ".corrupt-"
MOVED_ASIDE_STAMP = "%Y%m%dT%H%M%S"
# A mirror of 100,000 tickets has ~300 MB; the default 2 MB page cache makes every write that
# touches several indexes miss it. No memory-mapped I/O: a mirror truncated under a running
# board would then kill the process with SIGBUS instead of raising an error it can recover from.
CACHE_SIZE_KIB = 64 * 1024
SQLITE_HEADER = b"SQLite format 3\x00"


class OutboxUnusable(RuntimeError):
    """The outbox file cannot be used; it is left exactly where it is."""


def connect(cache_db: Path, outbox_db: Path) -> sqlite3.Connection:
    """A connection to the cache with the outbox attached as schema `outbox`."""
    # Used by one thread only, but closed by whichever thread closes the mirror.
    conn = sqlite3.connect(cache_db, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    enter_wal(conn, BUSY_TIMEOUT_MS)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA cache_size = -{CACHE_SIZE_KIB}")
    conn.execute("ATTACH DATABASE ? AS outbox", (str(outbox_db),))
    enter_wal(conn, BUSY_TIMEOUT_MS, "outbox")
    conn.execute("PRAGMA outbox.synchronous = FULL")
    return conn


@contextmanager
def busy_timeout(conn: sqlite3.Connection, milliseconds: int) -> Iterator[None]:
    """Wait at most `milliseconds` for a lock in this block, then the usual time again."""
    conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


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
    except (sqlite3.DatabaseError, NewerSchema):
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


def prepare_outbox(path: Path) -> None:
    """Create or migrate the outbox; OutboxUnusable (it left as it is) if it cannot be used."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            enter_wal(conn, BUSY_TIMEOUT_MS)
            migrate(conn, OUTBOX_MIGRATIONS)
        finally:
            conn.close()
    except NewerSchema:
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
        enter_wal(conn, BUSY_TIMEOUT_MS)
        migrate(conn, CACHE_MIGRATIONS)
    finally:
        conn.close()


def quick_check_passes(conn: sqlite3.Connection) -> bool:
    """SQLite's `quick_check`: every page of the file readable and well formed (indexes not
    compared with their tables)."""
    return conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"


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
