"""Whether someone is using the app — the one place that decides it. While someone is, the status
line counts down to the next sync by the second; once the app is left alone (a minute without a
key, a paste or a mouse event, or the terminal not in front: it reported focus out), the line
shows the next sync's clock time instead and nothing ticks, so a board left open all day writes
nothing to its terminal (over SSH, every byte crosses the link)."""

from __future__ import annotations

from collections.abc import Callable

LEFT_ALONE_AFTER_SECONDS = 60.0


class Presence:
    def __init__(self, clock: Callable[[], float]) -> None:
        """`clock`: the app's (seconds since the epoch); the app starts in use."""
        self._clock = clock
        self._last_input = clock()

    def used(self) -> None:
        """A key, a paste or a mouse event came."""
        self._last_input = self._clock()

    def left_alone(self, *, in_front: bool) -> bool:
        """`in_front`: the terminal has not reported losing focus (or has reported regaining it)."""
        return not in_front or self._clock() - self._last_input >= LEFT_ALONE_AFTER_SECONDS
