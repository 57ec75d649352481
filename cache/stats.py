"""Figures about the tickets in the mirror: what was opened and resolved each week, what is open
now, and how long the MSP takes to answer and to resolve (issue 12, item 5).

Pure computation over the mirror's connection (no textual; two queries), for the Stats screen
and `msp-tickets stats` alike; the screen runs it in a thread worker. The definitions, fixed here so both say the same:

- Weeks are the 12 ISO weeks (Monday to Sunday) ending with the one `now` falls in, in `now`'s
  time zone: the TUI and the CLI pass local time, so a week starts at the user's Monday midnight.
- Opened in a week: the ticket's `created_at` falls in it. Resolved in a week: its *first* status
  change to `resolved` (or to `closed`, for a ticket closed without being resolved) falls in it;
  a ticket reopened and resolved again counts once, at its first resolution.
- Open tickets: every ticket whose status is neither `resolved` nor `closed` now (resolved means
  "work done, waiting for the client's confirmation": nothing is left for the MSP to do).
- First MSP response: from `created_at` to the first event authored by the MSP of any kind — a
  comment, an assignment or a status change all show the client that someone took it up. Over the
  tickets whose first response fell in the 12 weeks.
- Resolution: from `created_at` to the first resolution as above, over the tickets first resolved
  in the 12 weeks.
- By submitter (only for a `company_admin`): the same per person who raised the tickets, with the
  12 weeks' opened and resolved as totals; people with nothing open and nothing in the 12 weeks
  are left out.
- The tickets counted are those in the mirror: what the user may see (their own, or the company's).

Tickets still only in the outbox are not the portal's yet and are not counted.
"""

from __future__ import annotations

import bisect
import sqlite3
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from portal.sqlite import utc_text
from portal.vocabulary import Priority, Status

WEEKS = 12
CLOSING_STATUSES = (Status.RESOLVED, Status.CLOSED)
OPEN_STATUSES = tuple(s for s in Status if s not in CLOSING_STATUSES)

# What is open now, counted in SQL: the name that comes with max(created_at) is the one on the
# person's newest open ticket (SQLite takes bare columns from the row that gave the max).
_OPEN_COUNTS = """
SELECT submitted_by_id, priority, status, count(*), max(created_at), submitted_by_name
FROM tickets WHERE status NOT IN ('resolved', 'closed')
GROUP BY submitted_by_id, priority, status
"""

# The tickets that may have something in the 12 weeks, with their first MSP event and first
# resolution. Reading a ticket's events is most of the cost, so only these are read: one opened
# in the window, or changed since it began — by the MSP (`last_msp_change_at` is its newest MSP
# event, so a first response or an MSP's resolution in the window shows there), or by anyone
# (`updated_at`, which the portal bumps with every event). One pass over each one's events.
_RECENT_TICKETS = """
SELECT t.submitted_by_id, t.submitted_by_name, t.created_at,
       min(CASE WHEN e.author_role = 'msp' THEN e.created_at END) AS first_msp_at,
       min(CASE WHEN e.kind = 'status_change' AND e.to_status IN ('resolved', 'closed')
                THEN e.created_at END) AS resolved_at
FROM tickets t LEFT JOIN events e ON e.ticket_id = t.id
WHERE t.created_at >= :start OR t.updated_at >= :start OR t.last_msp_change_at >= :start
GROUP BY t.id
"""


@dataclass(frozen=True)
class Week:
    start: date  # its Monday
    opened: int
    resolved: int

    @property
    def number(self) -> int:
        """The ISO week number, as calendars print it."""
        return self.start.isocalendar().week


@dataclass(frozen=True)
class Medians:
    """Median spans in seconds (None when nothing was measured), and how many tickets each
    median is taken over."""

    first_response_seconds: float | None
    first_response_tickets: int
    resolution_seconds: float | None
    resolution_tickets: int


@dataclass(frozen=True)
class SubmitterStats:
    submitter_id: int
    name: str  # as the portal spells it: pass it through the control-character gate to show it
    opened: int  # in the 12 weeks
    resolved: int  # in the 12 weeks
    open_now: int
    medians: Medians


@dataclass(frozen=True)
class TicketStats:
    now: datetime
    weeks: tuple[Week, ...]  # oldest first, the current week last
    open_by_priority: dict[Priority, int]  # every priority, highest first
    open_by_status: dict[Status, int]  # every open status, in workflow order
    medians: Medians
    by_submitter: tuple[SubmitterStats, ...] | None  # None: the user is not a company admin

    @property
    def open_total(self) -> int:
        return sum(self.open_by_status.values())


class _Window:
    """The 12 weeks, in the time zone of `now`: their bounds as the mirror's UTC text, so a time
    from the mirror is placed in its week without being parsed."""

    def __init__(self, now: datetime) -> None:
        # With the fixed offset astimezone() gives, a boundary across a DST change is an hour off.
        if now.tzinfo is None:
            raise ValueError("now must carry a time zone")
        today = now.date()
        first_monday = today - timedelta(days=today.weekday() + 7 * (WEEKS - 1))
        self.mondays = [first_monday + timedelta(weeks=k) for k in range(WEEKS)]
        midnights = [datetime.combine(first_monday + timedelta(weeks=k), time(), now.tzinfo) for k in range(WEEKS + 1)]
        self.bounds = [utc_text(midnight) for midnight in midnights]

    @property
    def start(self) -> str:
        return self.bounds[0]

    def week_of(self, moment: str | None) -> int | None:
        """The index (0 = oldest) of the week a mirror time falls in, or None if outside."""
        if moment is None or not self.bounds[0] <= moment < self.bounds[-1]:
            return None
        return bisect.bisect_right(self.bounds, moment) - 1


@dataclass(frozen=True)
class _Recent:
    """What one ticket adds to the 12 weeks' figures."""

    submitter_id: int
    opened_week: int | None
    resolved_week: int | None
    response_seconds: float | None  # only when the first response fell in the window
    resolution_seconds: float | None  # only when the first resolution fell in the window


@dataclass(frozen=True)
class _OpenCount:
    submitter_id: int
    priority: Priority
    status: Status
    tickets: int


class _Names:
    """Each submitter's name as on their newest ticket: the portal's spelling of it now."""

    def __init__(self) -> None:
        self._newest: dict[int, tuple[str, str]] = {}

    def saw(self, submitter_id: int, created_at: str, name: str) -> None:
        if created_at > self._newest.get(submitter_id, ("", ""))[0]:
            self._newest[submitter_id] = (created_at, name)

    def __getitem__(self, submitter_id: int) -> str:
        return self._newest[submitter_id][1]

    def __iter__(self):
        return iter(self._newest)


def ticket_stats(conn: sqlite3.Connection, now: datetime, *, by_submitter: bool) -> TicketStats:
    """Every figure of the Stats screen and `msp-tickets stats`, as of `now` (time-zone aware)."""
    window = _Window(now)
    names = _Names()
    open_counts = []
    for submitter_id, priority, status, tickets, newest, name in conn.execute(_OPEN_COUNTS):
        open_counts.append(_OpenCount(submitter_id, Priority(priority), Status(status), tickets))
        names.saw(submitter_id, newest, name)
    recent = []
    for row in conn.execute(_RECENT_TICKETS, {"start": window.start}):
        recent.append(_recent(row, window))
        names.saw(row[0], row[2], row[1])
    opened = [0] * WEEKS
    resolved = [0] * WEEKS
    for ticket in recent:
        if ticket.opened_week is not None:
            opened[ticket.opened_week] += 1
        if ticket.resolved_week is not None:
            resolved[ticket.resolved_week] += 1
    return TicketStats(
        now=now,
        weeks=tuple(Week(monday, o, r) for monday, o, r in zip(window.mondays, opened, resolved)),
        open_by_priority={p: sum(c.tickets for c in open_counts if c.priority is p) for p in reversed(Priority)},
        open_by_status={s: sum(c.tickets for c in open_counts if c.status is s) for s in OPEN_STATUSES},
        medians=_medians(recent),
        by_submitter=_by_submitter(recent, open_counts, names) if by_submitter else None,
    )


def _recent(row: tuple, window: _Window) -> _Recent:
    submitter_id, _name, created_at, first_msp_at, resolved_at = row
    responded_week = window.week_of(first_msp_at)
    resolved_week = window.week_of(resolved_at)
    return _Recent(
        submitter_id=submitter_id,
        opened_week=window.week_of(created_at),
        resolved_week=resolved_week,
        response_seconds=None if responded_week is None else _seconds_between(created_at, first_msp_at),
        resolution_seconds=None if resolved_week is None else _seconds_between(created_at, resolved_at),
    )


def _seconds_between(start: str, end: str) -> float:
    span = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    # A clock skew between portal and PSA must not make a span negative.
    return max(0.0, span.total_seconds())


def _medians(tickets: Iterable[_Recent]) -> Medians:
    responses, resolutions = [], []
    for ticket in tickets:
        if ticket.response_seconds is not None:
            responses.append(ticket.response_seconds)
        if ticket.resolution_seconds is not None:
            resolutions.append(ticket.resolution_seconds)
    return Medians(
        first_response_seconds=statistics.median(responses) if responses else None,
        first_response_tickets=len(responses),
        resolution_seconds=statistics.median(resolutions) if resolutions else None,
        resolution_tickets=len(resolutions),
    )


def _by_submitter(recent: list[_Recent], open_counts: list[_OpenCount], names: _Names) -> tuple[SubmitterStats, ...]:
    recent_of: dict[int, list[_Recent]] = {}
    for ticket in recent:
        recent_of.setdefault(ticket.submitter_id, []).append(ticket)
    rows = []
    for submitter_id in names:
        own = recent_of.get(submitter_id, [])
        rows.append(
            SubmitterStats(
                submitter_id=submitter_id,
                name=names[submitter_id],
                opened=sum(t.opened_week is not None for t in own),
                resolved=sum(t.resolved_week is not None for t in own),
                open_now=sum(c.tickets for c in open_counts if c.submitter_id == submitter_id),
                medians=_medians(own),
            )
        )
    # Who has the most open, then the most raised lately, first; the name settles ties.
    rows.sort(key=lambda s: (-s.open_now, -s.opened, s.name.casefold(), s.submitter_id))
    return tuple(rows)
