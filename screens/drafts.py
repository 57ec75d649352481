"""What the user is typing is saved as a draft in the outbox file as they type (debounced),
so it survives `esc` and a crash. Reading and writing it goes through the one path to the local
files: the draft is read before its form opens (so nothing typed races a late load), and saved
by a worker of the app (so a save outlives the form it was typed in)."""

from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer
from textual.widget import Widget

from screens.common import LocalFiles

SAVE_AFTER_SECONDS = 0.3
DRAFT_GROUP = "drafts"
# A form being opened: its draft is read first, then the form is pushed (see input_ready).
OPEN_FORM_GROUP = "open-form"


def open_with_draft(owner: Widget, files: LocalFiles, name: str, open_form: Callable[[dict[str, str]], object]) -> None:
    """Read draft `name`, then call `open_form(fields)` (empty when there is none)."""
    files.run(
        owner,
        files.mirror.drafts.load,
        name,
        then=lambda saved: open_form(saved or {}),
        what="reading your draft",
        group=OPEN_FORM_GROUP,
        latest=True,
    )


class DraftKeeper:
    def __init__(
        self, owner: Widget, files: LocalFiles, name: str, fields: Callable[[], dict[str, str]], saved: dict[str, str]
    ) -> None:
        self._owner = owner
        self._files = files
        self.name = name
        self._fields = fields
        self._saved = saved
        self._timer: Timer | None = None

    def load(self) -> dict[str, str]:
        """The draft as it was when the form opened."""
        return dict(self._saved)

    def changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._owner.set_timer(SAVE_AFTER_SECONDS, self.save_now)

    def save_now(self) -> None:
        self._stop_timer()
        fields = self._fields()
        mirror = self._files.mirror
        if any(value.strip() for value in fields.values()):
            self._files.run(
                self._owner.app,
                mirror.drafts.save,
                self.name,
                fields,
                what="saving your draft",
                write=True,
                group=DRAFT_GROUP,
            )
        else:
            self._files.run(
                self._owner.app,
                mirror.drafts.clear,
                self.name,
                what="clearing your draft",
                write=True,
                group=DRAFT_GROUP,
            )

    def forget(self) -> None:
        """Stop saving: the draft went with the write that sent it (one transaction)."""
        self._stop_timer()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
