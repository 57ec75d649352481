"""What every screen shares: the app's services they need, and the messages they send up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from textual.message import Message

from cache.mirror import Mirror


@dataclass(frozen=True)
class Services:
    """Handed to each screen by the app: the mirror to read and write, and the clock."""

    mirror: Mirror
    clock: Callable[[], float]

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=timezone.utc)


class SyncRequested(Message):
    """A screen wants a sync now: after `r`, or to push what the user just wrote."""


class MirrorChanged(Message):
    """The app tells the screens on the stack that the mirror has new data."""
