"""Request budgets in a sliding window (60 seconds unless shortened for a benchmark), in process
memory: per company or for the whole tenant for the API, per client address for sign-ins."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

WINDOW_SECONDS = 60.0
DEFAULT_SIGN_IN_RATE_LIMIT = 20  # sign-in attempts per client address per minute
PRUNE_ABOVE_KEYS = 10_000  # idle keys (an address seen once) are dropped past this many


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # epoch seconds when the oldest counted request leaves the window
    retry_after: int  # whole seconds, >= 1; meaningful when refused

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }


class RateLimiter:
    def __init__(self, limit: int, *, clock: Callable[[], float], window: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()
        self._prune_above = PRUNE_ABOVE_KEYS

    def hit(self, key: Hashable) -> Decision:
        """Count one request for the key (a company, an address), unless its budget is spent."""
        now = self._clock()
        with self._lock:
            if len(self._hits) > self._prune_above:
                self._prune(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            allowed = len(hits) < self.limit
            if allowed:
                hits.append(now)
            reset_at = (hits[0] if hits else now) + self.window
            return Decision(
                allowed=allowed,
                limit=self.limit,
                remaining=self.limit - len(hits),
                reset_at=reset_at,
                retry_after=max(1, math.ceil(reset_at - now)),
            )

    def _prune(self, now: float) -> None:
        idle = [key for key, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]
        for key in idle:
            del self._hits[key]
        # Busy keys stay; pruning again only once their number has doubled keeps a hit O(1).
        self._prune_above = max(PRUNE_ABOVE_KEYS, 2 * len(self._hits))
