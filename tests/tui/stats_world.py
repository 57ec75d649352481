"""A mirror for the Stats screen's snapshots and pilot tests: twelve weeks of tickets raised by
three people (one with a hostile name), answered, resolved and closed at known times, all before
the fixed clock. Filled through `apply_changes`, the sync engine's path."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cache.mirror import Mirror
from portal.schema import (
    AuthorRole,
    Category,
    Change,
    ChangeKind,
    EventKind,
    Priority,
    Status,
    Ticket,
    TimelineEvent,
    UserRef,
)
from tests.tui.fixed_world import COLLEAGUE, FIXED_NOW, ME
from tui.paths import profile_paths

HOSTILE_PERSON = UserRef(id=3, name="Eve \x1b[2J Intruder")
PEOPLE = [UserRef(id=ME.id, name=ME.name), COLLEAGUE, HOSTILE_PERSON]
TICKETS = 40
STILL_OPEN = [Status.OPEN, Status.IN_PROGRESS, Status.WAITING_ON_CLIENT, Status.WAITING_ON_VENDOR]
TECHNICIAN = "Tess Technician"


def _status(n: int) -> Status:
    if n < 8:
        return STILL_OPEN[n % len(STILL_OPEN)]
    return Status.CLOSED if n % 2 else Status.RESOLVED


def stats_ticket(n: int) -> Ticket:
    created = FIXED_NOW - timedelta(days=1 + 2 * n, hours=(5 * n) % 11)
    return Ticket(
        id=2000 + n,
        subject=f"Stats ticket {n}",
        category=list(Category)[n % len(Category)],
        priority=list(Priority)[(n * 3) % len(Priority)],
        description="Counted by the Stats screen.",
        status=_status(n),
        created_at=created,
        updated_at=created,
        submitted_by=PEOPLE[n % len(PEOPLE)],
        company_id=1,
        assignee=TECHNICIAN,
        psa_ticket_id=f"ABC-{3000 + n}",
        rating=None,
        rating_comment=None,
        client_ref=None,
    )


def _event(ticket: Ticket, k: int, after: timedelta, kind: EventKind, **fields) -> TimelineEvent:
    msp = fields.pop("msp", True)
    return TimelineEvent(
        id=ticket.id * 100 + k,
        ticket_id=ticket.id,
        kind=kind,
        author_role=AuthorRole.MSP if msp else AuthorRole.CLIENT,
        author_name=TECHNICIAN if msp else ticket.submitted_by.name,
        body=fields.pop("body", None),
        from_status=fields.pop("from_status", None),
        to_status=fields.pop("to_status", None),
        assignee=fields.pop("assignee", None),
        score=None,
        created_at=ticket.created_at + after,
    )


def stats_timeline(n: int, ticket: Ticket) -> list[TimelineEvent]:
    """Answered within minutes to hours; resolved within days; the later half confirmed."""
    answered = timedelta(minutes=10 + (37 * n) % 300)
    events = [_event(ticket, 0, answered, EventKind.ASSIGNMENT, assignee=TECHNICIAN)]
    if ticket.status is Status.OPEN:
        return events
    working = answered + timedelta(hours=1)
    events.append(
        _event(ticket, 1, working, EventKind.STATUS_CHANGE, from_status=Status.OPEN, to_status=Status.IN_PROGRESS)
    )
    if ticket.status in STILL_OPEN[2:]:
        events.append(
            _event(
                ticket,
                2,
                working + timedelta(hours=2),
                EventKind.STATUS_CHANGE,
                from_status=Status.IN_PROGRESS,
                to_status=ticket.status,
            )
        )
    if ticket.status in (Status.RESOLVED, Status.CLOSED):
        resolved = timedelta(days=1 + n % 5, hours=n % 9)
        events.append(
            _event(
                ticket, 3, resolved, EventKind.STATUS_CHANGE, from_status=Status.IN_PROGRESS, to_status=Status.RESOLVED
            )
        )
    if ticket.status is Status.CLOSED:
        events.append(
            _event(
                ticket,
                4,
                resolved + timedelta(hours=3),
                EventKind.STATUS_CHANGE,
                msp=False,
                from_status=Status.RESOLVED,
                to_status=Status.CLOSED,
            )
        )
    return events


def stats_mirror(folder: Path) -> Mirror:
    env = {"XDG_CACHE_HOME": str(folder / "cache"), "XDG_DATA_HOME": str(folder / "data")}
    mirror = Mirror.open(profile_paths("stats", "http://127.0.0.1:9", ME.email, env))
    mirror.store_me(ME)
    changes: list[Change] = []
    for n in range(TICKETS):
        ticket = stats_ticket(n)
        changes.append(
            Change(seq=len(changes) + 1, kind=ChangeKind.TICKET, ticket_id=ticket.id, ticket=ticket, event=None)
        )
        for event in stats_timeline(n, ticket):
            changes.append(
                Change(seq=len(changes) + 1, kind=ChangeKind.EVENT, ticket_id=ticket.id, ticket=None, event=event)
            )
    mirror.apply_changes(changes, next_cursor="c1", has_more=False)
    return mirror
