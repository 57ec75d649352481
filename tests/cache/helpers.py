"""Both sides of "the mirror holds exactly what the portal shows", and small portal errands."""

from __future__ import annotations

import asyncio

from cache.mirror import Mirror
from cache.model import TicketQuery
from portal.client import PortalClient, RetryPolicy
from portal.schema import TicketCreate
from tests.support.portal import token_for

# Retries still happen, just without the production waits.
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.2, max_total=5)


def draft(subject: str, description: str = "Steps: switch it on. Nothing happens.") -> TicketCreate:
    return TicketCreate(subject=subject, category="hardware", priority="high", description=description)


async def api_view(client: PortalClient) -> dict[int, dict]:
    """Every ticket the portal shows this user, with its timeline, in comparable form."""
    tickets, cursor = [], None
    while True:
        page = await client.list_tickets(limit=100, cursor=cursor)
        tickets += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    # Asked all at once: the portal answers them side by side (one after the other, the wait
    # for each answer added up to most of a state-machine run).
    details = await asyncio.gather(*(client.ticket(ticket.id) for ticket in tickets))
    view = {}
    for ticket, detail in zip(tickets, details, strict=True):
        view[ticket.id] = {
            "subject": detail.subject,
            "category": detail.category.value,
            "priority": detail.priority.value,
            "status": detail.status.value,
            "description": detail.description,
            "created_at": detail.created_at,
            "updated_at": detail.updated_at,
            "submitted_by": (detail.submitted_by.id, detail.submitted_by.name),
            "assignee": detail.assignee,
            "psa_ticket_id": detail.psa_ticket_id,
            "rating": (detail.rating, detail.rating_comment),
            "timeline": [_event_fields(e) for e in detail.timeline],
        }
    return view


def mirror_view(mirror: Mirror) -> dict[int, dict]:
    rows = mirror.page(TicketQuery(), 0, 100_000)
    view = {}
    for row in rows:
        detail = mirror.ticket(row.id)
        view[row.id] = {
            "subject": row.subject,
            "category": row.category.value,
            "priority": row.priority.value,
            "status": row.status.value,
            "description": detail.description,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "submitted_by": (row.submitted_by_id, row.submitted_by_name),
            "assignee": row.assignee,
            "psa_ticket_id": row.psa_ticket_id,
            "rating": (detail.rating, detail.rating_comment),
            "timeline": [_event_fields(e) for e in detail.timeline],
        }
    return view


async def create_tickets(portal, account, count: int, prefix: str = "Ticket") -> list[int]:
    async with PortalClient(portal.url, token_for(portal, account)) as client:
        return [
            (await client.create_ticket(draft(f"{prefix} {n}"), f"{prefix}-{account.email}-{n}")).id
            for n in range(count)
        ]


async def tickets_titled(client: PortalClient, subject: str):
    page = await client.list_tickets(q=subject, limit=100)
    return [t for t in page.items if t.subject == subject]


def _event_fields(event) -> tuple:
    """What the portal's view and the mirror's are compared on, for one timeline event."""
    return (
        event.id,
        event.kind.value,
        event.author_role.value,
        event.author_name,
        event.body,
        event.from_status,
        event.to_status,
        event.assignee,
        event.score,
        event.created_at,
    )
