"""Sign-in flood: 32 concurrent anonymous sign-ins for 20 s while another user works.

Each of 32 flooders has a loopback address of its own (127.0.0.10 … 127.0.0.41, so the
per-address sign-in budget alone cannot absorb the flood) and signs in again and again with a
new unknown email and a wrong password. Meanwhile a signed-in user of another company lists
their tickets every 20 ms. Printed: that user's p50 idle (half measured before the flood, half
after, same portal) and under the flood, the ratio, and the portal's peak resident memory (VmHWM) — for the portal as it ships
(password checks bounded to half the cores, 20 sign-ins per address a minute) and, as the
baseline, the same portal with 32 password checks at once and no per-address budget (what the
flood met before). The target: the ratio under 3 and the peak under 500 MB. `--quick`: 5 s.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

from portal.server.ratelimit import DEFAULT_SIGN_IN_RATE_LIMIT
from tests.support.portal import RunningPortal, make_world, start_portal, token_for

FLOODERS = 32
FLOOD_SECONDS = 20.0
QUICK_FLOOD_SECONDS = 5.0
IDLE_SAMPLES = 200
SAMPLE_EVERY_SECONDS = 0.02


@dataclass
class Figures:
    idle_p50_ms: float
    flood_p50_ms: float
    flood_p99_ms: float
    peak_rss_mb: float
    answers: Counter

    @property
    def ratio(self) -> float:
        return self.flood_p50_ms / self.idle_p50_ms


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class OtherUser:
    """Lists tickets on its own thread, so the flood's event loop cannot delay its clock."""

    def __init__(self, portal: RunningPortal, token: str) -> None:
        self._http = httpx.Client(base_url=portal.api, headers={"Authorization": f"Bearer {token}"}, timeout=60)

    def one(self) -> float:
        started = time.perf_counter()
        response = self._http.get("/tickets", params={"limit": 20})
        response.raise_for_status()
        return (time.perf_counter() - started) * 1000

    def sample(self, count: int) -> list[float]:
        return [self.one() for _ in range(count)]

    def sample_until(self, stop: threading.Event, into: list[float]) -> None:
        while not stop.is_set():
            into.append(self.one())
            time.sleep(SAMPLE_EVERY_SECONDS)

    def close(self) -> None:
        self._http.close()


async def _flood(api: str, seconds: float, answers: Counter) -> None:
    deadline = time.monotonic() + seconds

    async def flooder(n: int) -> None:
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{10 + n}")
        async with httpx.AsyncClient(base_url=api, transport=transport, timeout=60) as http:
            while time.monotonic() < deadline:
                email = f"nobody-{uuid.uuid4().hex[:12]}@flood.example"
                try:
                    response = await http.post("/auth/token", json={"email": email, "password": "a guess"})
                    answers[response.status_code] += 1
                except httpx.HTTPError as error:
                    answers[type(error).__name__] += 1

    await asyncio.gather(*(flooder(n) for n in range(FLOODERS)))


def measure(folder: Path, seconds: float, *, bounded: bool) -> Figures:
    settings = (
        {"sign_in_rate_limit": DEFAULT_SIGN_IN_RATE_LIMIT}
        if bounded
        else {"sign_in_rate_limit": 100_000, "sign_in_workers": FLOODERS}
    )
    portal = start_portal(folder, log_level="error", **settings)
    try:
        world = make_world(portal)
        user = OtherUser(portal, token_for(portal, world.accounts["b_own"]))
        user.sample(20)  # warm up
        idle = user.sample(IDLE_SAMPLES // 2)
        during: list[float] = []
        stop = threading.Event()
        sampler = threading.Thread(target=user.sample_until, args=(stop, during))
        answers: Counter = Counter()
        sampler.start()
        try:
            asyncio.run(_flood(portal.api, seconds, answers))
        finally:
            stop.set()
            sampler.join()
        peak = _peak_rss_mb(portal.pid)
        time.sleep(1)  # the queued sign-ins drain
        idle += user.sample(IDLE_SAMPLES // 2)  # before and after: the shared machine drifts
        user.close()
    finally:
        portal.stop()
    return Figures(
        idle_p50_ms=statistics.median(idle),
        flood_p50_ms=statistics.median(during),
        flood_p99_ms=statistics.quantiles(during, n=100)[98],
        peak_rss_mb=peak,
        answers=answers,
    )


def main(argv: list[str] | None = None) -> dict[str, Figures]:
    parser = argparse.ArgumentParser(prog="python -m bench.login_flood")
    parser.add_argument("--quick", action="store_true", help=f"a {QUICK_FLOOD_SECONDS:.0f} s flood")
    args = parser.parse_args(argv)
    seconds = QUICK_FLOOD_SECONDS if args.quick else FLOOD_SECONDS
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-login-flood-") as folder:
        for name, bounded in (("as shipped", True), ("unbounded (baseline)", False)):
            results[name] = measure(Path(folder), seconds, bounded=bounded)
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(f"{FLOODERS} concurrent anonymous sign-ins for {seconds:.0f} s, from {FLOODERS} addresses;")
    print("another user lists tickets every 20 ms (target: ratio < 3, peak < 500 MB)")
    print(f"machine load average at the end: {load} on {os.cpu_count()} cores\n")
    print(f"{'':24}{'idle p50':>10}{'flood p50':>11}{'ratio':>8}{'flood p99':>11}{'peak RSS':>10}  answers")
    for name, f in results.items():
        answers = ", ".join(f"{count} × {status}" for status, count in sorted(f.answers.items(), key=str))
        print(
            f"{name:24}{f.idle_p50_ms:>8.1f}ms{f.flood_p50_ms:>9.1f}ms{f.ratio:>7.1f}×"
            f"{f.flood_p99_ms:>9.1f}ms{f.peak_rss_mb:>7.0f} MB  {answers}"
        )
    return results


if __name__ == "__main__":
    main()
