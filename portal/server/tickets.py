"""The ticket rules: who sees what, who may act, status transitions, idempotent creation.

Visibility is decided here and in the SQL it calls, never by the client: an `own` user sees the
tickets they submitted, `company` and `company_admin` users all of their company's. What a user
cannot see is "not found", never "forbidden".
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from portal.schema import (
    PAGE_LIMIT_DEFAULT,
    RATEABLE_STATUSES,
    AccessLevel,
    AuthorRole,
    CommentCreate,
    EventKind,
    RatingPut,
    Status,
    Ticket,
    TicketCreate,
    TicketDetail,
    TicketPage,
    TimelineEvent,
)
from portal.server import cursors, storage
from portal.server.errors import (
    conflict,
    forbidden,
    idempotency_key_reused,
    invalid,
    not_found,
)
from portal.server.storage import Storage, StoredResponse, TicketFilter, User

IDEMPOTENCY_KEY_PATTERN = "^[\\x21-\\x7e]{1,255}$"  # visible ASCII, as JSON Schema says it
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")


@dataclass(frozen=True)
class Created:
    """A creation's response exactly as first sent, so a retry can replay it byte for byte."""

    status_code: int
    body: str


def check_idempotency_key(key: str | None) -> str | None:
    if key is not None and not _IDEMPOTENCY_KEY.fullmatch(key):
        raise invalid("Idempotency-Key", "must be 1 to 255 visible ASCII characters, e.g. a UUID")
    return key


class Tickets:
    def __init__(self, db: Storage, *, clock: Callable[[], float]) -> None:
        self._db = db
        self._clock = clock

    def _now(self) -> str:
        return storage.iso_from_epoch(self._clock())

    # --- reading ---------------------------------------------------------------------------

    def page(self, user: User, where: TicketFilter, cursor: str | None, limit: int | None) -> TicketPage:
        limit = limit or PAGE_LIMIT_DEFAULT
        after = None
        if cursor is not None:
            fields = cursors.decode(cursor, {"created_at": str, "id": int})
            after = (fields["created_at"], fields["id"])
        with self._db.read() as db:
            rows = storage.list_tickets(db, user, where, after, limit + 1)
        items, more = rows[:limit], len(rows) > limit
        next_cursor = None
        if more:
            last = items[-1]
            next_cursor = cursors.encode({"created_at": last["created_at"], "id": last["id"]})
        return TicketPage(items=[Ticket.model_validate(row) for row in items], next_cursor=next_cursor)

    def detail(self, user: User, ticket_id: int) -> TicketDetail:
        with self._db.read() as db:
            return _detail(db, user, ticket_id)

    # --- creating --------------------------------------------------------------------------

    def create(self, user: User, draft: TicketCreate, key: str | None, path: str) -> Created:
        def write(db) -> Created:
            ticket_id = storage.insert_ticket(
                db,
                user,
                subject=draft.subject,
                category=draft.category.value,
                priority=draft.priority.value,
                description=draft.description,
                client_ref=key,
                now=self._now(),
            )
            ticket = Ticket.model_validate(storage.ticket_by_id(db, ticket_id))
            return Created(201, ticket.model_dump_json())

        return self._once(user, key, "POST", path, draft, storage.ticket_with_client_ref, write)

    def comment(self, user: User, ticket_id: int, draft: CommentCreate, key: str | None, path: str) -> Created:
        def write(db) -> Created:
            ticket = _visible_or_404(db, user, ticket_id)
            now = self._now()
            event_id = storage.insert_event(
                db,
                ticket_id,
                kind=EventKind.COMMENT,
                author_role=AuthorRole.CLIENT,
                author_name=user.name,
                author_id=user.id,
                body=draft.body,
                client_ref=key,
                now=now,
            )
            if ticket["status"] == Status.WAITING_ON_CLIENT:
                # The PSA convention: the client's answer hands the ticket back to the technician.
                _change_status(db, user, ticket_id, Status.WAITING_ON_CLIENT, Status.IN_PROGRESS, now)
            event = storage.events_by_id(db, [event_id])[event_id]
            return Created(201, TimelineEvent.model_validate(event).model_dump_json())

        with self._db.read() as db:
            _visible_or_404(db, user, ticket_id)
        return self._once(user, key, "POST", path, draft, storage.event_with_client_ref, write)

    def _once(self, user, key, method, path, payload: BaseModel, ref_taken, write) -> Created:
        """Run `write` at most once per (user, key): a retry with the same payload replays the
        first response; the same key with another payload, or a key a colleague already used
        for a ticket/comment of the company, is refused. One transaction: concurrent retries
        queue behind the first and then replay it."""
        fingerprint = _fingerprint(method, path, payload)
        with self._db.write() as db:
            if key is None:
                return write(db)
            stored = storage.stored_response(db, user.id, key)
            if stored is not None:
                if stored.fingerprint != fingerprint:
                    raise idempotency_key_reused()
                return Created(stored.status_code, stored.body)
            if ref_taken(db, user.company_id, key):
                raise idempotency_key_reused()
            created = write(db)
            storage.store_response(
                db,
                user.id,
                key,
                StoredResponse(fingerprint, created.status_code, created.body),
                self._clock(),
            )
            return created

    # --- acting on a resolved ticket ---------------------------------------------------------

    def confirm(self, user: User, ticket_id: int) -> TicketDetail:
        return self._resolve_as(user, ticket_id, Status.CLOSED, "confirm")

    def reopen(self, user: User, ticket_id: int) -> TicketDetail:
        return self._resolve_as(user, ticket_id, Status.OPEN, "reopen")

    def _resolve_as(self, user: User, ticket_id: int, to: Status, verb: str) -> TicketDetail:
        with self._db.write() as db:
            ticket = _actionable(db, user, ticket_id, verb)
            if ticket["status"] != Status.RESOLVED:
                raise conflict(
                    f"Ticket {ticket_id} is {ticket['status']}; only a resolved ticket can be {verb}ed.",
                    status=ticket["status"],
                )
            _change_status(db, user, ticket_id, Status.RESOLVED, to, self._now())
            return _detail(db, user, ticket_id)

    def rate(self, user: User, ticket_id: int, rating: RatingPut) -> TicketDetail:
        with self._db.write() as db:
            ticket = _actionable(db, user, ticket_id, "rate")
            if ticket["status"] not in RATEABLE_STATUSES:
                raise conflict(
                    f"Ticket {ticket_id} is {ticket['status']}; you can rate it once it is resolved or closed.",
                    status=ticket["status"],
                )
            if (ticket["rating"], ticket["rating_comment"]) == (rating.score, rating.rating_comment):
                # PUT is idempotent: a retry whose first answer was lost changes nothing.
                return _detail(db, user, ticket_id)
            now = self._now()
            storage.insert_event(
                db,
                ticket_id,
                kind=EventKind.RATING,
                author_role=AuthorRole.CLIENT,
                author_name=user.name,
                author_id=user.id,
                body=rating.rating_comment,
                score=rating.score,
                now=now,
            )
            storage.update_ticket(db, ticket_id, now, rating=rating.score, rating_comment=rating.rating_comment)
            return _detail(db, user, ticket_id)


def _visible_or_404(db, user: User, ticket_id: int) -> dict:
    ticket = storage.visible_ticket(db, user, ticket_id)
    if ticket is None:
        raise not_found(ticket_id)
    return ticket


def _actionable(db, user: User, ticket_id: int, verb: str) -> dict:
    """The ticket, if this user may confirm, reopen or rate it: its submitter or a
    company_admin. A colleague who can only see it gets 403."""
    ticket = _visible_or_404(db, user, ticket_id)
    if ticket["submitted_by"]["id"] != user.id and user.access_level is not AccessLevel.COMPANY_ADMIN:
        raise forbidden(f"Only the person who submitted ticket {ticket_id} or a company admin can {verb} it.")
    return ticket


def _change_status(db, user: User, ticket_id: int, old: Status, new: Status, now: str) -> None:
    storage.insert_event(
        db,
        ticket_id,
        kind=EventKind.STATUS_CHANGE,
        author_role=AuthorRole.CLIENT,
        author_name=user.name,
        author_id=user.id,
        from_status=old,
        to_status=new,
        now=now,
    )
    storage.update_ticket(db, ticket_id, now, status=new.value)


def _detail(db, user: User, ticket_id: int) -> TicketDetail:
    ticket = _visible_or_404(db, user, ticket_id)
    return TicketDetail.model_validate({**ticket, "timeline": storage.timeline(db, ticket_id)})


def _fingerprint(method: str, path: str, payload: BaseModel) -> str:
    canonical = json.dumps(payload.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()
