"""Writes to the mirror's outbox go through the one path to the local files (off the event loop:
they fsync); the result comes back to the screen, which then asks the app to push it — at once,
or, for a write the user may take back (a confirm, a reopen), once its undo window has passed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from textual.screen import Screen
from textual.worker import Worker

from cache.outbox import Held
from screens.common import HeldWrite, Services, SyncRequested

WRITE_GROUP = "write"


def write_then(
    screen: Screen,
    services: Services,
    write: Callable[[], Any],
    done: Callable[[Any], None],
    *,
    what: str,
    then_sync: bool = True,
    not_done: Callable[[], None] | None = None,
) -> Worker | None:
    """Run `write` on the writer thread; on success call `done(result)` on the UI and request
    a sync. A write the mirror refuses (ValueError: its sentence names what is wrong) is shown
    as an error and the screen stays; a busy file is tried again until it is free (the status
    line says so). A second press while the first write is under way does nothing: one press,
    one ticket. Without `then_sync` the sync is left to the caller. `not_done` is called when
    the write did not go, whatever the reason."""
    if _writing(screen):
        return None

    def finish(result: Any) -> None:
        done(result)
        if then_sync:
            screen.post_message(SyncRequested())

    async def attempt() -> None:
        written = False
        try:
            result = await services.files.call(write, what=what, write=True)
            written = True
        except ValueError as error:
            screen.notify(str(error), title="Not saved", severity="error", markup=False)
            return
        finally:
            if not written and not_done is not None:
                not_done()
        finish(result)

    return services.files.spawn(screen, attempt, what=what, group=WRITE_GROUP)


def write_held(
    screen: Screen,
    services: Services,
    write: Callable[[timedelta], Held],
    done: Callable[[Held], None],
    *,
    said: str,
    what: str,
) -> Worker | None:
    """`write(services.undo_window)` as `write_then` does, held back in the outbox for the user
    to take back: the app hears of it (HeldWrite, naming it as `said`) and sends it when the hold
    ends."""

    def held(result: Held) -> None:
        done(result)
        screen.post_message(HeldWrite(result, said))

    return write_then(screen, services, lambda: write(services.undo_window), held, what=what, then_sync=False)


def _writing(screen: Screen) -> bool:
    return any(
        worker.node is screen and worker.group == WRITE_GROUP and not worker.is_finished
        for worker in screen.app.workers
    )
