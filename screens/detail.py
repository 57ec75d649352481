"""A ticket in full: its fields, description and timeline; comment, confirm, reopen, rate."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from rich.padding import Padding
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen

from cache.model import TicketView, TimelineItem
from portal.vocabulary import CATEGORY_LABELS, AuthorRole, EventKind, Status
from screens.careful import ConfirmResolvedScreen, ReopenScreen
from screens.comment import CommentScreen, draft_name
from screens.common import MirrorChanged, Services
from screens.copy_reference import copy_reference
from screens.drafts import open_with_draft
from screens.rating import RatingScreen
from screens.writes import write_held
from widgets.badges import ATTENTION_STYLE, MARK_PENDING, PENDING_STYLE, priority_badge, status_badge
from widgets.colours import Palette, palette_for
from widgets.document import PLAIN, DocumentView, Para, Spans
from widgets.guarded import Guarded
from widgets.key_bar import KeyBar
from widgets.plain import plain_text, visible
from widgets.sync_line import SyncLine
from widgets.timeline import event_anchor, stars, timeline_blocks
from widgets.when import date_and_time, span

BLANK = Para("")
HEADING = Style(bold=True, underline=True)

# Each action is offered only when the ticket allows it: the TicketView says which.
ALLOWED_BY = {"confirm": "can_confirm", "reopen": "can_reopen", "rate": "can_rate"}


class DetailScreen(Guarded, Screen):
    CSS_PATH = "detail.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "Back", id="detail.back"),
        Binding("c", "comment", "Comment", id="detail.comment"),
        Binding("f", "confirm", "Confirm", tooltip="Confirm resolved", id="detail.confirm"),
        Binding("o", "reopen", "Reopen", id="detail.reopen"),
        Binding("t", "rate", "Rate", id="detail.rate"),
        Binding("y", "copy_reference", "Copy reference", show=False, id="detail.copy"),
    ]

    def __init__(
        self, services: Services, ticket_id: int, *, at_event: int | None = None, at_top: bool = False
    ) -> None:
        """It opens at the first event the MSP added since the user last opened it; or, asked
        for one (a line of the Activity), at event `at_event`, marked; or `at_top`."""
        super().__init__()
        self.services = services
        self.ticket_id = ticket_id
        self.at_event = at_event
        self.at_top = at_top
        self.view: TicketView | None = None
        # The events in front of the user when they began to write: what their write adds is what
        # is new against these, whichever read first brings it (one may come while the form is open).
        self._shown_before_write: frozenset[int] = frozenset()
        self._own_write_done = False

    def compose(self) -> ComposeResult:
        yield DocumentView(id="detail")
        yield SyncLine(id="sync-line")
        yield KeyBar()

    def on_mount(self) -> None:
        self.refresh_from_mirror()
        self.query_one(DocumentView).focus()
        self.watch(self.app, "theme", self._recolour, init=False)

    def _recolour(self) -> None:
        """The badges and the timeline in the colours of a theme chosen while open."""
        if self.view is not None:
            self._show(self.view)

    @on(MirrorChanged)
    def refresh_from_mirror(self) -> None:
        """Read the ticket (off the loop), show it, then note that the user has seen it."""
        self.services.files.run(
            self,
            _read_ticket,
            self.services.mirror,
            self.ticket_id,
            then=self._read,
            what=f"reading ticket {self.ticket_id}",
            group="detail-read",
            latest=True,
        )

    def _read(self, read: tuple[int, TicketView | None, datetime | None]) -> None:
        before = self.view
        self.ticket_id, self.view, seen_until = read
        at_end = self.query_one(DocumentView).at_end
        if self.view is None:
            gone = f"Ticket {self.ticket_id} is not in your view any more: it was removed or moved out of your access."
            self.query_one(DocumentView).show([Para(gone, Style(bold=True), 1)])
            self.refresh_bindings()
            return
        if before is None and (self.at_top or self.at_event is not None):
            shown = next((item for item in self.view.timeline if item.id == self.at_event), None)
        elif self._own_write_done:
            # The first read after the write has it (the write was done before the form closed).
            shown = own_event_added(self._shown_before_write, self.view)
            self._shown_before_write, self._own_write_done = frozenset(), False
        else:
            shown = event_to_show(before, self.view, seen_until, at_end=at_end)
        self._show(self.view, scroll_to=event_anchor(shown).key if shown else None)
        self.refresh_bindings()
        if not self.view.row.pending:
            files = self.services.files
            # On the app, not this screen: it completes even if the user has gone back.
            files.run(
                self.app,
                files.mirror.mark_opened,
                self.ticket_id,
                what=f"marking ticket #{self.ticket_id} as read",
                write=True,
                group="mark-opened",
            )

    def _show(self, view: TicketView, *, scroll_to: object | None = None) -> None:
        row = view.row
        number = "new · " if row.pending else f"#{row.id} · "
        self.query_one(DocumentView).show(
            [
                BLANK,
                Para(number + visible(row.subject), Style(bold=True), 1),
                BLANK,
                Padding(_fields(view, palette_for(self.app.current_theme), self._now()), (0, 1)),
                BLANK,
                Spans(((" Description", HEADING),)),
                Para(visible(view.description), PLAIN, 2),
                BLANK,
                Spans(((" Timeline (oldest first)", HEADING),)),
                *timeline_blocks(view.timeline, palette_for(self.app.current_theme), marked=self.at_event),
                BLANK,
            ],
            scroll_to=scroll_to,
        )

    def _now(self) -> datetime:
        clock = getattr(self.app, "clock", None)
        return datetime.fromtimestamp(clock(), tz=UTC) if clock else datetime.now(UTC)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ALLOWED_BY:
            return self.view is not None and getattr(self.view, ALLOWED_BY[action])
        if action == "comment":
            return self.view is not None
        return True

    # --- actions ----------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def _begin_write(self) -> None:
        self._shown_before_write = frozenset(item.id for item in self.view.timeline) if self.view else frozenset()
        self._own_write_done = False

    def action_comment(self) -> None:
        self._begin_write()
        ticket_id = self.ticket_id
        open_with_draft(
            self,
            self.services.files,
            draft_name(ticket_id),
            lambda saved: self.app.push_screen(
                CommentScreen(self.services, ticket_id, saved), callback=self._after_write
            ),
        )

    def _ticket_name(self) -> str:
        """The ticket as the questions name it: its number and subject."""
        subject = f" “{visible(self.view.row.subject, one_line=True)}”" if self.view else ""
        return f"#{self.ticket_id}{subject}"

    def action_confirm(self) -> None:
        self._begin_write()
        self.app.push_screen(ConfirmResolvedScreen(self._ticket_name()), callback=self._confirm)

    def _confirm(self, yes: bool | None) -> None:
        if not yes:
            return
        ticket_id, outbox = self.ticket_id, self.services.mirror.outbox
        write_held(
            self,
            self.services,
            lambda hold: outbox.confirm(ticket_id, hold=hold),
            self._after_write,
            said=f"Confirmed #{ticket_id}",
            what=f"confirming ticket #{ticket_id}",
        )

    def action_reopen(self) -> None:
        self._begin_write()
        self.app.push_screen(ReopenScreen(self._ticket_name()), callback=self._reopen)

    def _reopen(self, reason: str | None) -> None:
        if reason is None:
            return
        ticket_id, outbox = self.ticket_id, self.services.mirror.outbox
        write_held(
            self,
            self.services,
            lambda hold: outbox.reopen(ticket_id, reason, hold=hold),
            self._after_write,
            said=f"Reopened #{ticket_id}",
            what=f"reopening ticket #{ticket_id}",
        )

    def action_copy_reference(self) -> None:
        copy_reference(self.app, self.view.row if self.view else None)

    def action_rate(self) -> None:
        self._begin_write()
        current = self.view.rating if self.view else None
        self.app.push_screen(RatingScreen(self.services, self.ticket_id, current), callback=self._after_write)

    def _after_write(self, result: object = None) -> None:
        """A form or a question closed: written (scroll to what it added, once a read has it) or
        left (`None`, `False`)."""
        self._own_write_done = result is not None and result is not False
        self.refresh_from_mirror()


def own_event_added(shown_before: frozenset[int], view: TicketView) -> TimelineItem | None:
    """The user's latest event that was not in front of them when they began to write: one
    still waiting to be sent, else (sent already, so no longer marked theirs) a client's."""
    added = [item for item in view.timeline if item.id not in shown_before]
    pending = [item for item in added if item.pending]
    clients = [item for item in added if item.author_role is AuthorRole.CLIENT]
    return (pending or clients or [None])[-1]


def event_to_show(
    before: TicketView | None, after: TicketView, seen_until: datetime | None, *, at_end: bool
) -> TimelineItem | None:
    """The event the view scrolls to, if any, when the user has not just written. Just opened:
    the first the MSP added since the user last opened the ticket. Later: the first new event,
    but only if the user was at the end (reading on is not interrupted)."""
    if before is None:
        return next(
            (
                item
                for item in after.timeline
                if item.author_role is AuthorRole.MSP and (seen_until is None or item.created_at > seen_until)
            ),
            None,
        )
    known = {item.id for item in before.timeline}
    new = [item for item in after.timeline if item.id not in known]
    if not new:
        return None
    return new[0] if at_end else None


def _read_ticket(mirror, ticket_id: int) -> tuple[int, TicketView | None, datetime | None]:
    """On the reader thread: the ticket's portal id (once it has one), the ticket, and the
    newest MSP event the user had seen when they last opened it."""
    ticket_id = mirror.outbox.resolve(ticket_id)
    return ticket_id, mirror.ticket(ticket_id), mirror.seen_until(ticket_id)


def waiting_since(view: TicketView) -> datetime:
    """When the ticket last turned to "waiting on you" (its last update if the timeline does
    not say)."""
    turns = [
        item.created_at
        for item in view.timeline
        if item.kind is EventKind.STATUS_CHANGE and item.to_status is Status.WAITING_ON_CLIENT
    ]
    return max(turns, default=view.row.updated_at)


def _fields(view: TicketView, palette: Palette, now: datetime) -> Table:
    row = view.row
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim", no_wrap=True)
    table.add_column()
    table.add_column(style="dim", no_wrap=True)
    table.add_column()
    status = Text(MARK_PENDING, style=PENDING_STYLE) if row.pending else status_badge(row.status, palette)
    if not row.pending and row.status is Status.WAITING_ON_CLIENT:
        status = Text.assemble(status, f" for {span((now - waiting_since(view)).total_seconds())}")
    if row.needs_attention:
        status = Text.assemble(("needs attention: ", ATTENTION_STYLE), plain_text(row.needs_attention))
    table.add_row("Status", status, "Priority", priority_badge(row.priority, palette))
    table.add_row(
        "Category",
        CATEGORY_LABELS[row.category],
        "PSA ticket",
        plain_text(row.psa_ticket_id) if row.psa_ticket_id else Text("not yet synced to the PSA", style="dim"),
    )
    table.add_row(
        "Assignee",
        plain_text(row.assignee) if row.assignee else Text("unassigned", style="dim"),
        "Submitted by",
        plain_text(row.submitted_by_name, one_line=True),
    )
    table.add_row("Created", date_and_time(row.created_at), "Updated", date_and_time(row.updated_at))
    if view.rating:
        rating = Text(f"{stars(view.rating)} {view.rating}/5")
        if view.rating_comment:
            rating.append(" — ").append_text(plain_text(view.rating_comment))
        table.add_row("Rating", rating, "", "")
    return table
