"""The portal's database: one SQLite file (WAL), its schema, and all of its SQL.

Every write runs in `BEGIN IMMEDIATE`, so writers from several threads and several processes
are serialised by SQLite itself; the change feed's `seq` is an AUTOINCREMENT key, so its order
is the database's commit order, whichever process wrote.
Rows come back as plain dicts in the wire shape; the rules live in `tickets.py`.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portal.schema import AccessLevel, ChangeKind, Status
from portal.sqlite import (
    LIKE_ESCAPE,
    MigrationStep,
    NewerSchema,
    enter_wal,
    like_containing,
    migrate,
    utc_text,
    write_transaction,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

PORTAL_ID_KEY = "portal_id"

# Step i takes the database from user_version i to i + 1 (portal/sqlite.py `migrate`); a new
# step is one more function at the end of the list. sqlite-utils makes the tables and indexes;
# a column unique without regard to case, and AUTOINCREMENT, are SQL it cannot say.


def _create_portal(db: Database) -> None:
    """1: companies, their users and tokens, tickets and their events, idempotent answers, and
    the change feed."""
    from sqlite_utils.db import DescIndex  # imported with sqlite-utils, only when migrating

    db.execute(
        "CREATE TABLE companies (id INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL UNIQUE COLLATE NOCASE, psa_prefix TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL REFERENCES companies(id), "
        "email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT NOT NULL, access_level TEXT NOT NULL, "
        "password_hash TEXT NOT NULL, access_epoch INTEGER NOT NULL DEFAULT 0)"
    )
    db["tokens"].create(
        {"token_hash": str, "user_id": int, "created_at": float, "expires_at": float, "revoked_at": float},
        pk="token_hash",
        not_null={"user_id", "created_at", "expires_at"},
        foreign_keys=[("user_id", "users", "id")],
    )
    db["tickets"].create(
        {
            "id": int,
            "company_id": int,
            "submitted_by": int,
            "subject": str,
            "category": str,
            "priority": str,
            "description": str,
            "status": str,
            "created_at": str,
            "updated_at": str,
            "assignee": str,
            "psa_ticket_id": str,
            "rating": int,
            "rating_comment": str,
            "client_ref": str,
        },
        pk="id",
        not_null={
            "company_id",
            "submitted_by",
            "subject",
            "category",
            "priority",
            "description",
            "status",
            "created_at",
            "updated_at",
        },
        foreign_keys=[("company_id", "companies", "id"), ("submitted_by", "users", "id")],
    )
    tickets = db["tickets"]
    # A client's reference names one ticket of its company: a retried creation finds it.
    tickets.create_index(["company_id", "client_ref"], "tickets_by_client_ref", unique=True)
    tickets.create_index(["company_id", DescIndex("created_at"), DescIndex("id")], "tickets_company_newest")
    tickets.create_index(["submitted_by", DescIndex("created_at"), DescIndex("id")], "tickets_submitter_newest")
    tickets.create_index(["status"], "tickets_status")
    db["events"].create(
        {
            "id": int,
            "ticket_id": int,
            "company_id": int,
            "kind": str,
            "author_role": str,
            "author_name": str,
            "body": str,
            "from_status": str,
            "to_status": str,
            "assignee": str,
            "score": int,
            "created_at": str,
            "client_ref": str,
        },
        pk="id",
        not_null={"ticket_id", "company_id", "kind", "author_role", "author_name", "created_at"},
        foreign_keys=[("ticket_id", "tickets", "id")],
    )
    db["events"].create_index(["company_id", "client_ref"], "events_by_client_ref", unique=True)
    db["events"].create_index(["ticket_id", "created_at", "id"], "events_ticket")
    db["idempotency"].create(
        {"user_id": int, "key": str, "fingerprint": str, "status_code": int, "body": str, "created_at": float},
        pk=("user_id", "key"),
        not_null={"user_id", "key", "fingerprint", "status_code", "body", "created_at"},
    )
    # AUTOINCREMENT: a seq is never reused, so the feed's order is the order of the commits.
    db.execute(
        "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, "
        "ticket_id INTEGER NOT NULL, event_id INTEGER, user_id INTEGER)"
    )
    db["changes"].create_index(["ticket_id", "kind"], "changes_ticket")
    db["state"].create({"key": str, "value": str}, pk="key", not_null={"value"})


def _identify_portal(db: Database) -> None:
    """2: the portal's identity, made once with its database: every change-feed cursor carries
    it, so a cursor from another portal is told apart from one of ours. Each serving run of the
    portal, and the last seq when it started: a cursor names its run, so one from a run this
    database never saw (a restored backup's lost future) is told from ours even after the feed
    has passed its seq again. Failed sign-ins are throttled in memory now (auth.py), no longer
    counted here."""
    db["state"].insert({"key": PORTAL_ID_KEY, "value": secrets.token_hex(16)}, ignore=True)
    db["runs"].create({"id": int, "mark": str, "started_seq": int}, pk="id", not_null={"mark", "started_seq"})
    db["runs"].create_index(["mark"], "runs_by_mark", unique=True)
    db["login_failures"].drop(ignore=True)


def _add_event_authors(db: Database) -> None:
    """3: who wrote a client's event, by user id (names are not unique: a client asks "was it
    me?" of the id). An event written before is given its author where the company has exactly
    one user of that name; where two share it, it stays unknown (null) rather than guessed."""
    # SQL, not add_column(fk=…): sqlite-utils would rebuild the whole events table for the reference.
    db.execute("ALTER TABLE events ADD COLUMN author_id INTEGER REFERENCES users(id)")
    db.execute(
        "UPDATE events SET author_id = (SELECT CASE count(*) WHEN 1 THEN min(u.id) END FROM users u "
        "WHERE u.company_id = events.company_id AND u.name = events.author_name) WHERE author_role = 'client'"
    )


MIGRATIONS: list[MigrationStep] = [_create_portal, _identify_portal, _add_event_authors]


def iso_from_epoch(seconds: float) -> str:
    return utc_text(datetime.fromtimestamp(seconds, UTC))


@dataclass(frozen=True)
class User:
    id: int
    company_id: int
    company_name: str
    email: str
    name: str
    access_level: AccessLevel
    access_epoch: int

    @property
    def sees_only_own(self) -> bool:
        return self.access_level is AccessLevel.OWN


@dataclass(frozen=True)
class Credentials:
    user: User
    password_hash: str


@dataclass(frozen=True)
class TicketFilter:
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    text: str | None = None


BUSY_TIMEOUT_MS = 10_000


class Storage:
    """Connections (one per thread) and transactions over one database file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            migrate(self.connection(), MIGRATIONS)
        except NewerSchema as newer:
            raise RuntimeError(
                f"The portal database {self.path} (schema {newer.version}) is newer than this "
                f"program (schema {len(MIGRATIONS)}); use a newer msp-portal."
            ) from None

    def connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            enter_wal(db, BUSY_TIMEOUT_MS)
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    def write(self) -> AbstractContextManager[sqlite3.Connection]:
        return write_transaction(self.connection())

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One consistent snapshot for several queries."""
        db = self.connection()
        db.execute("BEGIN")
        try:
            yield db
        finally:
            db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()


# --- state ------------------------------------------------------------------------------------


def get_state(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
    return None if row is None else row[0]


def portal_id(db: sqlite3.Connection) -> str:
    """The identity this database was given when it was made."""
    return get_state(db, PORTAL_ID_KEY) or ""


def start_run(db: sqlite3.Connection) -> str:
    """Record a new serving run; its mark goes into every cursor it issues."""
    mark = secrets.token_hex(8)
    db.execute("INSERT INTO runs(mark, started_seq) VALUES (?, ?)", (mark, last_seq(db)))
    return mark


def last_seq_of_run(db: sqlite3.Connection, mark: str) -> int | None:
    """The highest seq the run with this mark can have issued (where the next run started, or
    the last seq if none has), or None when this database has no such run."""
    row = db.execute("SELECT id FROM runs WHERE mark = ?", (mark,)).fetchone()
    if row is None:
        return None
    later = db.execute("SELECT started_seq FROM runs WHERE id > ? ORDER BY id LIMIT 1", (row[0],)).fetchone()
    return last_seq(db) if later is None else later[0]


def set_state(db: sqlite3.Connection, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


# --- companies and users -------------------------------------------------------------------


def add_company(db: sqlite3.Connection, name: str, psa_prefix: str) -> int:
    return db.execute("INSERT INTO companies(name, psa_prefix) VALUES (?, ?)", (name, psa_prefix)).lastrowid


def company_id_by_name(db: sqlite3.Connection, name: str) -> int | None:
    row = db.execute("SELECT id FROM companies WHERE name = ?", (name,)).fetchone()
    return None if row is None else row[0]


def add_user(
    db: sqlite3.Connection,
    *,
    company_id: int,
    email: str,
    name: str,
    access_level: AccessLevel,
    password_hash: str,
) -> int:
    return db.execute(
        "INSERT INTO users(company_id, email, name, access_level, password_hash) VALUES (?, ?, ?, ?, ?)",
        (company_id, email, name, access_level.value, password_hash),
    ).lastrowid


def add_users(db: sqlite3.Connection, rows: Iterable[tuple[int, str, str, str, str]]) -> None:
    """(company_id, email, name, access_level, password_hash) each."""
    db.executemany(
        "INSERT INTO users(company_id, email, name, access_level, password_hash) VALUES (?, ?, ?, ?, ?)",
        rows,
    )


_USER_COLUMNS = (
    "u.id, u.company_id, c.name AS company_name, u.email, u.name, u.access_level, u.access_epoch, u.password_hash"
)


def _user(row: sqlite3.Row) -> User:
    return User(
        id=row["id"],
        company_id=row["company_id"],
        company_name=row["company_name"],
        email=row["email"],
        name=row["name"],
        access_level=AccessLevel(row["access_level"]),
        access_epoch=row["access_epoch"],
    )


def credentials_by_email(db: sqlite3.Connection, email: str) -> Credentials | None:
    row = db.execute(
        f"SELECT {_USER_COLUMNS} FROM users u JOIN companies c ON c.id = u.company_id WHERE u.email = ?",
        (email,),
    ).fetchone()
    if row is None:
        return None
    return Credentials(_user(row), row["password_hash"])


def user_by_email(db: sqlite3.Connection, email: str) -> User | None:
    found = credentials_by_email(db, email)
    return None if found is None else found.user


def set_access_level(db: sqlite3.Connection, user: User, level: AccessLevel) -> list[int]:
    """Change a user's access; every ticket they could see and no longer can gets a `removed`
    change for them. The epoch moves on any change, so older sync cursors expire. Returns the
    ids of the removed tickets."""
    before = set(visible_ticket_ids(db, user))
    db.execute(
        "UPDATE users SET access_level = ?, access_epoch = access_epoch + 1 WHERE id = ?",
        (level.value, user.id),
    )
    after_user = User(**{**user.__dict__, "access_level": level})
    lost = sorted(before - set(visible_ticket_ids(db, after_user)))
    # Removals written under an older access level must not hide a ticket visible again now.
    db.execute("DELETE FROM changes WHERE kind = 'removed' AND user_id = ?", (user.id,))
    db.executemany(
        "INSERT INTO changes(kind, ticket_id, user_id) VALUES ('removed', ?, ?)",
        [(ticket_id, user.id) for ticket_id in lost],
    )
    return lost


# --- tokens --------------------------------------------------------------------------------


def store_token(db: sqlite3.Connection, token_hash: str, user_id: int, now: float, expires_at: float) -> None:
    db.execute(
        "INSERT INTO tokens(token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        (token_hash, user_id, now, expires_at),
    )


def user_by_token(db: sqlite3.Connection, token_hash: str, now: float) -> User | None:
    row = db.execute(
        f"SELECT {_USER_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id "
        "JOIN companies c ON c.id = u.company_id "
        "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?",
        (token_hash, now),
    ).fetchone()
    return None if row is None else _user(row)


def revoke_token(db: sqlite3.Connection, token_hash: str, now: float) -> None:
    db.execute(
        "UPDATE tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
        (now, token_hash),
    )


# --- tickets -------------------------------------------------------------------------------

_TICKET_SELECT = "SELECT t.*, u.name AS submitter_name FROM tickets t JOIN users u ON u.id = t.submitted_by"


def _visible(user: User) -> tuple[str, list[Any]]:
    if user.sees_only_own:
        return "t.company_id = ? AND t.submitted_by = ?", [user.company_id, user.id]
    return "t.company_id = ?", [user.company_id]


def ticket_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "subject": row["subject"],
        "category": row["category"],
        "priority": row["priority"],
        "description": row["description"],
        "status": row["status"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "submitted_by": {"id": row["submitted_by"], "name": row["submitter_name"]},
        "company_id": row["company_id"],
        "assignee": row["assignee"],
        "psa_ticket_id": row["psa_ticket_id"],
        "rating": row["rating"],
        "rating_comment": row["rating_comment"],
        "client_ref": row["client_ref"],
    }


def event_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        key: row[key]
        for key in (
            "id",
            "ticket_id",
            "kind",
            "author_role",
            "author_name",
            "author_id",
            "body",
            "from_status",
            "to_status",
            "assignee",
            "score",
            "created_at",
        )
    }


def list_tickets(
    db: sqlite3.Connection,
    user: User,
    where: TicketFilter,
    after: tuple[str, int] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Newest first by (created_at, id); `after` is the last (created_at, id) already seen."""
    visible, params = _visible(user)
    clauses = [visible]
    for column in ("status", "priority", "category"):
        value = getattr(where, column)
        if value is not None:
            clauses.append(f"t.{column} = ?")
            params.append(value)
    if where.text:
        pattern = like_containing(where.text)
        clauses.append(
            f"(t.subject LIKE ? {LIKE_ESCAPE} OR t.description LIKE ? {LIKE_ESCAPE} OR EXISTS "
            "(SELECT 1 FROM events e WHERE e.ticket_id = t.id AND e.kind = 'comment' "
            f"AND e.body LIKE ? {LIKE_ESCAPE}))"
        )
        params += [pattern, pattern, pattern]
    if after is not None:
        clauses.append("(t.created_at < ? OR (t.created_at = ? AND t.id < ?))")
        params += [after[0], after[0], after[1]]
    rows = db.execute(
        f"{_TICKET_SELECT} WHERE {' AND '.join(clauses)} ORDER BY t.created_at DESC, t.id DESC LIMIT ?",
        [*params, limit],
    ).fetchall()
    return [ticket_dict(row) for row in rows]


def visible_ticket(db: sqlite3.Connection, user: User, ticket_id: int) -> dict[str, Any] | None:
    visible, params = _visible(user)
    row = db.execute(f"{_TICKET_SELECT} WHERE t.id = ? AND {visible}", [ticket_id, *params]).fetchone()
    return None if row is None else ticket_dict(row)


def visible_ticket_ids(db: sqlite3.Connection, user: User) -> list[int]:
    visible, params = _visible(user)
    return [row[0] for row in db.execute(f"SELECT t.id FROM tickets t WHERE {visible}", params)]


def tickets_by_id(db: sqlite3.Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db.execute(f"{_TICKET_SELECT} WHERE t.id IN ({marks})", list(ids)).fetchall()
    return {row["id"]: ticket_dict(row) for row in rows}


def ticket_by_id(db: sqlite3.Connection, ticket_id: int) -> dict[str, Any] | None:
    return tickets_by_id(db, [ticket_id]).get(ticket_id)


def timeline(db: sqlite3.Connection, ticket_id: int) -> list[dict[str, Any]]:
    rows = db.execute("SELECT * FROM events WHERE ticket_id = ? ORDER BY created_at, id", (ticket_id,)).fetchall()
    return [event_dict(row) for row in rows]


def events_by_id(db: sqlite3.Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db.execute(f"SELECT * FROM events WHERE id IN ({marks})", list(ids)).fetchall()
    return {row["id"]: event_dict(row) for row in rows}


def ticket_with_client_ref(db: sqlite3.Connection, company_id: int, client_ref: str) -> bool:
    return (
        db.execute("SELECT 1 FROM tickets WHERE company_id = ? AND client_ref = ?", (company_id, client_ref)).fetchone()
        is not None
    )


def event_with_client_ref(db: sqlite3.Connection, company_id: int, client_ref: str) -> bool:
    return (
        db.execute("SELECT 1 FROM events WHERE company_id = ? AND client_ref = ?", (company_id, client_ref)).fetchone()
        is not None
    )


def _record_ticket_change(db: sqlite3.Connection, ticket_id: int) -> None:
    # The feed keeps each ticket's latest state once, at its latest seq.
    db.execute("DELETE FROM changes WHERE ticket_id = ? AND kind = 'ticket'", (ticket_id,))
    db.execute("INSERT INTO changes(kind, ticket_id) VALUES ('ticket', ?)", (ticket_id,))


def insert_ticket(
    db: sqlite3.Connection,
    user: User,
    *,
    subject: str,
    category: str,
    priority: str,
    description: str,
    client_ref: str | None,
    now: str,
) -> int:
    ticket_id = db.execute(
        "INSERT INTO tickets(company_id, submitted_by, subject, category, priority, description, "
        "status, created_at, updated_at, client_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            user.company_id,
            user.id,
            subject,
            category,
            priority,
            description,
            Status.OPEN.value,
            now,
            now,
            client_ref,
        ),
    ).lastrowid
    _record_ticket_change(db, ticket_id)
    return ticket_id


_TICKET_FIELDS = frozenset({"status", "assignee", "psa_ticket_id", "rating", "rating_comment"})


def update_ticket(db: sqlite3.Connection, ticket_id: int, now: str, **fields: Any) -> None:
    unknown = set(fields) - _TICKET_FIELDS
    if unknown:
        raise ValueError(f"not ticket fields: {sorted(unknown)}")
    assignments = "".join(f"{name} = ?, " for name in fields)
    db.execute(
        f"UPDATE tickets SET {assignments}updated_at = ? WHERE id = ?",
        [*fields.values(), now, ticket_id],
    )
    _record_ticket_change(db, ticket_id)


def insert_event(
    db: sqlite3.Connection,
    ticket_id: int,
    *,
    kind: str,
    author_role: str,
    author_name: str,
    now: str,
    author_id: int | None = None,
    body: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    assignee: str | None = None,
    score: int | None = None,
    client_ref: str | None = None,
) -> int:
    """A timeline event; it bumps the ticket's updated_at (a ticket change) too."""
    event_id = db.execute(
        "INSERT INTO events(ticket_id, company_id, kind, author_role, author_name, author_id, body, "
        "from_status, to_status, assignee, score, created_at, client_ref) "
        "SELECT id, company_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM tickets WHERE id = ?",
        (
            kind,
            author_role,
            author_name,
            author_id,
            body,
            from_status,
            to_status,
            assignee,
            score,
            now,
            client_ref,
            ticket_id,
        ),
    ).lastrowid
    db.execute(
        "INSERT INTO changes(kind, ticket_id, event_id) VALUES ('event', ?, ?)",
        (ticket_id, event_id),
    )
    db.execute("UPDATE tickets SET updated_at = ? WHERE id = ?", (now, ticket_id))
    _record_ticket_change(db, ticket_id)
    return event_id


# --- idempotency ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredResponse:
    fingerprint: str
    status_code: int
    body: str


def stored_response(db: sqlite3.Connection, user_id: int, key: str) -> StoredResponse | None:
    row = db.execute(
        "SELECT fingerprint, status_code, body FROM idempotency WHERE user_id = ? AND key = ?",
        (user_id, key),
    ).fetchone()
    return None if row is None else StoredResponse(*row)


def store_response(db: sqlite3.Connection, user_id: int, key: str, response: StoredResponse, now: float) -> None:
    db.execute(
        "INSERT INTO idempotency(user_id, key, fingerprint, status_code, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (user_id, key, response.fingerprint, response.status_code, response.body, now),
    )


# --- the change feed -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    seq: int
    kind: ChangeKind
    ticket_id: int
    event_id: int | None


def changes_for(db: sqlite3.Connection, user: User, after_seq: int, limit: int) -> list[ChangeRow]:
    """The feed rows after `after_seq` that this user may see now, in seq order."""
    visible, params = _visible(user)
    rows = db.execute(
        "SELECT c.seq, c.kind, c.ticket_id, c.event_id FROM changes c "
        "JOIN tickets t ON t.id = c.ticket_id "
        f"WHERE c.seq > ? AND ((c.kind != 'removed' AND {visible}) "
        "OR (c.kind = 'removed' AND c.user_id = ?)) ORDER BY c.seq LIMIT ?",
        [after_seq, *params, user.id, limit],
    ).fetchall()
    return [ChangeRow(row[0], ChangeKind(row[1]), row[2], row[3]) for row in rows]


def last_seq(db: sqlite3.Connection) -> int:
    """The last seq ever given: AUTOINCREMENT's high-water mark, which deleted rows (a ticket's
    older change, an outdated removal) never lower, unlike max(seq)."""
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()
    return 0 if row is None else row[0]


# --- the PSA side --------------------------------------------------------------------------


def tickets_without_psa_id(db: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT t.*, c.psa_prefix FROM tickets t JOIN companies c ON c.id = t.company_id "
        "WHERE t.psa_ticket_id IS NULL AND t.status != 'closed' ORDER BY t.created_at, t.id"
    ).fetchall()
    return [dict(row) for row in rows]


def tickets_in_psa(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Tickets the PSA works on: synced and not closed."""
    rows = db.execute(
        "SELECT t.*, c.psa_prefix FROM tickets t JOIN companies c ON c.id = t.company_id "
        "WHERE t.psa_ticket_id IS NOT NULL AND t.status != 'closed' ORDER BY t.created_at, t.id"
    ).fetchall()
    return [dict(row) for row in rows]


# --- the demo's client offices -------------------------------------------------------------


def colleagues(db: sqlite3.Connection) -> list[User]:
    """The users the demo's offices act for: everyone but the company admins, who in the demo
    are the person at the keyboard."""
    rows = db.execute(
        f"SELECT {_USER_COLUMNS} FROM users u JOIN companies c ON c.id = u.company_id "
        "WHERE u.access_level != ? ORDER BY u.id",
        (AccessLevel.COMPANY_ADMIN.value,),
    ).fetchall()
    return [_user(row) for row in rows]


def status_counts(db: sqlite3.Connection) -> dict[tuple[int, str], int]:
    """(company id, status) → how many tickets."""
    rows = db.execute("SELECT company_id, status, count(*) FROM tickets GROUP BY company_id, status")
    return {(company_id, status): count for company_id, status, count in rows}


def tickets_of_users(db: sqlite3.Connection, user_ids: Sequence[int], statuses: Sequence[str]) -> list[dict[str, Any]]:
    rows = db.execute(
        f"SELECT * FROM tickets WHERE submitted_by IN ({','.join('?' * len(user_ids))}) "
        f"AND status IN ({','.join('?' * len(statuses))}) ORDER BY id",
        [*user_ids, *statuses],
    ).fetchall()
    return [dict(row) for row in rows]
