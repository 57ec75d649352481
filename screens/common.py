"""What every screen shares: the app's services they need, and the messages they send up."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from cache.mirror import Mirror


@dataclass(frozen=True)
class Services:
    """Handed to each screen by the app: what the screens read and write (the app, not the
    screens, talks to the portal)."""

    mirror: Mirror


class SyncRequested(Message):
    """A screen wants a sync now: after `r`, or to push what the user just wrote."""


class MirrorChanged(Message):
    """The app tells the screens on the stack that the mirror has new data."""
