"""A draft save made before a form's text was sent, but run after it (it waited on a busy file),
never brings the sent text back as a draft: the next form would open with it (seen under load:
a new ticket's subject began with the one sent before)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from screens.drafts import DraftKeeper
from tests.tui.fixed_world import small_board


class HeldWrites:
    """Local files whose writes wait until the test runs them, as a busy file makes them wait."""

    def __init__(self, mirror) -> None:
        self.mirror = mirror
        self.waiting: list = []

    def run(self, _node, job, *args, **_options) -> None:
        self.waiting.append((job, args))

    def run_waiting(self) -> None:
        for job, args in self.waiting:
            job(*args)
        self.waiting.clear()


def _keeper(files: HeldWrites, fields: dict[str, str]) -> DraftKeeper:
    """The form's keeper; `fields` is what the form holds, read at each save."""
    owner = SimpleNamespace(app=None, set_timer=lambda *_: None)
    return DraftKeeper(owner, files, "new-ticket", lambda: dict(fields), {})


def test_a_save_that_runs_after_the_send_is_dropped(tmp_path: Path) -> None:
    mirror = small_board(tmp_path)
    try:
        files = HeldWrites(mirror)
        keeper = _keeper(files, {"subject": "Printer jams"})
        keeper.save_now()  # queued behind a busy file
        keeper.forget()  # the text is sent; the send removes the draft in its own transaction
        files.run_waiting()
        assert mirror.drafts.load("new-ticket") is None
    finally:
        mirror.close()


def test_a_change_reported_after_the_send_is_not_a_draft_until_the_send_fails(tmp_path: Path) -> None:
    """A paste's last change can be handled after ctrl+s: it is the text sent, not a draft. If
    the write then does not go, the form keeps saving its draft."""
    mirror = small_board(tmp_path)
    try:
        files = HeldWrites(mirror)
        keeper = _keeper(files, {"subject": "Printer jams"})
        keeper.forget()
        keeper.save_now()  # as the field's late Changed would, through the timer
        files.run_waiting()
        assert mirror.drafts.load("new-ticket") is None
        keeper.resume()  # the write did not go
        keeper.save_now()
        files.run_waiting()
        assert mirror.drafts.load("new-ticket") == {"subject": "Printer jams"}
    finally:
        mirror.close()
