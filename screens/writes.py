"""Writes to the mirror's outbox happen off the event loop (they fsync); the result comes back
to the screen, which then asks the app to push it to the portal."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from textual.screen import Screen
from textual.worker import Worker

from screens.common import SyncRequested

WRITE_GROUP = "write"


def write_then(screen: Screen, write: Callable[[], Any], done: Callable[[Any], None]) -> Worker | None:
    """Run `write` in a thread; on success call `done(result)` on the UI and request a sync.
    A write the mirror refuses (ValueError: its sentence names what is wrong) or cannot make
    now (a busy file) is shown as an error, the screen stays, and nothing else happens. A second
    press while the first write is under way does nothing: one press, one ticket."""
    if _writing(screen):
        return None

    def run() -> None:
        try:
            result = write()
        except (ValueError, sqlite3.Error) as error:
            message = str(error) if isinstance(error, ValueError) else f"Could not save it just now ({error}); try again."
            screen.app.call_from_thread(screen.notify, message, title="Not saved", severity="error", markup=False)
            return
        screen.app.call_from_thread(_finish, result)

    def _finish(result: Any) -> None:
        done(result)
        screen.post_message(SyncRequested())

    return screen.run_worker(run, thread=True, group=WRITE_GROUP, exit_on_error=True)


def _writing(screen: Screen) -> bool:
    return any(
        worker.node is screen and worker.group == WRITE_GROUP and not worker.is_finished
        for worker in screen.app.workers
    )
