"""A mirror filled from fixed schema models, for deterministic snapshots and the benchmark:
no server clock, no random ids. It goes through the mirror's own `apply_changes`, the path the
sync engine uses, so what the screens read is what a real sync would have left."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cache.mirror import Mirror
from portal.schema import (
    AccessLevel,
    AuthorRole,
    Category,
    Change,
    ChangeKind,
    CompanyRef,
    EventKind,
    Me,
    Priority,
    Status,
    Ticket,
    TimelineEvent,
    UserRef,
)
from tui.paths import profile_paths

FIXED_NOW = datetime(2026, 11, 27, 14, 5, tzinfo=UTC)
ME = Me(
    id=1,
    name="Ada Admin",
    email="ada@alpha.example",
    company=CompanyRef(id=1, name="Alpha Ltd"),
    access_level=AccessLevel.COMPANY_ADMIN,
)
COLLEAGUE = UserRef(id=2, name="Bob Builder")
HOSTILE_SUBJECT = "Printer says \x1b[2J [bold]HALT[/] now"

SUBJECTS = [
    "Outlook keeps asking for my password",
    "Laptop fan very loud after update",
    "VPN drops every 10 minutes",
    "New starter needs an account on Monday",
    "Shared drive is read-only",
    "Phishing email reported by finance",
    "Monitor flickers on the left desk",
    "Cannot print to the 3rd floor printer",
    "Teams camera not detected",
    "Wi-Fi slow in the meeting room",
]
STATUS_CYCLE = list(Status)
PRIORITY_CYCLE = list(Priority)
CATEGORY_CYCLE = list(Category)


def fixed_ticket(n: int, *, subject: str | None = None, status: Status | None = None) -> Ticket:
    created = FIXED_NOW - timedelta(days=n, hours=n % 7)
    return Ticket(
        id=1000 + n,
        subject=subject or SUBJECTS[n % len(SUBJECTS)],
        category=CATEGORY_CYCLE[n % len(CATEGORY_CYCLE)],
        priority=PRIORITY_CYCLE[n % len(PRIORITY_CYCLE)],
        description=f"Steps to reproduce for ticket {n}:\n1. open the app\n2. watch it fail",
        status=status or STATUS_CYCLE[n % len(STATUS_CYCLE)],
        created_at=created,
        updated_at=created + timedelta(hours=3),
        submitted_by=UserRef(id=ME.id, name=ME.name) if n % 2 else COLLEAGUE,
        company_id=1,
        assignee="Tess Technician" if n % 3 else None,
        psa_ticket_id=f"ABC-{2000 + n}" if n % 4 else None,
        rating=4 if (status or STATUS_CYCLE[n % len(STATUS_CYCLE)]) is Status.CLOSED else None,
        rating_comment=None,
        client_ref=None,
    )


def timeline_for(ticket: Ticket, events: int) -> list[TimelineEvent]:
    """A believable history: assignment, msp and client comments, status changes, a rating."""
    items = []
    for k in range(events):
        at = ticket.created_at + timedelta(minutes=17 * (k + 1))
        kind = [EventKind.ASSIGNMENT, EventKind.COMMENT, EventKind.STATUS_CHANGE, EventKind.COMMENT][k % 4]
        msp = kind is not EventKind.COMMENT or k % 8 == 1
        items.append(
            TimelineEvent(
                id=ticket.id * 10_000 + k,
                ticket_id=ticket.id,
                kind=kind,
                author_role=AuthorRole.MSP if msp else AuthorRole.CLIENT,
                author_name="Tess Technician" if msp else ME.name,
                body=(f"Update {k}: we looked at it. [red]not markup[/red]" if kind is EventKind.COMMENT else None),
                from_status=Status.OPEN if kind is EventKind.STATUS_CHANGE else None,
                to_status=Status.IN_PROGRESS if kind is EventKind.STATUS_CHANGE else None,
                assignee="Tess Technician" if kind is EventKind.ASSIGNMENT else None,
                score=None,
                created_at=at,
            )
        )
    return items


def changes_for(tickets: list[Ticket], events_per_ticket: int) -> Iterator[Change]:
    seq = 0
    for ticket in tickets:
        seq += 1
        yield Change(seq=seq, kind=ChangeKind.TICKET, ticket_id=ticket.id, ticket=ticket, event=None)
        for event in timeline_for(ticket, events_per_ticket):
            seq += 1
            yield Change(seq=seq, kind=ChangeKind.EVENT, ticket_id=ticket.id, ticket=None, event=event)


def fixed_mirror(folder: Path, tickets: list[Ticket], *, events_per_ticket: int = 4, batch: int = 5000) -> Mirror:
    env = {"XDG_CACHE_HOME": str(folder / "cache"), "XDG_DATA_HOME": str(folder / "data")}
    mirror = Mirror.open(profile_paths("fixed", "http://127.0.0.1:9", ME.email, env))
    mirror.store_me(ME)
    changes = list(changes_for(tickets, events_per_ticket))
    for start in range(0, len(changes), batch):
        part = changes[start : start + batch]
        mirror.apply_changes(part, next_cursor=f"c{start}", has_more=start + batch < len(changes))
    return mirror


def small_board(folder: Path) -> Mirror:
    """Twelve tickets in every status, one with a hostile subject."""
    tickets = [fixed_ticket(n) for n in range(1, 12)]
    tickets.append(fixed_ticket(12, subject=HOSTILE_SUBJECT, status=Status.WAITING_ON_CLIENT))
    return fixed_mirror(folder, tickets)


def apply_msp_event(mirror: Mirror, ticket_id: int, at: datetime, **fields) -> TimelineEvent:
    """A technician's event (a comment unless `fields` say otherwise), applied as a sync applies
    it; its id follows from the ticket and the time, so each is its own."""
    event = TimelineEvent(
        **{
            "id": ticket_id * 100_000 + int((FIXED_NOW - at).total_seconds() // 60) % 100_000,
            "ticket_id": ticket_id,
            "kind": EventKind.COMMENT,
            "author_role": AuthorRole.MSP,
            "author_name": "Tess Technician",
            "body": "We had a look.",
            "from_status": None,
            "to_status": None,
            "assignee": None,
            "score": None,
            "created_at": at,
            **fields,
        }
    )
    mirror.apply_changes(
        [Change(seq=event.id, kind=ChangeKind.EVENT, ticket_id=ticket_id, ticket=None, event=event)],
        next_cursor=f"event-{event.id}",
        has_more=False,
    )
    return event
