"""Writes to the mirror's outbox go through the one path to the local files (off the event loop:
they fsync); the result comes back to the screen, which then asks the app to push it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen
from textual.worker import Worker

from screens.common import Services, SyncRequested

WRITE_GROUP = "write"


def write_then(
    screen: Screen,
    services: Services,
    write: Callable[[], Any],
    done: Callable[[Any], None],
    *,
    what: str,
) -> Worker | None:
    """Run `write` on the writer thread; on success call `done(result)` on the UI and request
    a sync. A write the mirror refuses (ValueError: its sentence names what is wrong) is shown
    as an error and the screen stays; a busy file is tried again until it is free (the status
    line says so). A second press while the first write is under way does nothing: one press,
    one ticket."""
    if _writing(screen):
        return None

    def finish(result: Any) -> None:
        done(result)
        screen.post_message(SyncRequested())

    async def attempt() -> None:
        try:
            result = await services.files.call(write, what=what, write=True)
        except ValueError as error:
            screen.notify(str(error), title="Not saved", severity="error", markup=False)
            return
        finish(result)

    return services.files.spawn(screen, attempt, what=what, group=WRITE_GROUP)


def _writing(screen: Screen) -> bool:
    return any(
        worker.node is screen and worker.group == WRITE_GROUP and not worker.is_finished
        for worker in screen.app.workers
    )
