"""Schema models built by hand, to fill a mirror without a server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.schema import (
    AccessLevel,
    Change,
    ChangeKind,
    CompanyRef,
    Me,
    Ticket,
    TimelineEvent,
    UserRef,
)

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def me(user_id: int = 1, access: AccessLevel = AccessLevel.COMPANY) -> Me:
    return Me(
        id=user_id,
        name=f"User {user_id}",
        email=f"u{user_id}@alpha.example",
        company=CompanyRef(id=1, name="Alpha Ltd"),
        access_level=access,
    )


def ticket(ticket_id: int, **fields) -> Ticket:
    values = dict(
        id=ticket_id,
        subject=f"Ticket {ticket_id}",
        category="general",
        priority="medium",
        description=f"Description of ticket {ticket_id}",
        status="open",
        created_at=EPOCH + timedelta(minutes=ticket_id),
        updated_at=EPOCH + timedelta(minutes=ticket_id),
        submitted_by=UserRef(id=1, name="User 1"),
        company_id=1,
        assignee=None,
        psa_ticket_id=None,
        rating=None,
        rating_comment=None,
        client_ref=None,
    )
    values.update(fields)
    return Ticket.model_validate(values)


def event(event_id: int, ticket_id: int, **fields) -> TimelineEvent:
    values = dict(
        id=event_id,
        ticket_id=ticket_id,
        kind="comment",
        author_role="msp",
        author_name="Tech Ana",
        body=f"comment {event_id}",
        from_status=None,
        to_status=None,
        assignee=None,
        score=None,
        created_at=EPOCH + timedelta(days=1, minutes=event_id),
    )
    values.update(fields)
    return TimelineEvent.model_validate(values)


def ticket_change(seq: int, t: Ticket) -> Change:
    return Change(seq=seq, kind=ChangeKind.TICKET, ticket_id=t.id, ticket=t, event=None)


def event_change(seq: int, e: TimelineEvent) -> Change:
    return Change(seq=seq, kind=ChangeKind.EVENT, ticket_id=e.ticket_id, ticket=None, event=e)


def removed_change(seq: int, ticket_id: int) -> Change:
    return Change(seq=seq, kind=ChangeKind.REMOVED, ticket_id=ticket_id, ticket=None, event=None)
