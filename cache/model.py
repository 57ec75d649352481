"""What the mirror gives the screens: plain, immutable values, no I/O, no textual.

A ticket is addressed by `TicketRow.id`: the portal's id (> 0) once the portal has it, or the
negated outbox item id (< 0) while it exists only in the outbox. `Outbox.resolve(id)` maps a
pending id to the portal's id after acknowledgement, so a screen that holds a pending id keeps
showing the same ticket.

The values are `NamedTuple`s, as are the other records the board's launch makes: as immutable as
a frozen dataclass, but a frozen dataclass costs 0.3-0.5 ms to define (Python 3.11 compiles
each of its six generated methods), and the launch defined some thirty of them, a tenth of its
time (`bench.launch`). A change is `value._replace(field=...)`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from portal.vocabulary import STATUS_LABELS, AccessLevel, AuthorRole, Category, EventKind, Priority, Status


class Pill(StrEnum):
    """The board's filters: each is exactly one status, but All."""

    ALL = "all"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_ON_YOU = "waiting_on_client"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return PILL_LABELS[self]

    @property
    def status(self) -> Status | None:
        return None if self is Pill.ALL else Status(self.value)


PILL_LABELS = {pill: STATUS_LABELS[pill.status] if pill.status else "All" for pill in Pill}


class Scope(StrEnum):
    """Mine: tickets I submitted. Company: all the mirror holds (what the portal lets me see)."""

    MINE = "mine"
    COMPANY = "company"


class SortColumn(StrEnum):
    ID = "id"
    SUBJECT = "subject"
    CATEGORY = "category"
    PRIORITY = "priority"  # by severity, not alphabetically
    CREATED = "created"
    UPDATED = "updated"
    STATUS = "status"  # in workflow order
    SUBMITTED_BY = "submitted_by"
    # The board's Age: since the last activity, or on a ticket waiting on you since it turned
    # so; descending is the longest first (what has waited longest on you).
    AGE = "age"


# A sort column in words: in the CLI's messages and a saved view's description.
SORT_LABELS: dict[SortColumn, str] = {column: column.value.replace("_", " ").capitalize() for column in SortColumn}
SORT_LABELS[SortColumn.ID] = "ID"


class TicketQuery(NamedTuple):
    pill: Pill = Pill.ALL
    search: str = ""  # free text as the user typed it; the mirror makes it safe for FTS5
    sort: SortColumn = SortColumn.CREATED
    descending: bool = True
    scope: Scope = Scope.COMPANY
    # Narrower filters for scripts: an exact status (waiting_on_vendor has no pill), a priority,
    # a category. `status` wins over the pill when both are set.
    status: Status | None = None
    priority: Priority | None = None
    category: Category | None = None

    @property
    def wanted_status(self) -> Status | None:
        return self.status or self.pill.status


class TicketRow(NamedTuple):
    id: int
    subject: str
    category: Category
    priority: Priority
    status: Status
    created_at: datetime
    updated_at: datetime
    submitted_by_id: int
    submitted_by_name: str
    assignee: str | None
    psa_ticket_id: str | None
    pending: bool  # not yet acknowledged by the portal
    changed: bool  # the MSP changed it since the user last opened it
    needs_attention: str | None  # the portal's sentence when it refused a queued write
    # Its last change to waiting on the client (None if it never was, or is still pending).
    waiting_since: datetime | None = None

    @property
    def age_from(self) -> datetime:
        """Where its age counts from (the board's Age, `list --sort age`): its last activity; on
        a ticket waiting on the user, since it has waited."""
        if self.status is Status.WAITING_ON_CLIENT and not self.pending:
            return self.waiting_since or self.updated_at
        return self.updated_at


class TimelineItem(NamedTuple):
    id: int  # the portal's event id, or the negated outbox item id while pending
    kind: EventKind
    author_role: AuthorRole
    author_name: str
    body: str | None
    from_status: Status | None
    to_status: Status | None
    assignee: str | None
    score: int | None
    created_at: datetime
    pending: bool
    needs_attention: str | None = None


class TicketView(NamedTuple):
    row: TicketRow
    description: str
    rating: int | None
    rating_comment: str | None
    timeline: tuple[TimelineItem, ...]
    can_confirm: bool  # resolved, and I submitted it or I am a company_admin
    can_reopen: bool
    can_rate: bool  # resolved or closed, same people


class Viewer(NamedTuple):
    """Whom the board is shown to, as the portal last said (`GET /me`, kept in the mirror):
    enough for the reads and the board's title, read without the wire format's models."""

    id: int
    name: str
    company: str
    access_level: AccessLevel


class SyncStatus(NamedTuple):
    last_synced_at: datetime | None
    next_sync_at: datetime | None
    offline_since: datetime | None  # set after several failures in a row
    waiting_to_send: int  # outbox items not yet acknowledged and not needing attention
    needs_attention: int
    last_error: str | None


class NewsKind(StrEnum):
    NEW_TICKET = "new_ticket"
    COMMENT = "comment"
    STATUS_CHANGE = "status_change"
    ASSIGNMENT = "assignment"
    RATING = "rating"


class TicketChange(NamedTuple):
    """Something others did to a ticket, as data: the board, the activity view and the CLI all
    word it through `what`, so the same change reads the same everywhere."""

    ticket_id: int
    subject: str
    kind: NewsKind
    author_role: AuthorRole
    author_name: str
    at: datetime
    event_id: int | None = None  # None for a new ticket
    from_status: Status | None = None
    to_status: Status | None = None
    assignee: str | None = None
    body: str | None = None
    score: int | None = None
    author_id: int | None = None  # the portal's user id; None for the MSP, or a portal without ids

    @property
    def what(self) -> str:
        """In words, on one line, e.g. "In Progress → Waiting on you"."""
        match self.kind:
            case NewsKind.NEW_TICKET:
                return f"new ticket from {self.author_name}"
            case NewsKind.COMMENT:
                first_line = (self.body or "").strip().splitlines()[:1]
                who = "MSP" if self.author_role is AuthorRole.MSP else self.author_name
                return f"{who}: {first_line[0]}" if first_line else f"comment from {who}"
            case NewsKind.STATUS_CHANGE:
                return status_change_words(self.from_status, self.to_status)
            case NewsKind.ASSIGNMENT:
                return assignment_words(self.assignee)
            case NewsKind.RATING:
                return f"{rating_words(self.score)} by {self.author_name}"


# The words of a change, for the board, the detail, the activity view and the CLI alike; the
# labels they use are the schema's (portal/schema.py).


def status_change_words(before: Status | None, after: Status | None) -> str:
    """ "In Progress → Waiting on you"."""
    return f"{_label(before)} → {_label(after)}"


def assignment_words(assignee: str | None) -> str:
    return f"assigned to {assignee}" if assignee else "unassigned"


def rating_words(score: int | None) -> str:
    return f"rated {score}/5"


def _label(status: Status | None) -> str:
    return STATUS_LABELS[status] if status else "—"


class SyncResult(NamedTuple):
    pulled: int = 0
    pushed: int = 0
    changes: tuple[TicketChange, ...] = ()  # by others, in the order the feed brought them
    needs_attention: tuple[str, ...] = ()
    skipped: bool = False  # another process was syncing this profile
    error: str | None = None  # the portal's or the network's sentence when the sync failed
    auth_failed: bool = False  # the portal refused the token: log in again
    rebuilt: str | None = None  # why the mirror was wiped and rebuilt from the portal, in words

    @property
    def new_tickets(self) -> tuple[TicketChange, ...]:
        return tuple(c for c in self.changes if c.kind is NewsKind.NEW_TICKET)

    @property
    def by_others(self) -> tuple[TicketChange, ...]:
        """What others did to tickets that already existed."""
        return tuple(c for c in self.changes if c.kind is not NewsKind.NEW_TICKET)


class ActivityEntry(NamedTuple):
    """One line of the activity log: a change a sync brought, and whether the user has seen it."""

    id: int
    change: TicketChange
    read: bool
