"""Figures about the tickets in the mirror: what was opened and resolved each week, what is open
now, and how long the MSP takes to answer and to resolve (issue 12, item 5).

Pure computation over the mirror's connection (no textual, no I/O beyond one query), for the
Stats screen and `msp-tickets stats` alike. The definitions, fixed here so both say the same:

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
  12 weeks' opened and resolved as totals.

Tickets still only in the outbox are not the portal's yet and are not counted.
"""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from portal.schema import Priority, Status

WEEKS = 12
CLOSING_STATUSES = (Status.RESOLVED, Status.CLOSED)
OPEN_STATUSES = tuple(s for s in Status if s not in CLOSING_STATUSES)

# One row per ticket, with its first MSP event and its first resolution; the two subqueries
# walk the (ticket_id, created_at) index of events, a few rows each.
_TICKET_FACTS = """
SELECT t.submitted_by_id, t.submitted_by_name, t.priority, t.status, t.created_at,
       (SELECT min(e.created_at) FROM events e
         WHERE e.ticket_id = t.id AND e.author_role = 'msp') AS first_msp_at,
       (SELECT min(e.created_at) FROM events e
         WHERE e.ticket_id = t.id AND e.kind = 'status_change'
           AND e.to_status IN ('resolved', 'closed')) AS resolved_at
FROM tickets t
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


@dataclass(frozen=True)
class _Facts:
    submitter_id: int
    submitter_name: str
    priority: Priority
    status: Status
    created_at: datetime
    first_msp_at: datetime | None
    resolved_at: datetime | None


class _Window:
    """The 12 weeks, in the time zone of `now`."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("now must carry a time zone")
        self.now = now
        today = now.date()
        self.first_monday = today - timedelta(days=today.weekday() + 7 * (WEEKS - 1))

    def week_of(self, moment: datetime | None) -> int | None:
        """The index (0 = oldest) of the week `moment` falls in, or None if outside."""
        if moment is None:
            return None
        day = moment.astimezone(self.now.tzinfo).date()
        index = (day - self.first_monday).days // 7
        return index if 0 <= index < WEEKS else None

    def mondays(self) -> list[date]:
        return [self.first_monday + timedelta(weeks=k) for k in range(WEEKS)]


def ticket_stats(conn: sqlite3.Connection, now: datetime, *, by_submitter: bool) -> TicketStats:
    """Every figure of the Stats screen and `msp-tickets stats`, as of `now` (time-zone aware)."""
    window = _Window(now)
    facts = [_facts(row) for row in conn.execute(_TICKET_FACTS)]
    opened = [0] * WEEKS
    resolved = [0] * WEEKS
    for fact in facts:
        if (k := window.week_of(fact.created_at)) is not None:
            opened[k] += 1
        if (k := window.week_of(fact.resolved_at)) is not None:
            resolved[k] += 1
    still_open = [f for f in facts if f.status in OPEN_STATUSES]
    return TicketStats(
        now=now,
        weeks=tuple(Week(monday, o, r) for monday, o, r in zip(window.mondays(), opened, resolved)),
        open_by_priority={p: sum(f.priority is p for f in still_open) for p in reversed(Priority)},
        open_by_status={s: sum(f.status is s for f in still_open) for s in OPEN_STATUSES},
        medians=_medians(facts, window),
        by_submitter=_by_submitter(facts, window) if by_submitter else None,
    )


def _facts(row: tuple) -> _Facts:
    submitter_id, name, priority, status, created_at, first_msp_at, resolved_at = row
    return _Facts(
        submitter_id=submitter_id,
        submitter_name=name,
        priority=Priority(priority),
        status=Status(status),
        created_at=datetime.fromisoformat(created_at),
        first_msp_at=datetime.fromisoformat(first_msp_at) if first_msp_at else None,
        resolved_at=datetime.fromisoformat(resolved_at) if resolved_at else None,
    )


def _medians(facts: Iterable[_Facts], window: _Window) -> Medians:
    responses, resolutions = [], []
    for fact in facts:
        if window.week_of(fact.first_msp_at) is not None:
            responses.append(_seconds_between(fact.created_at, fact.first_msp_at))
        if window.week_of(fact.resolved_at) is not None:
            resolutions.append(_seconds_between(fact.created_at, fact.resolved_at))
    return Medians(
        first_response_seconds=statistics.median(responses) if responses else None,
        first_response_tickets=len(responses),
        resolution_seconds=statistics.median(resolutions) if resolutions else None,
        resolution_tickets=len(resolutions),
    )


def _seconds_between(start: datetime, end: datetime | None) -> float:
    assert end is not None
    # A clock skew between portal and PSA must not make a span negative.
    return max(0.0, (end - start).total_seconds())


def _by_submitter(facts: list[_Facts], window: _Window) -> tuple[SubmitterStats, ...]:
    groups: dict[int, list[_Facts]] = {}
    for fact in facts:
        groups.setdefault(fact.submitter_id, []).append(fact)
    rows = [
        SubmitterStats(
            submitter_id=submitter_id,
            # The newest ticket carries the name the portal uses for the person now.
            name=max(own, key=lambda f: f.created_at).submitter_name,
            opened=sum(window.week_of(f.created_at) is not None for f in own),
            resolved=sum(window.week_of(f.resolved_at) is not None for f in own),
            open_now=sum(f.status in OPEN_STATUSES for f in own),
            medians=_medians(own, window),
        )
        for submitter_id, own in groups.items()
    ]
    # Who has the most open, then the most raised lately, first; the name settles ties.
    rows.sort(key=lambda s: (-s.open_now, -s.opened, s.name.casefold(), s.submitter_id))
    return tuple(rows)
