"""The local mirror of the portal: what the screens read, and the sync engine's bookkeeping.

Synchronous sqlite3, one connection per thread (the cache with the outbox attached). Reads are
one SQL statement each and overlay what waits in the outbox, so a ticket written offline shows
at once, marked pending, and keeps its place when the portal acknowledges it. Writes by the user
go only to the outbox (`mirror.outbox`, cache/outbox.py) and half-written ones to the drafts
(`mirror.drafts`, cache/drafts.py), through the same connections; the sync engine
(cache/sync.py) sends the outbox and applies the change feed here.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from cache import activity, queries
from cache.apply import (
    reindex as reindex_text,
)
from cache.apply import (
    remove_ticket,
    upsert_event,
    upsert_ticket,
)
from cache.drafts import Drafts
from cache.model import (
    ActivityEntry,
    Pill,
    Scope,
    SyncStatus,
    TicketChange,
    TicketQuery,
    TicketRow,
    TicketView,
    TimelineItem,
    Viewer,
)
from cache.outbox import Outbox
from cache.profile import ProfilePaths
from cache.search import fts_query, psa_id, search_words, ticket_number
from cache.store import (
    SQLITE_HEADER,
    busy_timeout,
    connect,
    move_aside,
    prepare_files,
    prepare_outbox,
    quick_check_passes,
)
from portal.sqlite import from_utc_text, write_transaction
from portal.vocabulary import (
    RATEABLE_STATUSES,
    AccessLevel,
    AuthorRole,
    Category,
    ChangeKind,
    EventKind,
    Priority,
    Status,
)

if TYPE_CHECKING:
    # The wire format's models: loaded where they are parsed or built (the sync, a write, who
    # the user is), not to open the mirror and paint the board's first rows.
    from cache.stats import TicketStats
    from portal.schema import Change, Me, Ticket, TimelineEvent


class AppliedPage(NamedTuple):
    """What a page of the change feed did to the mirror, for notifications."""

    new_tickets: tuple[Ticket, ...]
    new_events: tuple[TimelineEvent, ...]
    removed: frozenset[int]


class StalePage(Exception):
    """A page of the change feed asked for with another cursor than the mirror's now (the mirror
    was rebuilt or wiped meanwhile): applying it would skip what lies between."""


ANY_CURSOR = object()  # `apply_changes` without the check: for filling a mirror in tests and benches


class Mirror:
    def __init__(self, paths: ProfilePaths, moved_aside: Path | None = None) -> None:
        self.paths = paths
        self.moved_aside = moved_aside  # where a bad cache went when this mirror opened
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._checking: set[sqlite3.Connection] = set()  # quick checks under way
        self._connections_lock = threading.Lock()
        # Bumped by `rebuild` once the new file is in place: each thread then drops its
        # connection to the old file. The lock keeps a connection from being opened in between
        # (it would be counted new but reach the old file, for good).
        self._generation = 0
        self._files_lock = threading.Lock()
        self._retired: list[int | None] = []
        self._watch_file()
        self.outbox = Outbox(self.connection)
        self.drafts = Drafts(self.connection)

    @classmethod
    def open(cls, paths: ProfilePaths, *, quick_check: bool = True) -> Mirror:
        """The profile's files, made or migrated. A cache SQLite cannot read is moved aside
        and made anew; with `quick_check` false, one whose pages are damaged deep inside is
        found only by `quick_check_passes` (the board runs it after its first paint)."""
        moved = prepare_files(paths.cache_db, paths.outbox_db, quick_check=quick_check)
        mirror = cls(paths, moved)
        mirror.outbox.prune_done()
        return mirror

    def close(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                conn.close()  # each thread's connection: made shareable for exactly this
            self._connections.clear()
        self._local = threading.local()
        self._stop_watching()  # after the connections: closing it drops this process's locks

    def interrupt(self) -> None:
        """End the statement under way on every connection (from any thread; it raises
        OperationalError "interrupted", and a write is rolled back): before closing, so that no
        thread is still inside a connection that closes."""
        with self._connections_lock:
            for conn in [*self._connections, *self._checking]:
                conn.interrupt()

    @property
    def _conn(self) -> sqlite3.Connection:
        return self.connection()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection to the cache with the outbox attached (made on first use,
        and again after a `rebuild`)."""
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == self._generation:
            return held[1]
        if held is not None:
            self._forget(held[1])
        with self._files_lock:
            generation = self._generation
            conn = connect(self.paths.cache_db, self.paths.outbox_db)
        conn.row_factory = sqlite3.Row
        self._local.held = (generation, conn)
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    def _forget(self, conn: sqlite3.Connection) -> None:
        with self._connections_lock:
            if conn in self._connections:
                self._connections.remove(conn)
        conn.close()

    def waiting_at_most(self, milliseconds: int):
        """A block in which this thread waits at most `milliseconds` for another's lock."""
        return busy_timeout(self._conn, milliseconds)

    def quick_check_passes(self) -> bool:
        """SQLite's quick_check of the cache file: False when some page is damaged. On a
        connection of its own, closed after: the check reads every page, which would otherwise
        stay in a thread's connection's cache (64 MB at 100,000 tickets)."""
        conn = sqlite3.connect(self.paths.cache_db, check_same_thread=False)
        with self._connections_lock:
            self._checking.add(conn)
        try:
            return quick_check_passes(conn)
        finally:
            with self._connections_lock:
                self._checking.discard(conn)
            conn.close()

    # --- the cache file under us ----------------------------------------------------------------

    def file_intact(self) -> bool:
        """False once the cache file was deleted, replaced, truncated or overwritten since this
        mirror opened it. SQLite's open connections do not notice: they keep reading the old
        file, or their page cache."""
        if self._watched is None:
            return False
        try:
            now = os.stat(self.paths.cache_db)
            watched = os.fstat(self._watched)
            header = os.pread(self._watched, len(SQLITE_HEADER), 0)
        except OSError:
            return False
        if (now.st_dev, now.st_ino) != (watched.st_dev, watched.st_ino):
            return False  # deleted, or another file put in its place
        # This mirror never shrinks its file (no VACUUM): a smaller one was cut short.
        if now.st_size < self._largest_size or header != SQLITE_HEADER:
            return False
        self._largest_size = now.st_size
        return True

    def _watch_file(self) -> None:
        """Keep the cache file open to look at (never closed while connections to it live: on
        POSIX, closing any descriptor of a file drops every lock this process holds on it,
        SQLite's included)."""
        try:
            self._watched: int | None = os.open(self.paths.cache_db, os.O_RDONLY)
            self._largest_size = os.fstat(self._watched).st_size
        except OSError:
            self._watched, self._largest_size = None, 0

    def _stop_watching(self) -> None:
        for descriptor in [*self._retired, self._watched]:
            if descriptor is not None:
                os.close(descriptor)
        self._retired, self._watched = [], None

    def rebuild(self) -> Path | None:
        """The cache file is damaged or gone: what is left of it is moved aside and a new, empty
        one made, which the next sync fills in full. The outbox is not touched. Returns where
        the old file went, if anything was left of it."""
        prepare_outbox(self.paths.outbox_db)  # the outbox in trouble is no reason to touch the cache
        with self._files_lock:
            moved = None
            if any(Path(f"{self.paths.cache_db}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
                moved = move_aside(self.paths.cache_db)
            prepare_files(self.paths.cache_db, self.paths.outbox_db)
            # The old descriptor stays open until `close`: closing it would drop the locks of the
            # old file's connections that some thread may still be finishing with.
            self._retired.append(self._watched)
            self._watch_file()
            self._generation += 1
        self.moved_aside = moved
        return moved

    # --- reads ----------------------------------------------------------------------------------

    def me(self) -> Me | None:
        row = self._conn.execute("SELECT me FROM sync_state").fetchone()
        if not (row and row["me"]):
            return None
        from portal.schema import Me

        return Me.model_validate_json(row["me"])

    def viewer(self) -> Viewer | None:
        """Who `me` is, as every read needs it (whose tickets, may they act): parsed without
        pydantic, which the board's first paint does without."""
        row = self._conn.execute("SELECT me FROM sync_state").fetchone()
        if not (row and row["me"]):
            return None
        me = json.loads(row["me"])  # as `store_me` wrote it, from an answer validated then
        return Viewer(me["id"], me["name"], me["company"]["name"], AccessLevel(me["access_level"]))

    def pill_counts(
        self, scope: Scope, search: str = "", *, priority: Priority | None = None, category: Category | None = None
    ) -> dict[Pill, int]:
        """Tickets per pill in the scope; with a search or a filter, the matches per pill."""
        if search_words(search) or priority or category:
            return self._matching_pill_counts(
                TicketQuery(search=search, scope=scope, priority=priority, category=category)
            )
        params = self._scope_params(scope)
        row = self._conn.execute(queries.pill_counts(params["mine_only"]), params).fetchone()
        return {pill: row[pill.value] or 0 for pill in Pill}

    def _matching_pill_counts(self, query: TicketQuery) -> dict[Pill, int]:
        sql, params = queries.matching_pill_counts(self._filter(query))
        per_status = {row["status"]: row["n"] for row in self._conn.execute(sql, params)}
        counts = {pill: per_status.get(pill.value, 0) for pill in Pill}
        counts[Pill.ALL] = sum(per_status.values())
        return counts

    def page(self, query: TicketQuery, offset: int, limit: int) -> list[TicketRow]:
        sql, params = queries.ticket_page(query, self._filter(query))
        params.update(offset=max(0, offset), limit=max(0, limit))
        return [_ticket_row(row) for row in self._conn.execute(sql, params)]

    def total(self, query: TicketQuery) -> int:
        sql, params = queries.ticket_total(self._filter(query))
        return self._conn.execute(sql, params).fetchone()[0]

    def position(self, query: TicketQuery, ticket_id: int) -> int | None:
        sql, params = queries.ticket_position(query, self._filter(query))
        params["ticket_id"] = ticket_id
        row = self._conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def ticket(self, ticket_id: int) -> TicketView | None:
        ticket_id = self.outbox.resolve(ticket_id)
        rows = self._conn.execute(queries.TICKET_WITH_TIMELINE, {"id": ticket_id}).fetchall()
        if not rows:
            return None
        return self._ticket_view(rows)

    def find_ticket(self, reference: str) -> int | None:
        """The ticket a person names: its number (`143`, `#143`) or its PSA id (`ACM-1143`,
        any case); None when the mirror has no such ticket."""
        reference = reference.strip().removeprefix("#").strip()
        if reference.isdecimal():
            row = self._conn.execute("SELECT id FROM tickets WHERE id = ?", (int(reference),)).fetchone()
            if row:
                return row[0]
        row = self._conn.execute(
            "SELECT id FROM tickets WHERE psa_ticket_id = ? COLLATE NOCASE ORDER BY id LIMIT 1", (reference,)
        ).fetchone()
        return row[0] if row else None

    def seen_until(self, ticket_id: int) -> datetime | None:
        """The newest MSP event the user had when they last opened the ticket; None when
        they have seen none (never opened, or opened before the MSP said anything)."""
        row = self._conn.execute(
            "SELECT opened_at FROM tickets WHERE id = ?", (self.outbox.resolve(ticket_id),)
        ).fetchone()
        try:
            return from_utc_text(row[0]) if row else None
        except ValueError:  # not a time (a file edited by hand): as if nothing was seen
            return None

    def mark_opened(self, ticket_id: int) -> None:
        with write_transaction(self._conn) as conn:
            conn.execute(
                "UPDATE tickets SET opened_at = COALESCE(last_msp_change_at, '') WHERE id = ?",
                (self.outbox.resolve(ticket_id),),
            )

    def record_activity(self, changes: Iterable[TicketChange]) -> None:
        changes = list(changes)
        if changes:
            with write_transaction(self._conn) as conn:
                activity.record(conn, changes)

    def activity(self) -> list[ActivityEntry]:
        """Newest first."""
        return activity.newest(self._conn)

    def unread_activity(self) -> int:
        return activity.unread_count(self._conn)

    def mark_activity_read(self, ids: Iterable[int] | None = None) -> None:
        """All of it when `ids` is None."""
        with write_transaction(self._conn) as conn:
            activity.mark_read(conn, ids)

    def sync_status(self) -> SyncStatus:
        row = self._conn.execute(queries.SYNC_STATUS).fetchone()
        return SyncStatus(
            last_synced_at=from_utc_text(row["last_synced_at"]),
            next_sync_at=from_utc_text(row["next_sync_at"]),
            offline_since=from_utc_text(row["offline_since"]),
            waiting_to_send=row["waiting"],
            needs_attention=row["attention"],
            last_error=row["last_error"],
        )

    def stats(self, now: datetime) -> TicketStats:
        """The figures of the Stats screen (cache/stats.py); by submitter for a company admin."""
        me = self.viewer()
        is_admin = me is not None and me.access_level is AccessLevel.COMPANY_ADMIN
        from cache.stats import ticket_stats  # with `statistics`: not for the board's first paint

        return ticket_stats(self._conn, now, by_submitter=is_admin)

    # --- for the sync engine --------------------------------------------------------------------

    def cursor(self) -> str | None:
        return self._conn.execute("SELECT cursor FROM sync_state").fetchone()[0]

    def full_sync_complete(self) -> bool:
        return bool(self._conn.execute("SELECT full_sync_complete FROM sync_state").fetchone()[0])

    def sync_state(self) -> dict[str, Any]:
        return dict(self._conn.execute("SELECT * FROM sync_state").fetchone())

    def update_sync_state(self, **fields: Any) -> None:
        columns = ", ".join(f"{name} = :{name}" for name in fields)
        with write_transaction(self._conn) as conn:
            conn.execute(f"UPDATE sync_state SET {columns}", fields)

    def store_me(self, me: Me) -> None:
        self.update_sync_state(me=me.model_dump_json())

    def wipe(self) -> None:
        """Forget everything mirrored (a 410): the outbox is not touched."""
        with write_transaction(self._conn) as conn:
            for statement in queries.WIPE:
                conn.execute(statement)

    def portal_id(self) -> str | None:
        """The identity of the portal this mirror was built from, once known."""
        return self._conn.execute("SELECT portal_id FROM sync_state").fetchone()[0]

    def adopt_portal(self, portal_id: str) -> bool:
        """Make this the mirror of the portal with this identity. A mirror of another portal is
        forgotten first (who the user is there too); the outbox is not touched. True when
        it was."""
        with write_transaction(self._conn) as conn:
            known = conn.execute("SELECT portal_id FROM sync_state").fetchone()[0]
            replaced = known is not None and known != portal_id
            if replaced:
                for statement in queries.WIPE:
                    conn.execute(statement)
                conn.execute("UPDATE sync_state SET me = NULL")
            conn.execute("UPDATE sync_state SET portal_id = ?", (portal_id,))
        return replaced

    def apply_changes(
        self,
        changes: Iterable[Change],
        next_cursor: str,
        has_more: bool,
        *,
        asked_with: str | None | object = ANY_CURSOR,
    ) -> AppliedPage:
        """Apply one page of the change feed and its cursor in one transaction. `asked_with` is
        the cursor the page was asked with: when the mirror's is another by now (a sync still in
        flight when the file was rebuilt read the old file's), nothing is written (StalePage)."""
        new_tickets: dict[int, Ticket] = {}
        new_events: list[TimelineEvent] = []
        removed: set[int] = set()
        reindex: set[int] = set()
        with write_transaction(self._conn) as conn:
            if asked_with is not ANY_CURSOR:
                current = conn.execute("SELECT cursor FROM sync_state").fetchone()[0]
                if current != asked_with:
                    raise StalePage("the mirror's cursor is no longer the one this page was asked with")
            for change in changes:
                written = None
                if change.kind is ChangeKind.TICKET and change.ticket is not None:
                    written = upsert_ticket(conn, change.ticket)
                    if written.new:
                        new_tickets[change.ticket.id] = change.ticket
                    removed.discard(change.ticket_id)
                elif change.kind is ChangeKind.EVENT and change.event is not None:
                    written = upsert_event(conn, change.event)
                    if written.new:
                        new_events.append(change.event)
                elif change.kind is ChangeKind.REMOVED:
                    remove_ticket(conn, change.ticket_id)
                    removed.add(change.ticket_id)
                    new_tickets.pop(change.ticket_id, None)
                    continue
                if written is not None and written.text_changed:
                    reindex.add(change.ticket_id)
            reindex_text(conn, reindex - removed)
            finished_full = not has_more and not _flag(conn, "full_sync_complete")
            if finished_full:
                # What was there at the first sync is not "changed since you last opened it".
                conn.execute(queries.BASELINE_OPENED)
            conn.execute(
                "UPDATE sync_state SET cursor = ?, full_sync_complete = full_sync_complete OR ?",
                (next_cursor, not has_more),
            )
        return AppliedPage(tuple(new_tickets.values()), tuple(new_events), frozenset(removed))

    # --- helpers --------------------------------------------------------------------------------

    def _scope_params(self, scope: Scope) -> dict[str, Any]:
        me = self.viewer()
        mine_only = scope is Scope.MINE
        return {"mine_only": mine_only, "me": me.id if me else None}

    def _filter(self, query: TicketQuery) -> queries.Filter:
        words = search_words(query.search)
        return queries.Filter(
            status=query.wanted_status,
            priority=query.priority,
            category=query.category,
            words=tuple(words),
            match=fts_query(words) if words else None,
            number=ticket_number(words),
            psa_id=psa_id(words),
            **self._scope_params(query.scope),
        )

    def _ticket_view(self, rows: list[sqlite3.Row]) -> TicketView:
        first = rows[0]
        row = _ticket_row(first)
        timeline = tuple(_timeline_item(r) for r in rows if r["ev_id"] is not None)
        me = self.viewer()
        mine = me is not None and row.submitted_by_id == me.id
        may_act = me is not None and (mine or me.access_level is AccessLevel.COMPANY_ADMIN)
        pending_ratings = [i for i in timeline if i.pending and i.kind is EventKind.RATING]
        rating, rating_comment = first["rating"], first["rating_comment"]
        if pending_ratings:  # what the user just gave, until the portal has it
            rating, rating_comment = pending_ratings[-1].score, pending_ratings[-1].body
        return TicketView(
            row=row,
            description=first["description"],
            rating=rating,
            rating_comment=rating_comment,
            timeline=timeline,
            can_confirm=may_act and row.status is Status.RESOLVED and not row.pending,
            can_reopen=may_act and row.status is Status.RESOLVED and not row.pending,
            can_rate=may_act and row.status in RATEABLE_STATUSES and row.id > 0,
        )


# --- row mapping and writes inside a transaction --------------------------------------------------


def _ticket_row(row: sqlite3.Row) -> TicketRow:
    pending_status = row["pending_status"]
    return TicketRow(
        id=row["id"],
        subject=row["subject"],
        category=Category(row["category"]),
        priority=Priority(row["priority"]),
        status=Status(pending_status or row["status"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        submitted_by_id=row["submitted_by_id"],
        submitted_by_name=row["submitted_by_name"],
        assignee=row["assignee"],
        psa_ticket_id=row["psa_ticket_id"],
        pending=bool(row["pending"]) or pending_status is not None,
        changed=bool(row["changed"]),
        needs_attention=row["needs_attention"],
        waiting_since=from_utc_text(row["waiting_since"]),
    )


def _timeline_item(row: sqlite3.Row) -> TimelineItem:
    return TimelineItem(
        id=row["ev_id"],
        kind=EventKind(row["ev_kind"]),
        author_role=AuthorRole(row["ev_author_role"]),
        author_name=row["ev_author_name"],
        body=row["ev_body"],
        from_status=_status_or_none(row["ev_from_status"]),
        to_status=_status_or_none(row["ev_to_status"]),
        assignee=row["ev_assignee"],
        score=row["ev_score"],
        created_at=datetime.fromisoformat(row["ev_created_at"]),
        pending=bool(row["ev_pending"]),
        needs_attention=row["ev_attention"],
    )


def _status_or_none(value: str | None) -> Status | None:
    return Status(value) if value else None


def _flag(conn: sqlite3.Connection, column: str) -> bool:
    return bool(conn.execute(f"SELECT {column} FROM sync_state").fetchone()[0])
