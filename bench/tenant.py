"""A tenant full of boards: 400 boards of 20 client companies against one portal whose budget is
100 requests a minute for the whole tenant (the vendor's real limit).

Each board is what `msp-tickets` runs: a `PortalClient`, a mirror on disk and a `SyncEngine`,
syncing on the engine's own cadence. The portal's PSA cycle (300 s) and its budget's window
(60 s) are both shortened by `--speedup` (default 15), so requests per window keep their real
ratio to the limit: 400 boards x 1 request per 300 s is 80 a minute against 100, feasible only
with one request per board per cycle and the boards' syncs spread over the cycle.

Every board starts at once (its first sync, a burst, may meet 429s and waits them out). A cycle
after the last first sync, for three PSA cycles, the requests are counted; some boards write a ticket each cycle (through
the outbox, as the app does), and afterwards the portal's database must hold each of them once.
The baseline, from the same run: the same boards for one cycle with the schedule and the client
of before (every board just after the PSA cycle, no pacing by the budget). `--quick`: 40 boards
of 2 companies against a budget of 10. Figures are printed; nothing about speed is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from cache.mirror import Mirror
from cache.sync import Cadence, SyncEngine
from portal.client import PortalClient
from portal.schema import Category, Priority, TicketCreate
from portal.server import storage
from portal.server.auth import hash_password, token_hash
from portal.server.demo import psa_prefix
from portal.server.storage import Storage
from tests.support.portal import RunningPortal, start_portal
from tui.paths import profile_paths

BOARDS, COMPANIES, LIMIT = 400, 20, 100
QUICK_BOARDS, QUICK_COMPANIES, QUICK_LIMIT = 40, 2, 10
PSA_INTERVAL, WINDOW = 300.0, 60.0  # the real ones, before --speedup
SPEEDUP = 15.0
CYCLES = 3
WRITES_PER_CYCLE = 10  # boards that write a ticket each cycle (a tenth at --quick)


@dataclass
class Exchange:
    board: int
    started: float  # time.monotonic()
    method: str
    path: str
    status: int | None
    remaining: int | None  # X-RateLimit-Remaining of the answer


class CountingTransport(httpx.AsyncBaseTransport):
    """The real transport (shared by every board), noting each of one board's exchanges."""

    def __init__(self, board: int, log: list[Exchange], real: httpx.AsyncHTTPTransport) -> None:
        self.board, self.log, self.real = board, log, real
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        note = Exchange(self.board, time.monotonic(), request.method, request.url.path, None, None)
        self.log.append(note)
        response = await self.real.handle_async_request(request)
        note.status = response.status_code
        remaining = response.headers.get("X-RateLimit-Remaining", "")
        note.remaining = int(remaining) if remaining.isdigit() else None
        return response

    async def aclose(self) -> None:
        pass  # the shared real transport is closed once, at the end


@dataclass
class Sync:
    board: int
    started: float
    requests: int
    pushed: int
    ok: bool


@dataclass
class Board:
    index: int
    email: str
    client: PortalClient
    mirror: Mirror
    engine: SyncEngine
    transport: CountingTransport
    keys: list[str] = field(default_factory=list)  # idempotency keys of the tickets it wrote

    async def run(self, syncs: list[Sync], stop: asyncio.Event) -> None:
        while not stop.is_set():
            before, started = self.transport.sent, time.monotonic()
            result = await self.engine.sync_now()
            cost = self.transport.sent - before
            syncs.append(Sync(self.index, started, cost, result.pushed, result.error is None))
            try:
                await asyncio.wait_for(stop.wait(), self.engine.seconds_until_next_sync())
            except TimeoutError:
                pass

    def write(self, cycle: int) -> None:
        self.mirror.outbox.submit_ticket(
            TicketCreate(
                subject=f"Tenant load: {self.email}, cycle {cycle}",
                category=Category.NETWORK,
                priority=Priority.MEDIUM,
                description="Written while the whole tenant syncs.",
            )
        )
        self.keys.append(self.mirror.outbox.pending_items()[-1].idempotency_key)


def make_tenant(portal: RunningPortal, boards: int, companies: int) -> list[tuple[str, str]]:
    """(email, token) per board: companies, users and tokens written straight into the portal's
    database (400 argon2 sign-ins would take minutes and are not what is measured)."""
    password_hash = hash_password(secrets.token_urlsafe(16))
    db = Storage(portal.db)
    people = []
    try:
        with db.write() as conn:
            for c in range(companies):
                name = f"Tenant Company {c}"
                company_id = storage.add_company(conn, name, psa_prefix(name))
                emails = [f"board{c}-{u}@tenant.example" for u in range(boards // companies)]
                storage.add_users(conn, [(company_id, e, f"Board {e}", "company", password_hash) for e in emails])
                for email in emails:
                    token = secrets.token_urlsafe(32)
                    user = storage.user_by_email(conn, email)
                    storage.store_token(conn, token_hash(token), user.id, time.time(), time.time() + 86_400)
                    people.append((email, token))
    finally:
        db.close()
    return people


@dataclass
class Figures:
    label: str
    boards: int
    cycles: float
    requests: int
    refused: int  # 429s
    per_sync: Counter  # requests per sync without writes -> how many syncs
    write_syncs: Counter  # requests per sync that pushed
    # Most requests sent (by the client's clock, refused ones not counted) in any one window:
    # the portal counts them as they arrive, so under a burst this is only near its count.
    peak: int
    min_remaining: int | None
    limit: int

    @property
    def per_board_per_cycle(self) -> float:
        return self.requests / self.boards / self.cycles


def figures(label, log, syncs, boards, start, end, window, limit, interval) -> Figures:
    exchanges = [e for e in log if start <= e.started < end]
    counted = sorted(e.started for e in exchanges if e.status is not None and e.status != 429)
    peak, first = 0, 0
    for last, at in enumerate(counted):
        while counted[first] <= at - window:
            first += 1
        peak = max(peak, last - first + 1)
    in_span = [s for s in syncs if start <= s.started < end and s.ok]
    remaining = [e.remaining for e in exchanges if e.remaining is not None]
    return Figures(
        label=label,
        boards=boards,
        cycles=(end - start) / interval,
        requests=len(exchanges),
        refused=sum(1 for e in exchanges if e.status == 429),
        per_sync=Counter(s.requests for s in in_span if not s.pushed),
        write_syncs=Counter(s.requests for s in in_span if s.pushed),
        peak=peak,
        min_remaining=min(remaining) if remaining else None,
        limit=limit,
    )


async def run(boards_n: int, companies: int, limit: int, speedup: float, home: Path) -> tuple[Figures, Figures, dict]:
    interval, window = PSA_INTERVAL / speedup, WINDOW / speedup
    # Two worker threads for every mirror's SQLite work: 400 mirrors x a connection per thread.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(2))
    portal = start_portal(
        home, psa_interval=interval, rate_limit=limit, rate_limit_scope="tenant", rate_limit_window=window
    )
    log: list[Exchange] = []
    syncs: list[Sync] = []
    stop = asyncio.Event()
    real = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=boards_n + 10))
    boards: list[Board] = []
    try:
        people = make_tenant(portal, boards_n, companies)
        cadence = Cadence().scaled(speedup)
        for index, (email, token) in enumerate(people):
            transport = CountingTransport(index, log, real)
            client = PortalClient(portal.url, token, transport=transport)
            mirror = Mirror.open(profile_paths("bench", portal.url, email, {"HOME": str(home / "boards")}))
            engine = SyncEngine(mirror, client, cadence=cadence)
            boards.append(Board(index, email, client, mirror, engine, transport))
        started = time.monotonic()
        tasks = [asyncio.create_task(b.run(syncs, stop)) for b in boards]
        while {s.board for s in syncs if s.ok} != set(range(boards_n)):
            await asyncio.sleep(0.2)
        first_syncs_done = time.monotonic()
        first = Counter(e.status for e in log)
        # Boards that synced early met the others' first syncs on their second: a cycle for the
        # stragglers' retries to end and every board to be at its own turn.
        await asyncio.sleep(interval)

        rng = random.Random(14)
        writes = max(1, WRITES_PER_CYCLE * boards_n // BOARDS)
        measured_from = time.monotonic()
        for cycle in range(CYCLES):
            for board in rng.sample(boards, writes):
                board.write(cycle)
            await asyncio.sleep(interval)
        measured_to = time.monotonic()
        await asyncio.sleep(interval)  # the last cycle's writes go out at their boards' turns
        ours = figures("paced, spread", log, syncs, boards_n, measured_from, measured_to, window, limit, interval)

        # The baseline: the same boards as before this change's schedule and pacing.
        for board in boards:
            board.engine.cadence = Cadence(spread=False).scaled(speedup)
            board.client.pace = False
        await asyncio.sleep(interval)  # every board moves to the new schedule
        baseline_from = time.monotonic()
        await asyncio.sleep(interval)
        baseline = figures("baseline", log, syncs, boards_n, baseline_from, time.monotonic(), window, limit, interval)
        stop.set()
        await asyncio.gather(*tasks)
        landed = _landed(portal, boards)
        extra = {
            "first_syncs_seconds": first_syncs_done - started,
            "first_syncs_statuses": first,
            "interval": interval,
            "window": window,
            **landed,
        }
    finally:
        stop.set()
        for board in boards:
            board.mirror.close()
            await board.client.aclose()
        await real.aclose()
        portal.stop()
    return ours, baseline, extra


def _landed(portal: RunningPortal, boards: list[Board]) -> dict:
    conn = sqlite3.connect(f"file:{portal.db}?mode=ro", uri=True)
    try:
        on_portal = Counter(
            ref for (ref,) in conn.execute("SELECT client_ref FROM tickets WHERE client_ref IS NOT NULL")
        )
    finally:
        conn.close()
    keys = [key for board in boards for key in board.keys]
    return {
        "writes": len(keys),
        "landed_once": sum(1 for key in keys if on_portal[key] == 1),
        "doubled": sum(1 for key in keys if on_portal[key] > 1),
        "still_queued": sum(len(board.mirror.outbox.pending_items()) for board in boards),
    }


def report(ours: Figures, baseline: Figures, extra: dict) -> None:
    print(
        f"{ours.boards} boards, one portal limited to {ours.limit} requests per {extra['window']:g} s for "
        f"the whole tenant, PSA cycle {extra['interval']:g} s (the real 60 s and 300 s / {PSA_INTERVAL / extra['interval']:g})"
    )
    statuses = dict(sorted(extra["first_syncs_statuses"].items(), key=str))
    print(f"first syncs (all boards at once): {extra['first_syncs_seconds']:.1f} s, requests by status {statuses}")
    print(f"{'':44}{ours.label:>18}{baseline.label:>22}")
    rows = [
        ("cycles measured", lambda f: f"{f.cycles:.1f}"),
        ("requests per board per cycle", lambda f: f"{f.per_board_per_cycle:.2f}"),
        ("429 answers", lambda f: f"{f.refused}"),
        ("requests per unchanged sync (syncs)", lambda f: _spread(f.per_sync)),
        ("requests per sync that wrote (syncs)", lambda f: _spread(f.write_syncs)),
        ("most requests sent in one window", lambda f: f"{f.peak}"),
        ("lowest X-RateLimit-Remaining answered", lambda f: f"{f.min_remaining} / {f.limit}"),
        ("headroom under the limit at its lowest", lambda f: _headroom(f)),
    ]
    for label, show in rows:
        print(f"{label:44}{show(ours):>18}{show(baseline):>22}")
    ok = extra["landed_once"] == extra["writes"] and not extra["doubled"] and not extra["still_queued"]
    print(
        f"writes: {extra['writes']}, landed once: {extra['landed_once']}, doubled: {extra['doubled']}, "
        f"still queued: {extra['still_queued']} — {'OK' if ok else 'FAILED'}"
    )


def _headroom(f: Figures) -> str:
    if f.min_remaining is None:
        return "-"
    return f"{100 * f.min_remaining / f.limit:.0f}%" + (" (429s)" if f.refused else "")


def _spread(counts: Counter) -> str:
    if not counts:
        return "-"
    values = list(counts.elements())
    low, high = min(values), max(values)
    mean = statistics.fmean(values)
    shown = f"{low}" if low == high else f"{low}–{high} (mean {mean:.2f})"
    return f"{shown} ({len(values)})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tenant")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_BOARDS} boards against a budget of {QUICK_LIMIT}")
    parser.add_argument(
        "--speedup", type=float, default=SPEEDUP, help="the PSA cycle and the window, shortened by this"
    )
    args, _ = parser.parse_known_args(argv)
    boards, companies, limit = (
        (QUICK_BOARDS, QUICK_COMPANIES, QUICK_LIMIT) if args.quick else (BOARDS, COMPANIES, LIMIT)
    )
    with tempfile.TemporaryDirectory(prefix="bench-tenant-") as folder:
        ours, baseline, extra = asyncio.run(run(boards, companies, limit, args.speedup, Path(folder)))
    report(ours, baseline, extra)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
