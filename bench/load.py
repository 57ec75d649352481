"""Load: 200 simulated clients syncing and writing against one reference portal on 127.0.0.1.

Each client is its own user (ten per company, twenty companies, the portal's default rate limit
of 100 requests per company per minute) with a real `PortalClient`: it follows the change feed
and writes tickets and comments with idempotency keys, keeping a refused or unanswered write to
send again with the same key, as the outbox does. One client alone, measured first in the same
run, is the baseline. Afterwards the portal's own database is read: every acknowledged write is
there exactly once, nothing is there twice, and every client's feed holds every ticket of its
company. `--quick` runs 20 clients, five per company. Figures are printed (latency and throughput
of the sync-and-write phase, before the final syncs); nothing about speed is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from portal.client import PortalClient, RetryPolicy
from portal.errors import PortalError, RateLimited
from portal.schema import Category, Priority, TicketCreate
from portal.server import storage
from portal.server.auth import hash_password
from portal.server.demo import psa_prefix
from portal.server.storage import Storage
from tests.support.portal import RunningPortal, start_portal

CLIENTS = 200
# Ten clients of a company make about 110 requests: over the budget of 100 a minute, so the
# portal answers some with 429 and the clients wait and resend. The quick run stays within it.
CLIENTS_PER_COMPANY = 10
QUICK_CLIENTS_PER_COMPANY = 5
ROUNDS = 5  # each round: one sync, one write (tickets in even rounds, comments in odd ones)
TIME_LIMIT_SECONDS = 60.0
PASSWORD = "load test password"
DEFAULT_RATE_LIMIT = 100
# The client's own retries, as in production; a write still refused after them is sent again
# (same key) in the next round.
RETRY = RetryPolicy(max_attempts=4, base_delay=0.2, max_delay=2.0, max_total=20.0, retry_after_cap=20.0)
PATIENT = RetryPolicy(max_attempts=3, max_total=70.0, retry_after_cap=65.0)


@dataclass
class Exchange:
    """One HTTP request as the client saw it."""

    method: str
    path: str
    status: int | None  # None: no answer
    started: float  # time.perf_counter()
    seconds: float
    error: str | None = None  # the exception's type, when there was no answer


class TimedTransport(httpx.AsyncBaseTransport):
    """The real transport, timing each exchange (it answers nothing itself)."""

    def __init__(self, log: list[Exchange]) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.log = log

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        status, error = None, None
        try:
            response = await self.real.handle_async_request(request)
            await response.aread()
            status = response.status_code
            return response
        except Exception as failure:
            error = type(failure).__name__
            raise
        finally:
            self.log.append(
                Exchange(request.method, request.url.path, status, started, time.perf_counter() - started, error)
            )

    async def aclose(self) -> None:
        await self.real.aclose()


@dataclass
class Phases:
    """Every client signs in, then all sync and write at once, then all sync a last time."""

    signed_in: asyncio.Barrier
    written: asyncio.Barrier
    time_limit: float
    # Two hundred argon2 checks at once would starve a two-core portal past the client's timeout.
    sign_in_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(8))
    started: float | None = None
    final_sync_from: float | None = None  # time.perf_counter() when the last client had written

    def deadline(self) -> float:
        self.started = self.started or time.monotonic()
        return self.started + self.time_limit


@dataclass
class SimulatedClient:
    email: str
    company: str
    written: dict[str, str] = field(default_factory=dict)  # key -> "ticket" | "comment", acknowledged
    waiting: list[tuple[str, str]] = field(default_factory=list)  # (key, kind) not yet acknowledged
    seen_tickets: set[int] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)  # anything but a 429
    first_ticket: int | None = None
    cursor: str | None = None
    synced_after_all: bool = False

    async def run(self, url: str, log: list[Exchange], phases: Phases) -> None:
        async with PortalClient(url, transport=TimedTransport(log), retry=RETRY) as client:
            try:
                try:
                    async with phases.sign_in_slots:
                        await client.login(self.email, PASSWORD)
                finally:
                    await phases.signed_in.wait()  # argon2 is slow on purpose: not part of the load
                await self._write_rounds(client, phases.deadline())
            except PortalError as error:
                self.failures.append(f"{type(error).__name__}: {error.message}")
            finally:
                await phases.written.wait()
                phases.final_sync_from = phases.final_sync_from or time.perf_counter()
            if self.failures:
                return
            try:
                # Once every client has written: this client's feed must now hold every ticket
                # of its company. Worth waiting out the company's rate limit for.
                client.retry = PATIENT
                await self._sync(client)
                self.synced_after_all = True
            except RateLimited:
                pass  # out of budget: nothing to check for this client
            except PortalError as error:
                self.failures.append(f"{type(error).__name__}: {error.message}")

    async def _write_rounds(self, client: PortalClient, deadline: float) -> None:
        for round_number in range(ROUNDS):
            if time.monotonic() > deadline:
                return
            try:
                await self._sync(client)
            except RateLimited:
                continue  # try again next round
            kind = "ticket" if round_number % 2 == 0 or self.first_ticket is None else "comment"
            self.waiting.append((str(uuid.uuid4()), kind))
            await self._send_waiting(client, round_number)

    async def _sync(self, client: PortalClient) -> None:
        while True:
            page = await client.changes(self.cursor, limit=500)
            self.seen_tickets |= {c.ticket_id for c in page.changes if c.ticket is not None}
            self.cursor = page.next_cursor
            if not page.has_more:
                return

    async def _send_waiting(self, client: PortalClient, round_number: int) -> None:
        for key, kind in list(self.waiting):
            try:
                if kind == "ticket":
                    draft = TicketCreate(
                        subject=f"Load {self.email} round {round_number}",
                        category=Category.NETWORK,
                        priority=Priority.MEDIUM,
                        description="Written under load.",
                    )
                    ticket = await client.create_ticket(draft, key)
                    self.first_ticket = self.first_ticket or ticket.id
                else:
                    await client.add_comment(self.first_ticket, f"Round {round_number} update", key)
            except RateLimited:
                return  # the next round sends it again, with the same key
            self.waiting.remove((key, kind))
            self.written[key] = kind


def make_people(portal: RunningPortal, companies: int, per_company: int, prefix: str) -> list[SimulatedClient]:
    """Companies and users written straight into the portal's database (one password hash for
    all): 200 `msp-portal add-user` runs would take minutes of argon2 and process starts."""
    password_hash = hash_password(PASSWORD)
    db = Storage(portal.db)
    people = []
    try:
        with db.write() as conn:
            for c in range(companies):
                name = f"{prefix} Company {c}"
                company_id = storage.add_company(conn, name, psa_prefix(name))
                rows = []
                for u in range(per_company):
                    email = f"{prefix.lower()}{c}-{u}@load.example"
                    rows.append((company_id, email, f"{prefix} user {c}-{u}", "company", password_hash))
                    people.append(SimulatedClient(email, name))
                storage.add_users(conn, rows)
    finally:
        db.close()
    return people


@dataclass
class Figures:
    clients: int
    seconds: float
    requests: int
    writes: int
    p50_ms: float
    p99_ms: float
    statuses: Counter
    unanswered: list[Exchange]

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def writes_per_second(self) -> float:
        return self.writes / self.seconds


async def run_clients(portal: RunningPortal, people: list[SimulatedClient], time_limit: float) -> Figures:
    log: list[Exchange] = []
    phases = Phases(asyncio.Barrier(len(people)), asyncio.Barrier(len(people)), time_limit)
    await asyncio.gather(*(person.run(portal.url, log, phases) for person in people))
    # The figures are for syncing and writing: from the first request after sign-in to the last
    # before the final syncs (which may wait out a rate limit: nothing to time there).
    work = [e for e in log if not e.path.endswith("/auth/token") and e.started < phases.final_sync_from]
    if not work:
        raise RuntimeError("no client got past sign-in: " + "; ".join({f for p in people for f in p.failures}))
    seconds = max(e.started + e.seconds for e in work) - min(e.started for e in work)
    timed = sorted(e.seconds for e in work)
    return Figures(
        clients=len(people),
        seconds=seconds,
        requests=len(timed),
        writes=sum(len(p.written) for p in people),
        p50_ms=statistics.median(timed) * 1000,
        p99_ms=timed[min(len(timed) - 1, int(len(timed) * 0.99))] * 1000,
        statuses=Counter(e.status for e in log if not e.path.endswith("/auth/token")),
        unanswered=[e for e in log if e.status is None],
    )


@dataclass
class Integrity:
    errors: list[str]  # statuses and failures other than 429
    lost: int  # acknowledged writes the portal does not have
    doubled: int  # writes the portal has more than once
    unfinished: int  # still waiting at the end (rate limit or time limit): kept, not lost
    feed_missing: int  # tickets of a client's company its feed never delivered
    feeds_checked: int  # clients whose last sync came after every write

    @property
    def ok(self) -> bool:
        return not self.errors and self.lost == self.doubled == self.feed_missing == 0


def check_integrity(portal: RunningPortal, people: list[SimulatedClient], figures: Figures) -> Integrity:
    conn = sqlite3.connect(f"file:{portal.db}?mode=ro", uri=True)
    try:
        on_portal = Counter()
        for table in ("tickets", "events"):
            for (ref,) in conn.execute(f"SELECT client_ref FROM {table} WHERE client_ref IS NOT NULL"):
                on_portal[ref] += 1
        tickets_of = {}
        for company, ticket_id in conn.execute(
            "SELECT c.name, t.id FROM tickets t JOIN companies c ON c.id = t.company_id"
        ):
            tickets_of.setdefault(company, set()).add(ticket_id)
    finally:
        conn.close()
    # What a user would see: a refusal other than 429, or a failure left after the retries.
    errors = [
        f"HTTP {status} x{count}"
        for status, count in figures.statuses.items()
        if status is not None and status >= 400 and status != 429
    ]
    errors += [failure for person in people for failure in person.failures]
    acknowledged = [key for person in people for key in person.written]
    waiting = [key for person in people for key, _ in person.waiting]
    checked = [p for p in people if p.synced_after_all]
    return Integrity(
        errors=errors,
        lost=sum(1 for key in acknowledged if on_portal[key] == 0),
        doubled=sum(1 for key in acknowledged + waiting if on_portal[key] > 1),
        unfinished=len(waiting),
        feed_missing=sum(len(tickets_of.get(p.company, set()) - p.seen_tickets) for p in checked),
        feeds_checked=len(checked),
    )


def run(clients: int, per_company: int, time_limit: float) -> tuple[Figures, Figures, Integrity]:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        portal = start_portal(Path(folder), rate_limit=DEFAULT_RATE_LIMIT)
        try:
            alone = make_people(portal, 1, 1, "Baseline")
            loaded = make_people(portal, max(1, clients // per_company), per_company, "Load")
            baseline = asyncio.run(run_clients(portal, alone, time_limit))
            figures = asyncio.run(run_clients(portal, loaded, time_limit))
            integrity = check_integrity(portal, alone + loaded, figures)
        finally:
            portal.stop()
    return baseline, figures, integrity


def report(baseline: Figures, figures: Figures, integrity: Integrity) -> None:
    print(f"{'':24}{'1 client':>12}{f'{figures.clients} clients':>14}{'ratio':>9}")
    for label, attribute, unit in [
        ("requests/s", "requests_per_second", ""),
        ("writes/s", "writes_per_second", ""),
        ("p50 latency", "p50_ms", " ms"),
        ("p99 latency", "p99_ms", " ms"),
    ]:
        one, many = getattr(baseline, attribute), getattr(figures, attribute)
        print(f"{label:24}{one:>10.1f}{unit:3}{many:>11.1f}{unit:3}{many / one:>8.1f}x")
    print(f"{'work time':24}{baseline.seconds:>10.2f} s {figures.seconds:>11.2f} s")
    print(f"requests by status: {dict(sorted(figures.statuses.items(), key=str))}")
    print(
        f"integrity: {'OK' if integrity.ok else 'FAILED'} — errors other than 429: {len(integrity.errors)}, "
        f"lost writes: {integrity.lost}, doubled writes: {integrity.doubled}, feed gaps: "
        f"{integrity.feed_missing} (in {integrity.feeds_checked} feeds), writes still queued at the end: {integrity.unfinished}"
    )
    for error in integrity.errors[:10]:
        print(f"  {error}")
    # Not errors a user sees (the client retried them), but worth knowing: typically a pooled
    # connection the portal closed (keep-alive timeout) just as it was reused.
    for exchange in figures.unanswered[:10]:
        print(
            f"retried: {exchange.method} {exchange.path}: no answer ({exchange.error}) after {exchange.seconds:.2f} s"
        )


def main(argv: list[str] | None = None) -> Integrity | None:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--quick", action="store_true", help=f"{CLIENTS // 10} clients instead of {CLIENTS}")
    parser.add_argument(
        "--tenant", action="store_true", help="400 boards against one tenant-wide budget (bench.tenant)"
    )
    args, _ = parser.parse_known_args(argv)
    if args.tenant:
        from bench import tenant

        tenant.main(argv)
        return None
    clients = CLIENTS // 10 if args.quick else CLIENTS
    per_company = QUICK_CLIENTS_PER_COMPANY if args.quick else CLIENTS_PER_COMPANY
    baseline, figures, integrity = run(clients, per_company, TIME_LIMIT_SECONDS)
    report(baseline, figures, integrity)
    return integrity


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
