"""The mirror at scale: 100,000 tickets and 500,000 timeline events in a real mirror file.

Each figure is printed beside a naive variant measured in the same run, with the ratio and the
issue's target. `--quick` scales the data down 10x for a smoke run. Nothing is asserted here.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from cache.apply import event_params, reindex, ticket_params
from cache.mirror import Mirror
from cache.model import Pill, Scope, SortColumn, TicketQuery
from cache.queries import INDEX_ALL_TICKETS, NOTE_MSP_CHANGE, TICKET_WITH_TIMELINE, rank_of
from cache.store import connect
from portal.schema import (
    AuthorRole,
    Category,
    Change,
    ChangeKind,
    EventKind,
    Priority,
    Status,
    Ticket,
    TimelineEvent,
    UserRef,
)
from portal.sqlite import utc_text, write_transaction
from tui.paths import profile_paths

TICKETS = 100_000
EVENTS = 500_000
BIG_TICKET_EVENTS = 1_000
DELTA_CHANGES = 1_000
DELTA_RUNS = 3  # distinct pages each way, median: no run repeats another's writes
SEARCH_WORD = "printer"  # in about 1 % of descriptions
COMMON_WORD = "server"  # the worst case: in most tickets
START = datetime(2024, 1, 1, tzinfo=UTC)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mirror")
    parser.add_argument("--quick", action="store_true", help="10x less data, for a smoke run")
    args, _ = parser.parse_known_args(argv)
    scale = 10 if args.quick else 1
    with tempfile.TemporaryDirectory(prefix="bench-mirror-") as home:
        run(Path(home), TICKETS // scale, EVENTS // scale)


def run(home: Path, tickets: int, events: int) -> None:
    paths = profile_paths("bench", "https://portal.example", "bench@example", {"HOME": str(home)})
    mirror = Mirror.open(paths)
    rng = random.Random(7)
    started = time.perf_counter()
    # Built in a child process: the measuring process starts as an app would, on a file
    # some other process wrote.
    builder = multiprocessing.get_context("spawn").Process(
        target=build, args=(paths.cache_db, tickets, events, random.Random(7))
    )
    builder.start()
    builder.join()
    print(f"built {tickets:,} tickets and {events:,} events in {time.perf_counter() - started:.1f} s")

    rows: list[tuple[str, float, float | None, str, str]] = []
    conn = connect(paths.cache_db, paths.outbox_db)  # the mirror's own pragmas: a fair match

    rows.append(
        (
            "pill counts",
            ms(lambda: mirror.pill_counts(Scope.COMPANY)),
            ms(lambda: conn.execute(NAIVE_PILL_COUNTS).fetchone()),
            "one scan, SUM(status = ...)",
            "-",
        )
    )
    page_query = TicketQuery(pill=Pill.IN_PROGRESS, sort=SortColumn.PRIORITY, descending=True)
    rows.append(
        (
            "100-row page (pill + sort)",
            ms(lambda: mirror.page(page_query, 0, 100)),
            ms(lambda: conn.execute(NAIVE_PAGE, ("in_progress",)).fetchall()),
            "sort by unindexed CASE",
            "<= 10 ms",
        )
    )
    age_query = TicketQuery(sort=SortColumn.AGE, descending=True)
    rows.append(
        (
            "100-row page by Age (waited longest first)",
            ms(lambda: mirror.page(age_query, 0, 100)),
            ms(lambda: conn.execute(NAIVE_AGE_PAGE).fetchall()),
            "events of each waiting ticket",
            "<= 10 ms",
        )
    )
    for word, how_common in ((SEARCH_WORD, "1 % of tickets"), (COMMON_WORD, "most tickets")):
        search_query = TicketQuery(search=word, sort=SortColumn.CREATED, descending=True)
        rows.append(
            (
                f"FTS search '{word}' ({how_common})",
                ms(lambda: mirror.page(search_query, 0, 100)),
                ms(lambda: conn.execute(NAIVE_SEARCH, (f'"{word}"*',)).fetchall()),
                "join without leading subquery",
                "<= 30 ms",
            )
        )
    for word, how_common in ((SEARCH_WORD, "1 %"), (COMMON_WORD, "most")):
        rows.append(
            (
                f"  pill counts while searching '{word}' ({how_common})",
                ms(lambda: mirror.pill_counts(Scope.COMPANY, word)),
                None,
                "(the board counts on a thread)",
                "-",
            )
        )
    number_query = TicketQuery(search=f"#{tickets // 2}", sort=SortColumn.CREATED, descending=True)
    rows.append(
        (
            "search by ticket number, 100-row page",
            ms(lambda: mirror.page(number_query, 0, 100)),
            None,
            "(its number, or text holding it)",
            "<= 30 ms",
        )
    )
    rows.append(
        (
            f"ticket + {BIG_TICKET_EVENTS:,} events (SQL)",
            ms(lambda: conn.execute(TICKET_WITH_TIMELINE, {"id": 1}).fetchall()),
            ms(lambda: naive_ticket(conn, 1)),
            "N+1: one query per event",
            "-",
        )
    )
    rows.append(
        (
            "  ... as a TicketView",
            ms(lambda: mirror.ticket(1)),
            None,
            "(Python objects included)",
            "-",
        )
    )
    deltas = make_deltas(conn, tickets, events, rng, count=DELTA_RUNS * 3 + 1)
    mirror.apply_changes(deltas.pop(), "bench", has_more=False)  # warm-up, not measured
    # Taken in turns, so the three ways meet the same state of the disk and the page cache.
    fast, naive, in_bulk = [], [], []
    for n in range(DELTA_RUNS):
        fast.append(timed_once(lambda: mirror.apply_changes(deltas[3 * n], "bench", has_more=False)))
        naive.append(
            timed_once(lambda: [mirror.apply_changes([c], "bench", has_more=False) for c in deltas[3 * n + 1]])
        )
        in_bulk.append(timed_once(lambda: apply_with_upsert_all(mirror, deltas[3 * n + 2])))
    for how, runs in (("one transaction per change", naive), ("sqlite-utils upsert_all", in_bulk)):
        rows.append(
            (f"apply {DELTA_CHANGES:,}-change delta", median_of(fast, WALL), median_of(runs, WALL), how, "<= 300 ms")
        )
        # On a shared machine the wall time includes waiting for the CPU and the disk.
        rows.append(("  ... its CPU time", median_of(fast, CPU), median_of(runs, CPU), how, "-"))
    mirror.close()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size_mb = sum(p.stat().st_size for p in paths.cache_db.parent.glob(paths.cache_db.name + "*")) / 1e6
    print_table(rows)
    print(f"{'mirror file size':42} {size_mb:8.1f} MB{'':56} <= 400 MB")


def print_table(rows) -> None:
    print(f"{'measure':42} {'ours':>10}   {'naive':>10}   {'ratio':>8}   {'naive is':30} target")
    for name, ours, naive, how, target in rows:
        if naive is None:
            print(f"{name:42} {ours:8.2f} ms {'-':>13} {'-':>9}    {how:30} {target}")
            continue
        ratio = naive / ours if ours else float("inf")
        print(f"{name:42} {ours:8.2f} ms {naive:10.2f} ms {ratio:8.1f}x   {how:30} {target}")


# --- measuring ------------------------------------------------------------------------------------


def ms(action: Callable[[], object], repeat: int = 7) -> float:
    action()  # warm the page cache
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


WALL, CPU = 0, 1


def median_of(runs: list[tuple[float, float]], which: int) -> float:
    return statistics.median(run[which] for run in runs)


def timed_once(action: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU milliseconds of one run."""
    started, cpu_started = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000


def raw(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(db, isolation_level=None)


NAIVE_PILL_COUNTS = """
    SELECT count(*), SUM(status = 'open'), SUM(status = 'in_progress'),
        SUM(status = 'waiting_on_client'), SUM(status = 'resolved'), SUM(status = 'closed')
    FROM tickets
"""
NAIVE_PAGE = f"""
    SELECT * FROM tickets WHERE status = ?
    ORDER BY {rank_of("priority", Priority)} DESC, id DESC
    LIMIT 100
"""
# The Age without its stored column: the time it counts from worked out for every ticket.
NAIVE_AGE_PAGE = """
    SELECT * FROM tickets t
    ORDER BY CASE WHEN t.status = 'waiting_on_client' THEN COALESCE((SELECT max(e.created_at) FROM events e
        WHERE e.ticket_id = t.id AND e.kind = 'status_change' AND e.to_status = 'waiting_on_client'),
        t.updated_at) ELSE t.updated_at END ASC, t.id ASC
    LIMIT 100
"""
NAIVE_SEARCH = """
    SELECT t.* FROM tickets t JOIN fts ON fts.rowid = t.id
    WHERE fts MATCH ? ORDER BY t.created_at DESC, t.id DESC LIMIT 100
"""


def apply_with_upsert_all(mirror: Mirror, page: list[Change]) -> None:
    """The page as sqlite-utils writes in bulk: the rows already there read first (what is new,
    whose text changed), then `upsert_all` per table — every column of every row — the MSP's
    events noted on their tickets, the text index rebuilt for what changed, the cursor kept."""
    conn = mirror._conn
    db = Database(conn, recursive_triggers=False, execute_plugins=False)
    tickets = [ticket_params(c.ticket) for c in page if c.kind is ChangeKind.TICKET and c.ticket]
    events = [event_params(c.event) for c in page if c.kind is ChangeKind.EVENT and c.event]
    with write_transaction(conn):
        texts = _known(conn, "SELECT id, subject || description FROM tickets", tickets)
        bodies = _known(conn, "SELECT id, body FROM events", events)
        db["tickets"].upsert_all(tickets, pk="id")
        db["events"].upsert_all(events, pk="id")
        conn.executemany(NOTE_MSP_CHANGE, [e for e in events if e["author_role"] == "msp"])
        changed = {t["id"] for t in tickets if texts.get(t["id"]) != t["subject"] + t["description"]}
        changed |= {e["ticket_id"] for e in events if e["kind"] == "comment" and bodies.get(e["id"]) != e["body"]}
        reindex(conn, changed)
        conn.execute("UPDATE sync_state SET cursor = 'bench'")


def _known(conn: sqlite3.Connection, select: str, rows: list[dict]) -> dict:
    ids = json.dumps([row["id"] for row in rows])
    return dict(conn.execute(f"{select} WHERE id IN (SELECT value FROM json_each(?))", (ids,)).fetchall())


def naive_ticket(conn: sqlite3.Connection, ticket_id: int) -> list:
    ticket = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    ids = [r[0] for r in conn.execute("SELECT id FROM events WHERE ticket_id = ?", (ticket_id,))]
    return [ticket] + [conn.execute("SELECT * FROM events WHERE id = ?", (i,)).fetchone() for i in ids]


# --- the data -------------------------------------------------------------------------------------

WORDS = (
    "server laptop email outlook vpn network switch router firewall backup restore password "
    "account locked slow crash error update install license driver monitor keyboard mouse dock "
    "wifi dns certificate expired share drive folder permission sync teams calendar meeting "
    "phone voicemail scanner invoice finance payroll urgent office remote access login mfa token"
).split()
STATUSES = [s.value for s in Status]
PRIORITIES = [p.value for p in Priority]
CATEGORIES = [c.value for c in Category]


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, k=words))


def build(db: Path, tickets: int, events: int, rng: random.Random) -> None:
    conn = raw(db)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO tickets (id, subject, category, priority, description, status, created_at, "
        "updated_at, submitted_by_id, submitted_by_name, company_id, assignee, psa_ticket_id, "
        "opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, '')",
        (ticket_row(i, rng) for i in range(1, tickets + 1)),
    )
    conn.executemany(
        "INSERT INTO events (id, ticket_id, kind, author_role, author_name, body, created_at) "
        "VALUES (?, ?, 'comment', ?, ?, ?, ?)",
        (event_row(i, tickets, rng) for i in range(1, events + 1)),
    )
    conn.execute(INDEX_ALL_TICKETS)
    conn.execute("UPDATE sync_state SET cursor = 'bench-0', full_sync_complete = 1, me = ?", (ME_JSON,))
    conn.execute("COMMIT")
    # A bulk build leaves FTS5 segments waiting to be merged, a debt the next writes would
    # pay; a mirror filled sync by sync has paid it as it went.
    conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    # Written with synchronous=OFF: flush it now, or the first measured commit that syncs
    # would wait for the whole build to reach the disk.
    with open(db, "rb") as built:
        os.fsync(built.fileno())


ME_JSON = (
    '{"id": 1, "name": "User 1", "email": "bench@example", '
    '"company": {"id": 1, "name": "Bench Ltd"}, "access_level": "company"}'
)


def ticket_row(i: int, rng: random.Random) -> tuple:
    created = START + timedelta(minutes=i * 5)
    description = text(rng, 30) + (f" {SEARCH_WORD} jams" if rng.random() < 0.01 else "")
    user = rng.randint(1, 50)
    return (
        i,
        text(rng, 6),
        rng.choice(CATEGORIES),
        rng.choice(PRIORITIES),
        description,
        rng.choice(STATUSES),
        utc_text(created),
        utc_text(created + timedelta(hours=3)),
        user,
        f"User {user}",
        rng.choice([None, "Ana Ruiz", "Farid Haddad"]),
        f"PSA-{i}",
    )


def event_row(i: int, tickets: int, rng: random.Random) -> tuple:
    # The first BIG_TICKET_EVENTS events belong to ticket 1: the long timeline to read.
    ticket_id = 1 if i <= BIG_TICKET_EVENTS else rng.randint(2, tickets)
    role = rng.choice(["msp", "client"])
    created = START + timedelta(minutes=ticket_id * 5 + i % 997)
    return (i, ticket_id, role, "Ana Ruiz" if role == "msp" else "User 1", text(rng, 15), utc_text(created))


def make_deltas(
    conn: sqlite3.Connection, tickets: int, events: int, rng: random.Random, count: int
) -> list[list[Change]]:
    """Distinct 1,000-change pages (so no run is a no-op), as a PSA sync makes them: new
    tickets, technicians' status and assignment changes on existing ones, new msp comments."""

    def page(first_ticket: int, first_event: int) -> list[Change]:
        changes: list[Change] = []
        for n in range(DELTA_CHANGES):
            seq = n + 1
            if n % 10 == 0:
                changes.append(_ticket_change(seq, _new_ticket(first_ticket + n, rng)))
            elif n % 3 == 0:
                changes.append(_ticket_change(seq, _worked_on(conn, rng.randint(2, tickets), rng)))
            else:
                event = TimelineEvent(
                    id=first_event + n,
                    ticket_id=rng.randint(2, tickets),
                    kind=EventKind.COMMENT,
                    author_role=AuthorRole.MSP,
                    author_name="Ana Ruiz",
                    body=text(rng, 15),
                    from_status=None,
                    to_status=None,
                    assignee=None,
                    score=None,
                    created_at=datetime.now(UTC),
                )
                changes.append(
                    Change(seq=seq, kind=ChangeKind.EVENT, ticket_id=event.ticket_id, ticket=None, event=event)
                )
        return changes

    return [page(tickets + 1 + n * DELTA_CHANGES, events + 1 + n * DELTA_CHANGES) for n in range(count)]


def _ticket_change(seq: int, ticket: Ticket) -> Change:
    return Change(seq=seq, kind=ChangeKind.TICKET, ticket_id=ticket.id, ticket=ticket, event=None)


def _new_ticket(ticket_id: int, rng: random.Random) -> Ticket:
    now = datetime.now(UTC)
    return Ticket(
        id=ticket_id,
        subject=text(rng, 6),
        category=rng.choice(CATEGORIES),
        priority=rng.choice(PRIORITIES),
        description=text(rng, 30),
        status=Status.OPEN,
        created_at=now,
        updated_at=now,
        submitted_by=UserRef(id=2, name="User 2"),
        company_id=1,
        assignee=None,
        psa_ticket_id=None,
        rating=None,
        rating_comment=None,
        client_ref=None,
    )


def _worked_on(conn: sqlite3.Connection, ticket_id: int, rng: random.Random) -> Ticket:
    """The mirrored ticket with what a technician changes: status, assignee, updated_at."""
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    conn.row_factory = None
    return Ticket(
        id=ticket_id,
        subject=row["subject"],
        category=row["category"],
        priority=row["priority"],
        description=row["description"],
        status=rng.choice(STATUSES),
        created_at=row["created_at"],
        updated_at=datetime.now(UTC),
        submitted_by=UserRef(id=row["submitted_by_id"], name=row["submitted_by_name"]),
        company_id=row["company_id"],
        assignee=rng.choice(["Ana Ruiz", "Farid Haddad"]),
        psa_ticket_id=row["psa_ticket_id"],
        rating=None,
        rating_comment=None,
        client_ref=None,
    )


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
