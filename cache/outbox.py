"""The outbox: what the user wrote and the portal does not have yet — new tickets, comments,
confirmations, reopenings, ratings — in its own file beside the mirror (cache/store.py), sent
in order by the sync engine (cache/sync.py) and kept 30 days once done.

An item may be held back for a few seconds (`hold`): until then the sync leaves it alone and
the user may take it back (`take_back`), which removes it as if it had never been written — it
is never sent. After that it goes as any other item, by whichever process syncs next, so an
app killed while it waited loses nothing. The screens' reads overlay what waits here
(cache/queries.py), so a write shows at once, and goes again when taken back.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from cache import drafts
from cache.apply import now_text, upsert_event, upsert_ticket
from cache.apply import reindex as reindex_text
from portal.sqlite import utc_text, write_transaction
from portal.vocabulary import comment_problem

if TYPE_CHECKING:  # the wire format's models: loaded by a write, not to open the mirror
    from portal.schema import Ticket, TicketCreate, TimelineEvent

DONE_ITEMS_KEPT_FOR = timedelta(days=30)
NOT_HELD = timedelta(0)
# Not yet held back, or no longer: what the sync engine may send now.
_DUE = "state = 'pending' AND (send_after IS NULL OR send_after <= :now)"


# A held write's sync comes this long after its hold ends, so that it finds the write due.
HELD_WRITE_MARGIN = 0.25


class InvalidInput(ValueError):
    """What the user wrote cannot be sent as it is; `field` names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class WrittenTo(NamedTuple):
    """The ticket an outbox item was written to, as it was when queued: enough to tell it from
    another ticket that has its id later (a restored or different portal). None where unknown."""

    portal_id: str | None = None
    created_at: str | None = None
    submitted_by: int | None = None


class OutboxItem(NamedTuple):
    id: int
    kind: str  # ticket | comment | confirm | reopen | rating
    ticket_ref: int | None
    payload: dict[str, Any]
    idempotency_key: str
    written_to: WrittenTo = WrittenTo()


class Held(NamedTuple):
    """Items written by one action (a reopening and its reason), held back until `until`."""

    item_ids: tuple[int, ...]
    until: datetime


DONE_BEFORE = "state = 'done' AND done_at < ?"  # what the portal has had since before a moment


class _NoLongerHeld(Exception):
    pass


_WHAT_THE_USER_WROTE = {
    "comment": "your comment",
    "confirm": "your confirmation",
    "reopen": "your request to reopen it",
    "rating": "your rating",
}


class Outbox:
    """The outbox file's items, through `connection` (this thread's connection to the mirror
    with the outbox attached: an acknowledgement writes both files in one transaction)."""

    def __init__(self, connection: Callable[[], sqlite3.Connection]) -> None:
        self._connection = connection

    def resolve(self, ticket_id: int) -> int:
        """The portal's id of a ticket written here (-item id) once the portal has it; any
        other id as it is."""
        if ticket_id >= 0:
            return ticket_id
        row = (
            self._connection()
            .execute(
                "SELECT server_ticket_id FROM outbox.outbox WHERE id = ? AND kind = 'ticket'",
                (-ticket_id,),
            )
            .fetchone()
        )
        return row[0] if row and row[0] is not None else ticket_id

    # --- what the user writes -------------------------------------------------------------------

    def submit_ticket(self, draft: TicketCreate, *, replacing_draft: str | None = None) -> int:
        """Queue the ticket; the draft named `replacing_draft` goes in the same transaction, so
        after a crash the text is either queued or still the draft, never both."""
        [item_id] = self._queue([("ticket", None, draft.model_dump(mode="json"))], replacing_draft)
        return -item_id

    def add_comment(self, ticket_id: int, body: str, *, replacing_draft: str | None = None) -> int:
        problem = comment_problem(body)
        if problem:
            raise InvalidInput("body", f"The comment {problem}.")
        [item_id] = self._queue([("comment", self.resolve(ticket_id), {"body": body.strip()})], replacing_draft)
        return -item_id

    def confirm(self, ticket_id: int, *, hold: timedelta = NOT_HELD) -> Held:
        return self._held([("confirm", self.resolve(ticket_id), {})], hold)

    def reopen(self, ticket_id: int, reason: str = "", *, hold: timedelta = NOT_HELD) -> Held:
        """Queue the reopening, then the reason (if any) as a comment, as one action; a reason
        the portal would refuse is refused here, before anything is queued."""
        if reason.strip() and (problem := comment_problem(reason)):
            raise InvalidInput("body", f"The reason {problem}.")
        ticket_ref = self.resolve(ticket_id)
        items = [("reopen", ticket_ref, {})]
        if reason.strip():
            items.append(("comment", ticket_ref, {"body": reason.strip()}))
        return self._held(items, hold)

    def rate(self, ticket_id: int, score: int, comment: str | None) -> None:
        if type(score) is not int or not 1 <= score <= 5:
            raise InvalidInput("score", f"The rating score must be a whole number from 1 to 5, not {score!r}.")
        from portal.schema import RatingPut

        try:
            rating = RatingPut(score=score, rating_comment=comment or None)
        except ValueError as error:
            raise InvalidInput("rating_comment", f"The rating comment {_first_error(error)}.") from None
        self._queue([("rating", self.resolve(ticket_id), rating.model_dump())])

    def take_back(self, held: Held) -> bool:
        """Remove the items of `held` while they are still held back, all or none (the sync may
        have taken them since: then they go). True when they were taken back."""
        marks = ", ".join("?" * len(held.item_ids))
        try:
            with write_transaction(self._connection()) as conn:
                removed = conn.execute(
                    f"DELETE FROM outbox.outbox WHERE id IN ({marks}) AND state = 'pending' AND send_after > ?",
                    (*held.item_ids, now_text()),
                ).rowcount
                if removed != len(held.item_ids):
                    raise _NoLongerHeld  # rolls the part removed back in
        except _NoLongerHeld:
            return False
        return True

    def _held(self, items: list[tuple[str, int | None, dict[str, Any]]], hold: timedelta) -> Held:
        until = datetime.now(UTC) + hold
        return Held(tuple(self._queue(items, send_after=until if hold else None)), until)

    def _queue(
        self,
        items: list[tuple[str, int | None, dict[str, Any]]],
        replacing_draft: str | None = None,
        *,
        send_after: datetime | None = None,
    ) -> list[int]:
        """Queue (kind, ticket_ref, payload) items in one transaction; their ids, in order."""
        with write_transaction(self._connection()) as conn:
            if replacing_draft is not None:
                drafts.discard(conn, replacing_draft)
            return [self._insert(conn, *item, send_after) for item in items]

    @staticmethod
    def _insert(
        conn: sqlite3.Connection,
        kind: str,
        ticket_ref: int | None,
        payload: dict[str, Any],
        send_after: datetime | None,
    ) -> int:
        # Who writes, and which ticket this is as the mirror knows it now (nothing yet for a
        # pending one: `acknowledge` fills that in when the portal gives it an id).
        return conn.execute(
            "INSERT INTO outbox.outbox (kind, ticket_ref, payload, idempotency_key, author_id, "
            "author_name, created_at, send_after, portal_id, ticket_created_at, ticket_submitted_by) "
            "SELECT :kind, :ticket_ref, :payload, :key, json_extract(s.me, '$.id'), "
            "COALESCE(json_extract(s.me, '$.name'), 'you'), :now, :send_after, s.portal_id, "
            "t.created_at, t.submitted_by_id "
            "FROM sync_state s LEFT JOIN tickets t ON t.id = :ticket_ref RETURNING id",
            {
                "kind": kind,
                "ticket_ref": ticket_ref,
                "payload": json.dumps(payload),
                "key": str(uuid.uuid4()),
                "now": now_text(),
                "send_after": utc_text(send_after) if send_after else None,
            },
        ).fetchone()[0]

    # --- for the sync engine --------------------------------------------------------------------

    def pending_items(self) -> list[OutboxItem]:
        """Everything still to send, held back or not, in the order written."""
        return self._items("state = 'pending'", {})

    def due_items(self, now: datetime | None = None) -> list[OutboxItem]:
        """What may be sent now: pending and not held back."""
        return self._items(_DUE, {"now": utc_text(now or datetime.now(UTC))})

    def next_due(self) -> datetime | None:
        """When the first item held back may go, if one is."""
        row = (
            self._connection()
            .execute(
                "SELECT min(send_after) FROM outbox.outbox WHERE state = 'pending' AND send_after > ?", (now_text(),)
            )
            .fetchone()
        )
        return datetime.fromisoformat(row[0]) if row[0] else None

    def _items(self, where: str, params: dict[str, Any]) -> list[OutboxItem]:
        rows = (
            self._connection()
            .execute(
                "SELECT id, kind, ticket_ref, payload, idempotency_key, portal_id, "
                f"ticket_created_at, ticket_submitted_by FROM outbox.outbox WHERE {where} ORDER BY id",
                params,
            )
            .fetchall()
        )
        return [
            OutboxItem(
                r["id"],
                r["kind"],
                r["ticket_ref"],
                json.loads(r["payload"]),
                r["idempotency_key"],
                WrittenTo(r["portal_id"], r["ticket_created_at"], r["ticket_submitted_by"]),
            )
            for r in rows
        ]

    def not_the_ticket_written_to(self, item: OutboxItem, ticket_id: int) -> str | None:
        """Why an item must not be sent to ticket `ticket_id` as the mirror now knows it — the
        ticket is gone, or it is another ticket than the one the user wrote to — or None."""
        written_to = item.written_to
        what = _WHAT_THE_USER_WROTE.get(item.kind, "what you wrote")
        kept = f"{what} is kept here and was not sent."
        conn = self._connection()
        current = conn.execute("SELECT portal_id FROM sync_state").fetchone()[0]
        if written_to.portal_id and current and written_to.portal_id != current:
            return f"Ticket #{ticket_id} was on a different portal than the one at this address now; {kept}"
        ticket = conn.execute("SELECT created_at, submitted_by_id FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        if ticket is None:
            return (
                f"Ticket #{ticket_id} is no longer among your tickets on the portal (the "
                f"portal may have been restored from a backup, or your access changed); {kept}"
            )
        same = (written_to.created_at in (None, ticket["created_at"])) and (
            written_to.submitted_by in (None, ticket["submitted_by_id"])
        )
        if not same:
            return (
                f"Ticket #{ticket_id} on the portal is now a different ticket from the one "
                f"you wrote to (the portal may have been restored from a backup); {kept}"
            )
        return None

    def set_aside(self, item_id: int, message: str) -> None:
        """The item needs attention and belongs to no ticket any more: it is never sent, and
        not shown on whatever ticket has that id now."""
        with write_transaction(self._connection()) as conn:
            conn.execute(
                "UPDATE outbox.outbox SET state = 'needs_attention', attention_message = ?, "
                "ticket_ref = NULL WHERE id = ?",
                (message, item_id),
            )

    def acknowledge(
        self,
        item_id: int,
        *,
        ticket: Ticket | None = None,
        events: Iterable[TimelineEvent] = (),
    ) -> None:
        """The portal has the item: mark it done and mirror what it answered, at once."""
        events = list(events)
        with write_transaction(self._connection()) as conn:
            reindex = set()
            if ticket is not None and upsert_ticket(conn, ticket, unless_older=True).text_changed:
                reindex.add(ticket.id)
            for event in events:
                if upsert_event(conn, event).text_changed:
                    reindex.add(event.ticket_id)
            conn.execute(
                "UPDATE outbox.outbox SET state = 'done', done_at = ?, server_ticket_id = ?, "
                "server_event_id = ? WHERE id = ?",
                (
                    now_text(),
                    ticket.id if ticket else None,
                    events[0].id if len(events) == 1 else None,
                    item_id,
                ),
            )
            if ticket is not None:
                # What was queued on the pending ticket now belongs to the portal's ticket,
                # which is this one, on this portal.
                conn.execute(
                    "UPDATE outbox.outbox SET ticket_ref = ?, ticket_created_at = ?, "
                    "ticket_submitted_by = ?, portal_id = (SELECT portal_id FROM sync_state) "
                    "WHERE ticket_ref = ?",
                    (ticket.id, utc_text(ticket.created_at), ticket.submitted_by.id, -item_id),
                )
            reindex_text(conn, reindex)

    def mark_needs_attention(self, item_id: int, message: str) -> None:
        with write_transaction(self._connection()) as conn:
            conn.execute(
                "UPDATE outbox.outbox SET state = 'needs_attention', attention_message = ? WHERE id = ?",
                (message, item_id),
            )

    def refusal_of(self, item_id: int) -> str | None:
        """The portal's sentence if it refused this outbox item, else None."""
        row = (
            self._connection()
            .execute(
                "SELECT attention_message FROM outbox.outbox WHERE id = ? AND state = 'needs_attention'",
                (item_id,),
            )
            .fetchone()
        )
        return row[0] if row else None

    def attention_messages(self) -> list[str]:
        return [
            row[0]
            for row in self._connection().execute(
                "SELECT attention_message FROM outbox.outbox WHERE state = 'needs_attention' ORDER BY id"
            )
        ]

    def prune_done(self) -> None:
        """Forget what the portal has had for longer than DONE_ITEMS_KEPT_FOR."""
        cutoff = utc_text(datetime.now(UTC) - DONE_ITEMS_KEPT_FOR)
        conn = self._connection()
        # Looked for first: most opens have nothing to forget, and a write (its lock and its
        # commit) is not for every launch.
        if conn.execute(f"SELECT 1 FROM outbox.outbox WHERE {DONE_BEFORE} LIMIT 1", (cutoff,)).fetchone() is None:
            return
        with write_transaction(conn) as conn:
            conn.execute(f"DELETE FROM outbox.outbox WHERE {DONE_BEFORE}", (cutoff,))


def _first_error(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        message = errors()[0].get("msg", str(error))
        return message.removeprefix("Value error, ")
    return str(error)
