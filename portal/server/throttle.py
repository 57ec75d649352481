"""Sign-ins that slow the guesser, never lock the owner out, and cannot starve the portal.

Attempts are counted per (email as typed, client address), whether or not an account has that
email, so the answers say nothing about which emails exist. The first few attempts are free;
after that each one must wait longer than the last (1 s, 2 s, 4 s … 5 minutes) before the next
is heard. An attempt is counted when it is admitted, before its password is checked, so
concurrent guesses queue like sequential ones; a successful sign-in forgets the count. Another
address is not slowed at all: the owner signs in from their own machine whatever a guesser
elsewhere does. In process memory, bounded: quiet entries are forgotten, and the oldest go
first when too many are kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import math
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

FREE_ATTEMPTS = 3
FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 300.0
FORGET_AFTER_SECONDS = 15 * 60  # quiet for this long past its wait: the entry is dropped
MAX_ENTRIES = 100_000
SIGN_IN_NICENESS = 10  # CPU weight about a tenth of the portal's other threads

T = TypeVar("T")


@dataclass
class _Entry:
    attempts: int
    not_before: float


def delay_after(attempts: int) -> float:
    """How long the next attempt must wait after this many unforgiven ones."""
    if attempts < FREE_ATTEMPTS:
        return 0.0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (attempts - FREE_ATTEMPTS))


class SignInThrottle:
    def __init__(self, *, clock: Callable[[], float], max_entries: int = MAX_ENTRIES) -> None:
        self._clock = clock
        self._max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, email: str, address: str) -> int:
        """0 when this attempt may be heard (and it is counted), else the whole seconds to wait."""
        key = (email.casefold(), address)
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.not_before > now:
                return max(1, math.ceil(entry.not_before - now))
            if entry is None:
                entry = self._entries[key] = _Entry(0, now)
            entry.attempts += 1
            entry.not_before = now + delay_after(entry.attempts)
            self._entries.move_to_end(key)
            self._forget_old(now)
            return 0

    def withdraw(self, email: str, address: str) -> None:
        """The admitted attempt was never heard (the portal was too busy): it does not count."""
        with self._lock:
            entry = self._entries.get((email.casefold(), address))
            if entry is not None and entry.attempts > 0:
                entry.not_before -= delay_after(entry.attempts) - delay_after(entry.attempts - 1)
                entry.attempts -= 1

    def forgive(self, email: str, address: str) -> None:
        """The attempt signed in: its count starts again."""
        with self._lock:
            self._entries.pop((email.casefold(), address), None)

    def __len__(self) -> int:
        return len(self._entries)

    def _forget_old(self, now: float) -> None:
        # Entries are in order of last attempt: the quiet ones are at the front.
        while self._entries:
            oldest = next(iter(self._entries.values()))
            quiet = oldest.not_before + FORGET_AFTER_SECONDS < now
            if not quiet and len(self._entries) <= self._max_entries:
                return
            self._entries.popitem(last=False)


class Saturated(Exception):
    """Too many sign-ins are already waiting for the password checker."""


class SignInQueue:
    """Password checks on a small pool of their own: at most `workers` argon2 verifications at
    once (each takes 64 MB and, with its four lanes, every core for tens of ms), at a lower CPU
    priority than the rest of the portal, and each followed by a rest as long as it took before
    that worker takes the next — so however many sign-ins arrive, they use at most half of the
    pool's time, and a flood of them cannot take the memory and the cores that everyone else's
    requests need. Waiting sign-ins hold no thread; past `max_waiting` (the one running
    included) they are turned away at once rather than queued for ever."""

    def __init__(self, *, workers: int, max_waiting: int, rest_ratio: float = 1.0) -> None:
        self.workers = workers
        self.max_waiting = max_waiting
        self._rest_ratio = rest_ratio
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sign-in", initializer=_yield_the_cpu)
        self._slots: asyncio.Semaphore | None = None  # made on the serving event loop
        self._waiting = 0  # touched on the event loop only

    async def run(self, work: Callable[..., T], *args: object) -> T:
        if self._waiting >= self.max_waiting:
            raise Saturated()
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        loop = asyncio.get_running_loop()
        self._waiting += 1
        try:
            await self._slots.acquire()
            started = time.monotonic()
            try:
                return await loop.run_in_executor(self._pool, functools.partial(work, *args))
            finally:
                # The answer goes out now; the slot comes back after the rest.
                rest = (time.monotonic() - started) * self._rest_ratio
                loop.call_later(rest, self._slots.release)
        finally:
            self._waiting -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _yield_the_cpu() -> None:
    # On Linux a nice value belongs to one thread (and the threads it starts: argon2's lanes),
    # so this lowers the password checks only. Elsewhere it would lower the whole process.
    # Relative to the portal's own nice value: a portal started under `nice` keeps the gap.
    if sys.platform == "linux":
        thread = threading.get_native_id()
        with contextlib.suppress(OSError):
            lower = min(19, os.getpriority(os.PRIO_PROCESS, thread) + SIGN_IN_NICENESS)
            os.setpriority(os.PRIO_PROCESS, thread, lower)
