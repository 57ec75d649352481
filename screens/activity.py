"""`a`: the Activity screen — every change by others a sync brought, newest first: the ticket,
what changed in words, when; `●` until seen. `enter` opens the ticket at that change's event,
marked ▶ (and marks that line read); `m` marks all read. The log lives in the mirror (cache/activity.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from cache.model import ActivityEntry
from screens.common import ActivityRead, MirrorChanged, Services
from screens.detail import DetailScreen
from widgets.colours import palette_for
from widgets.guarded import Guarded
from widgets.key_bar import KeyBar
from widgets.plain import visible
from widgets.sync_line import SyncLine
from widgets.when import ago

LOADING = "Loading the activity from the local copy of your tickets…"
NOTHING_YET = "Nothing yet: what your MSP and colleagues change appears here after each sync."
UNREAD_MARK = "●"
WHEN_WIDTH = 12
# Each column is padded by one cell either side; the scrollbar takes two.
PADDING = 4 * 2 + 2


def _widths(screen_width: int) -> tuple[int, int]:
    """The ticket's and the change's columns share what the mark and the time leave, 2 : 3."""
    room = max(20, screen_width - PADDING - 1 - WHEN_WIDTH)
    ticket = room * 2 // 5
    return ticket, room - ticket


class ActivityScreen(Guarded, Screen):
    CSS_PATH = "activity.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back"),
        Binding("enter", "open", "Open ticket"),
        Binding("m", "mark_all_read", "Mark all read"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.entries: list[ActivityEntry] | None = None  # None until read from the mirror

    def compose(self) -> ComposeResult:
        yield Static("Activity — newest first", id="activity-title")
        yield Static(LOADING, id="activity-note")
        yield DataTable(id="activity-table", cursor_type="row", zebra_stripes=False)
        yield SyncLine(id="sync-line")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @on(MirrorChanged)
    def load(self) -> None:
        files = self.services.files
        files.run(
            self, files.mirror.activity, then=self._show, what="reading the activity", group="activity", latest=True
        )

    def _show(self, entries: list[ActivityEntry]) -> None:
        self.entries = entries
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        ticket_width, what_width = _widths(self.size.width)
        table.add_column("", key="mark", width=1)
        table.add_column("Ticket", key="ticket", width=ticket_width)
        table.add_column("What changed", key="what", width=what_width)
        table.add_column("When", key="when", width=WHEN_WIDTH)
        now = self._now()
        unread_style = palette_for(self.app.current_theme).changed
        for entry in entries:
            change = entry.change
            table.add_row(
                Text(" " if entry.read else UNREAD_MARK, style="" if entry.read else unread_style),
                Text(
                    f"#{change.ticket_id} {visible(change.subject, one_line=True)}", no_wrap=True, overflow="ellipsis"
                ),
                Text(visible(change.what, one_line=True), no_wrap=True, overflow="ellipsis"),
                Text(ago(change.at, now), no_wrap=True),
                key=str(entry.id),
            )
        if entries:
            table.move_cursor(row=min(row, len(entries) - 1))
        unread = sum(not e.read for e in entries)
        note = self.query_one("#activity-note", Static)
        note.update(f"{unread} unread · enter opens the ticket · m marks all read" if entries else NOTHING_YET)

    def on_resize(self) -> None:
        if self.entries is not None:
            self._show(self.entries)

    def _now(self) -> datetime:
        clock = getattr(self.app, "clock", time.time)
        return datetime.fromtimestamp(clock(), tz=UTC)

    def _selected(self) -> ActivityEntry | None:
        table = self.query_one(DataTable)
        if not self.entries or table.cursor_row < 0 or table.cursor_row >= len(self.entries):
            return None
        return self.entries[table.cursor_row]

    def action_close(self) -> None:
        self.dismiss()

    def action_open(self) -> None:
        entry = self._selected()
        if entry is None:
            return
        files = self.services.files
        files.run(
            self,
            files.mirror.mark_activity_read,
            [entry.id],
            then=lambda _: self._read_changed(),
            what="marking the activity read",
            group="activity-read",
            write=True,
        )
        change = entry.change
        # At the very event; a new ticket's line at the ticket's top (it has no event of its own).
        self.app.push_screen(
            DetailScreen(self.services, change.ticket_id, at_event=change.event_id, at_top=change.event_id is None)
        )

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_mark_all_read(self) -> None:
        files = self.services.files
        files.run(
            self,
            files.mirror.mark_activity_read,
            then=lambda _: self._read_changed(),
            what="marking the activity read",
            group="activity-read",
            write=True,
        )

    def _read_changed(self) -> None:
        self.load()
        self.app.post_message(ActivityRead())
