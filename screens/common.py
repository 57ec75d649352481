"""What every screen shares: the app's services they need, and the messages they send up."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.screen import Screen

from cache.mirror import Mirror

# The worker group of a screen's writes to the outbox (screens.writes).
WRITE_GROUP = "write"


@dataclass(frozen=True)
class Services:
    """Handed to each screen by the app: what the screens read and write (the app, not the
    screens, talks to the portal)."""

    mirror: Mirror


class SyncRequested(Message):
    """A screen wants a sync now: after `r`, or to push what the user just wrote."""


class MirrorChanged(Message):
    """The app tells the screens on the stack that the mirror has new data."""


def takes_keys(screen: Screen) -> bool:
    """Whether the keys the user typed may reach `screen` now. Not while it still loads what it
    shows (a form sets `loading_fields` until its draft is in: typed text goes after the draft),
    nor while a write it started is under way (what is typed after `ctrl+s` is for the screen
    that comes next)."""
    if getattr(screen, "loading_fields", False):
        return False
    return not any(
        worker.node is screen and worker.group == WRITE_GROUP and not worker.is_finished
        for worker in screen.app.workers
    )
