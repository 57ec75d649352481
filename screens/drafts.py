"""What the user is typing is saved as a draft in the outbox file as they type (debounced),
so it survives `esc` and a crash."""

from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer
from textual.widget import Widget

from cache.mirror import Mirror

SAVE_AFTER_SECONDS = 0.3


class DraftKeeper:
    def __init__(self, owner: Widget, mirror: Mirror, name: str, fields: Callable[[], dict[str, str]]) -> None:
        self._owner = owner
        self._mirror = mirror
        self.name = name
        self._fields = fields
        self._timer: Timer | None = None

    def load(self) -> dict[str, str]:
        return self._mirror.load_draft(self.name) or {}

    def changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._owner.set_timer(SAVE_AFTER_SECONDS, self.save_now)

    def save_now(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        fields = self._fields()
        if any(value.strip() for value in fields.values()):
            self._mirror.save_draft(self.name, fields)
        else:
            self._mirror.clear_draft(self.name)

    def clear(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._mirror.clear_draft(self.name)
