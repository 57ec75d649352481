"""Per-company request budget: a sliding 60-second window, in process memory."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 60.0


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
    def __init__(self, limit: int, *, clock: Callable[[], float]) -> None:
        self.limit = limit
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, company_id: int) -> Decision:
        """Count one request for the company, unless its budget is spent."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(company_id, deque())
            while hits and hits[0] <= now - WINDOW_SECONDS:
                hits.popleft()
            allowed = len(hits) < self.limit
            if allowed:
                hits.append(now)
            reset_at = (hits[0] if hits else now) + WINDOW_SECONDS
            return Decision(
                allowed=allowed,
                limit=self.limit,
                remaining=self.limit - len(hits),
                reset_at=reset_at,
                retry_after=max(1, math.ceil(reset_at - now)),
            )
