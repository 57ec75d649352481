"""When a screen may take the keys the user typed: the app holds them (in order) until then."""

from __future__ import annotations

from textual.screen import Screen

from screens.writes import WRITE_GROUP

# A form being opened: its draft is read first, then the form is pushed. What is typed after
# `n` or `c` is for that form, not for the screen still showing.
OPEN_FORM_GROUP = "open-form"

# While a worker of these groups runs on the screen, keys wait. A write under way: what is typed
# after `ctrl+s` is for the screen that comes next.
HOLDING_GROUPS = frozenset({WRITE_GROUP, OPEN_FORM_GROUP})


def takes_keys(screen: Screen) -> bool:
    return not any(
        worker.node is screen and worker.group in HOLDING_GROUPS and not worker.is_finished
        for worker in screen.app.workers
    )
