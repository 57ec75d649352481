"""Undo: the latest confirm or reopen waits in the outbox for a few seconds (screens/writes.py
UNDO_WINDOW) before it is sent, and `u` takes it back meanwhile — it is then never sent, and the
ticket shows as it was. The status line says what may be undone and for how long; once the hold
ends the write goes with the sync that follows at once."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import NamedTuple

from textual.app import App
from textual.timer import Timer

from cache.outbox import HELD_WRITE_MARGIN
from screens.common import HeldWrite, LocalFiles


class _Waiting(NamedTuple):
    write: HeldWrite
    timer: Timer  # the sync that sends it when its hold ends


class UndoWindow:
    def __init__(self, app: App, *, send: Callable[[], None], changed: Callable[[], None]) -> None:
        """`send` asks for a sync; `changed` tells the app that what may be undone changed."""
        self._app = app
        self._send = send
        self._changed = changed
        self._latest: _Waiting | None = None

    @property
    def open(self) -> bool:
        return self._latest is not None

    def held(self, write: HeldWrite) -> None:
        """A write now waits: it is the one `u` takes back, until its hold ends."""

        def ended() -> None:
            if self._latest is waiting:
                self._latest = None
                self._changed()
            self._send()

        waiting = _Waiting(write, self._app.set_timer(_seconds_left(write) + HELD_WRITE_MARGIN, ended))
        self._latest = waiting
        self._changed()

    def status(self, key: str) -> str | None:
        """The status line's lead while a write may be taken back: "Confirmed #12 · u to undo
        (4 s)"; `key` is the undo key in force."""
        if self._latest is None:
            return None
        seconds = max(1, math.ceil(_seconds_left(self._latest.write)))
        return f"{self._latest.write.said} · {key} to undo ({seconds} s)"

    def take_back(self, files: LocalFiles, reread: Callable[[], None]) -> None:
        """Take the latest held write out of the outbox; `reread` once it is gone (the screens
        show the ticket as it was)."""
        waiting, self._latest = self._latest, None
        if waiting is None:
            return
        self._changed()
        files.run(
            self._app,
            files.mirror.outbox.take_back,
            waiting.write.held,
            then=lambda taken_back: self._taken(waiting, taken_back, reread),
            what=f"undoing “{waiting.write.said}”",
            write=True,
        )

    def _taken(self, waiting: _Waiting, taken_back: bool, reread: Callable[[], None]) -> None:
        said = waiting.write.said
        if not taken_back:
            self._app.notify(f"Too late to undo “{said}”: it is being sent.", severity="warning", markup=False)
            return
        waiting.timer.stop()  # nothing to send
        self._app.notify(f"Undone: “{said}” — nothing was sent.", markup=False, timeout=3)
        reread()


def _seconds_left(write: HeldWrite) -> float:
    return max(0.0, (write.held.until - datetime.now(UTC)).total_seconds())
