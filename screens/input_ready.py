"""When a screen may take the keys the user typed: the app holds them (in order) until then."""

from __future__ import annotations

from textual.screen import Screen

from screens.drafts import OPEN_FORM_GROUP
from screens.writes import WRITE_GROUP
from widgets.ticket_table import TicketTable

# While a worker of these groups runs on the screen, keys wait. A write under way: what is typed
# after `ctrl+s` is for the screen that comes next. A form being opened: what is typed after `n`
# or `c` is for that form, not for the screen still showing.
HOLDING_GROUPS = frozenset({WRITE_GROUP, OPEN_FORM_GROUP})


def takes_keys(screen: Screen) -> bool:
    holding = any(
        worker.node is screen and worker.group in HOLDING_GROUPS and not worker.is_finished
        for worker in screen.app.workers
    )
    # An `enter` waiting for a new list's rows (`5` then `enter`): what follows is for the ticket.
    return not holding and not any(table.opening for table in screen.query(TicketTable))
