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
        # Bumped when the draft goes with the write that sends it: a save made before then that
        # runs after (it waited on a busy file) must not bring the sent text back as a draft.
        self._generation = 0
        self._sending = False  # the text is on its way in a write: nothing to save meanwhile

    def load(self) -> dict[str, str]:
        """The draft as it was when the form opened."""
        return dict(self._saved)

    def changed(self) -> None:
        if self._sending:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._owner.set_timer(SAVE_AFTER_SECONDS, self.save_now)

    def save_now(self) -> None:
        self._stop_timer()
        if self._sending:
            return
        fields = self._fields()
        keep = any(value.strip() for value in fields.values())
        self._files.run(
            self._owner.app,
            self._keep_unless_sent,
            self._generation,
            fields if keep else None,
            what="saving your draft" if keep else "clearing your draft",
            write=True,
            group=DRAFT_GROUP,
        )

    def _keep_unless_sent(self, generation: int, fields: dict[str, str] | None) -> None:
        """On the writer thread: the draft saved (None: cleared), unless it has been sent since."""
        if generation != self._generation:
            return
        drafts = self._files.mirror.drafts
        if fields is None:
            drafts.clear(self.name)
        else:
            drafts.save(self.name, fields)

    def forget(self) -> None:
        """Stop saving: the draft goes with the write that sends it (one transaction). What the
        field still reports afterwards (a paste's last change) is the text sent, not a draft."""
        self._stop_timer()
        self._generation += 1
        self._sending = True

    def resume(self) -> None:
        """The write did not go (refused, or it failed): the form stays, and so does its draft."""
        self._sending = False

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
