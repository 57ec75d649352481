"""Writes to the mirror's outbox happen off the event loop (they fsync); the result comes back
to the screen, which then asks the app to push it to the portal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen
from textual.worker import Worker

from screens.common import SyncRequested


def write_then(screen: Screen, write: Callable[[], Any], done: Callable[[Any], None]) -> Worker:
    """Run `write` in a thread; on success call `done(result)` on the UI and request a sync.
    A write the mirror refuses (ValueError: its sentence names what is wrong) is shown as an
    error and nothing else happens."""

    def run() -> None:
        try:
            result = write()
        except ValueError as error:
            screen.app.call_from_thread(screen.notify, str(error), title="Not saved", severity="error", markup=False)
            return
        screen.app.call_from_thread(_finish, result)

    def _finish(result: Any) -> None:
        done(result)
        screen.post_message(SyncRequested())

    return screen.run_worker(run, thread=True, group="write", exit_on_error=True)
