"""First sync at scale: a mirror built from an empty start against a portal holding 100,000
tickets (and their ~540,000 timeline events) for the user.

Printed for each page size of the change feed: the time and the requests of the whole first
sync, the bytes that crossed, and when the board was usable (the first page of tickets readable
from the mirror, polled by a second connection as the board's would be). Beside them, the
physical floor: the same number of bytes sent once over a loopback socket in the same run. And
what the requests cost against the vendor's real limit (100 a minute for the whole tenant), which
this run lifts so that the portal's and the client's own work are what is timed. `--quick`:
10,000 tickets. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from cache.mirror import Mirror
from cache.model import TicketQuery
from cache.sync import CHANGES_PAGE_SIZE, SyncEngine
from portal.client import CHANGES_PAGE_LIMIT, PortalClient
from tests.support.portal import RunningPortal, start_portal
from tui.paths import profile_paths

TICKETS = 100_000
TENANT_LIMIT_PER_MINUTE = 100
FIRST_PAGE = 100  # rows the board shows first
POLL_SECONDS = 0.05
USER = "admin@acme.example"  # the company admin of the one demo company: sees every ticket
PASSWORD = "demo-password"


class CountingTransport(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.requests = 0
        self.bytes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.real.handle_async_request(request)
        body = await response.aread()
        self.requests += 1
        self.bytes += len(body) + sum(len(k) + len(v) + 4 for k, v in response.headers.raw)
        return response

    async def aclose(self) -> None:
        await self.real.aclose()


@dataclass
class FirstSync:
    page_size: int
    seconds: float
    usable_after: float | None  # the first page of tickets readable from the mirror
    requests: int
    bytes: int
    tickets: int


async def first_sync(portal: RunningPortal, home: Path, page_size: int) -> FirstSync:
    transport = CountingTransport()
    async with PortalClient(portal.url, transport=transport) as client:
        await client.login(USER, PASSWORD)
        transport.requests = transport.bytes = 0  # the sign-in is not the sync
        paths = profile_paths(f"bench-{page_size}", portal.url, USER, {"HOME": str(home)})
        mirror, board = Mirror.open(paths), None
        try:
            engine = SyncEngine(mirror, client, page_size=page_size)
            started = time.perf_counter()
            sync = asyncio.create_task(engine.sync_now())
            board = Mirror.open(paths)  # what the board reads, while the sync writes
            usable_after = None
            while not sync.done():
                rows = await asyncio.to_thread(board.page, TicketQuery(), 0, FIRST_PAGE)
                if usable_after is None and len(rows) == FIRST_PAGE:
                    usable_after = time.perf_counter() - started
                await asyncio.sleep(POLL_SECONDS)
            result = await sync
            seconds = time.perf_counter() - started
            if result.error:
                raise RuntimeError(f"the first sync failed: {result.error}")
            tickets = await asyncio.to_thread(board.total, TicketQuery())
        finally:
            mirror.close()
            if board is not None:
                board.close()
    return FirstSync(page_size, seconds, usable_after, transport.requests, transport.bytes, tickets)


def loopback_seconds(size: int) -> float:
    """Time to send `size` bytes once over a TCP socket on 127.0.0.1: the physical floor."""
    chunk = b"x" * (1 << 20)
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def send() -> None:
        connection, _ = server.accept()
        with connection:
            left = size
            while left > 0:
                left -= connection.send(chunk[: min(left, len(chunk))])

    sender = threading.Thread(target=send)
    sender.start()
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as receiver:
        received = 0
        while received < size:
            data = receiver.recv(1 << 20)
            if not data:
                break
            received += len(data)
    seconds = time.perf_counter() - started
    sender.join()
    server.close()
    return seconds


def run(tickets: int, page_sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-first-sync-") as folder:
        home = Path(folder)
        portal = start_portal(home, rate_limit=1_000_000)
        try:
            seeded = time.perf_counter()
            portal.cli("seed-demo", "--companies", "1", "--tickets", str(tickets))
            print(f"portal seeded with {tickets:,} tickets in {time.perf_counter() - seeded:.1f} s")
            results = [asyncio.run(first_sync(portal, home / "boards", size)) for size in page_sizes]
        finally:
            portal.stop()
    floor = loopback_seconds(max(r.bytes for r in results))
    print(
        f"{'page size':>10}{'time':>10}{'usable at':>11}{'requests':>10}{'MB':>8}"
        f"{'floor':>9}{'x floor':>9}{'at 100 req/min':>16}"
    )
    for r in results:
        floor_here = floor * r.bytes / max(x.bytes for x in results)
        limited = r.requests / TENANT_LIMIT_PER_MINUTE * 60
        usable = f"{r.usable_after:.2f} s" if r.usable_after is not None else "-"
        print(
            f"{r.page_size:>10}{r.seconds:>8.1f} s{usable:>11}{r.requests:>10,}{r.bytes / 1e6:>8.1f}"
            f"{floor_here:>7.2f} s{r.seconds / floor_here:>8.0f}x{limited / 60:>12.1f} min"
        )
    print(
        f"every run: {results[0].tickets:,} tickets in the mirror; the floor is the bytes sent once "
        f"over a 127.0.0.1 socket ({max(r.bytes for r in results) / floor / 1e9:.2f} GB/s here); "
        "'at 100 req/min' is the requests alone against the vendor's tenant-wide limit"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.first_sync")
    parser.add_argument("--quick", action="store_true", help="10x fewer tickets")
    parser.add_argument("--page-size", type=int, action="append", help="change-feed page sizes to compare")
    args, _ = parser.parse_known_args(argv)
    tickets = TICKETS // 10 if args.quick else TICKETS
    # Before: pages of 100 (what the client's size cap is made for); now: pages of 1,000.
    run(tickets, args.page_size or [CHANGES_PAGE_LIMIT, CHANGES_PAGE_SIZE])


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
