"""The PSA sync: push new tickets to the PSA, pull its technicians' work back.

`run_cycle` is one sync against the database; the server runs it every `--psa-interval` seconds
and `msp-portal psa-sync-now` runs it from another process. Every change it brings back is an
ordinary write: a timeline event, a feed row, a bumped `updated_at`. The cycle number and the
last sync time live in the database, not in a process.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from portal.schema import PSA_PRIORITY, AuthorRole, EventKind, Priority, Status
from portal.server import storage
from portal.server.storage import Storage

LAST_SYNC_KEY = "last_psa_sync_at"
CYCLE_KEY = "psa_cycle"


@dataclass(frozen=True)
class PsaTicket:
    """What the PSA is told about a portal ticket."""

    id: int
    company_prefix: str
    psa_ticket_id: str | None
    subject: str
    priority: Priority
    status: Status
    assignee: str | None


@dataclass(frozen=True)
class PsaUpdate:
    """A technician's work on one ticket, applied as: assignment, status change, comment."""

    ticket_id: int
    technician: str
    assign: bool = False
    status: Status | None = None
    comment: str | None = None


class PsaAdapter(Protocol):
    def push(self, ticket: PsaTicket) -> str:
        """Create the PSA ticket; its PSA id."""

    def pull(self, tickets: Sequence[PsaTicket], cycle: int) -> list[PsaUpdate]:
        """What technicians did to these tickets since the last cycle."""


def psa_order(ticket: PsaTicket) -> tuple[str, int]:
    # P1 (critical) first; among equals, the oldest ticket.
    return PSA_PRIORITY[ticket.priority], ticket.id


# Tickets the technicians touch per cycle: a real team's pace, and a bound on how long one
# cycle's transaction holds the database when a benchmark seeds 100 000 tickets.
TEAM_CAPACITY = 200
TECHNICIANS = ("Ana Ruiz", "Ben Okafor", "Chloe Martin", "Dev Patel", "Elena Novak", "Farid Haddad")

_PROGRESS = (
    "Quick update: I've reproduced the problem and I'm working through the fix.",
    "I've checked the logs and narrowed it down; more soon.",
    "Still on this. I've applied a first change and I'm watching whether it holds.",
)
_QUESTIONS = (
    "Could you tell us which device this happens on, and send the exact error message?",
    "Can you confirm whether this affects other people in your team too?",
    "When is a good time for a remote session? We need about 20 minutes at the machine.",
)
_VENDOR = (
    "We've opened a case with the vendor and are waiting for their reply.",
    "This needs a replacement part; it's on order with the vendor.",
)
_VENDOR_BACK = "The vendor came back to us, so I'm continuing with the fix."
_RESOLVED = (
    "Fixed: the cause was a stale configuration, which I've corrected. Please check on your side.",
    "Done: I've applied the fix and tested it. Let us know if anything still looks wrong.",
)
_REMINDER = "A gentle reminder: we're waiting on your reply before we can continue."
_CLOSING = "No further issues reported, so we're closing this ticket. Thanks!"


@dataclass(frozen=True)
class Pace:
    """How likely each piece of a technician's work is in one cycle, per ticket."""

    pick_up: float  # an open ticket is assigned and taken into work
    progress_note: float  # in progress: a progress comment
    ask_client: float  # in progress: a question, waiting on the client
    wait_vendor: float  # in progress: waiting on a vendor
    resolve: float  # in progress: resolved
    vendor_back: float  # waiting on a vendor: back in progress
    remind: float  # waiting on the client: a reminder, on the cycles the client may get one
    close: float  # resolved: closed
    remind_every: int = 1  # a client may be reminded on one cycle in this many
    # A move never takes a company's status below this many tickets, so a slow board keeps
    # something in every status; 0 lets the team empty it.
    status_floor: int = 0


# Everything moves at once: tests see a cycle's effects after one or two cycles.
BRISK = Pace(1.0, 0.2, 0.2, 0.1, 0.25, 0.5, 0.3, 0.4)
# The demo's pace at a 15-second cadence: a ticket takes many minutes to move on, a client is
# reminded at most once an hour (240 cycles), and every status keeps a few tickets (with the office's arrivals,
# `portal.server.office`), so a board left open for an hour stays alive.
STEADY = Pace(0.06, 0.02, 0.012, 0.006, 0.012, 0.03, 0.5, 0.006, remind_every=240, status_floor=2)


class SimulatedPsa:
    """Technicians, seeded and deterministic: the same seed, ticket and cycle give the same
    work, whichever process runs the cycle."""

    def __init__(self, seed: int = 1, *, capacity: int = TEAM_CAPACITY, pace: Pace = BRISK) -> None:
        self._seed = seed
        self._capacity = capacity
        self._pace = pace

    def push(self, ticket: PsaTicket) -> str:
        return f"{ticket.company_prefix}-{1000 + ticket.id}"

    def pull(self, tickets: Sequence[PsaTicket], cycle: int) -> list[PsaUpdate]:
        """The team's work this cycle: the most urgent tickets first, as many as it can do,
        leaving each company at least the pace's floor of tickets in every status."""
        in_status = Counter((ticket.company_prefix, ticket.status) for ticket in tickets)
        done: list[PsaUpdate] = []
        for ticket in sorted(tickets, key=psa_order):
            update = self._work(ticket, cycle)
            if update is None:
                continue
            if update.status is not None:
                if in_status[ticket.company_prefix, ticket.status] <= self._pace.status_floor:
                    continue
                in_status[ticket.company_prefix, ticket.status] -= 1
                in_status[ticket.company_prefix, update.status] += 1
            done.append(update)
            if len(done) == self._capacity:
                break
        return done

    def _work(self, ticket: PsaTicket, cycle: int) -> PsaUpdate | None:
        rng = random.Random(f"{self._seed}:{ticket.id}:{cycle}")
        roll = rng.random()
        tech = ticket.assignee or rng.choice(TECHNICIANS)
        pace = self._pace
        update = lambda **what: PsaUpdate(ticket.id, tech, **what)  # noqa: E731
        match ticket.status:
            case Status.OPEN if roll < pace.pick_up:
                first_name = tech.split()[0]
                return update(
                    assign=ticket.assignee is None,
                    status=Status.IN_PROGRESS,
                    comment=f"Hi, this is {first_name}. I've picked up {ticket.psa_ticket_id} "
                    "and I'm looking into it now.",
                )
            case Status.IN_PROGRESS:
                return self._in_progress(roll, rng, update)
            case Status.WAITING_ON_VENDOR if roll < pace.vendor_back:
                return update(status=Status.IN_PROGRESS, comment=_VENDOR_BACK)
            case Status.WAITING_ON_CLIENT if (cycle + ticket.id) % pace.remind_every == 0 and roll < pace.remind:
                return update(comment=_REMINDER)
            case Status.RESOLVED if roll < pace.close:
                return update(status=Status.CLOSED, comment=_CLOSING)
        return None

    def _in_progress(self, roll: float, rng: random.Random, update) -> PsaUpdate | None:
        pace = self._pace
        moves = (
            (pace.progress_note, lambda: update(comment=rng.choice(_PROGRESS))),
            (pace.ask_client, lambda: update(status=Status.WAITING_ON_CLIENT, comment=rng.choice(_QUESTIONS))),
            (pace.wait_vendor, lambda: update(status=Status.WAITING_ON_VENDOR, comment=rng.choice(_VENDOR))),
            (pace.resolve, lambda: update(status=Status.RESOLVED, comment=rng.choice(_RESOLVED))),
        )
        threshold = 0.0
        for chance, move in moves:
            threshold += chance
            if roll < threshold:
                return move()
        return None


@dataclass(frozen=True)
class CycleReport:
    cycle: int
    pushed: int
    updated: int


def run_cycle(db: Storage, adapter: PsaAdapter, clock: Callable[[], float]) -> CycleReport:
    """One PSA sync, in one transaction: new tickets get their PSA id (critical first), then
    the technicians' work comes back."""
    with db.write() as conn:
        now = storage.iso_from_epoch(clock())
        cycle = int(storage.get_state(conn, CYCLE_KEY) or 0) + 1
        new = sorted(map(_psa_ticket, storage.tickets_without_psa_id(conn)), key=psa_order)
        for ticket in new:
            storage.update_ticket(conn, ticket.id, now, psa_ticket_id=adapter.push(ticket))
        updates = adapter.pull([_psa_ticket(row) for row in storage.tickets_in_psa(conn)], cycle)
        for update in updates:
            _apply(conn, update, now)
        storage.set_state(conn, CYCLE_KEY, str(cycle))
        storage.set_state(conn, LAST_SYNC_KEY, now)
    return CycleReport(cycle=cycle, pushed=len(new), updated=len(updates))


def last_sync_at(db: Storage) -> datetime | None:
    with db.read() as conn:
        value = storage.get_state(conn, LAST_SYNC_KEY)
    return None if value is None else datetime.fromisoformat(value)


def _psa_ticket(row: dict) -> PsaTicket:
    return PsaTicket(
        id=row["id"],
        company_prefix=row["psa_prefix"],
        psa_ticket_id=row["psa_ticket_id"],
        subject=row["subject"],
        priority=Priority(row["priority"]),
        status=Status(row["status"]),
        assignee=row["assignee"],
    )


def _apply(conn, update: PsaUpdate, now: str) -> None:
    msp = {"author_role": AuthorRole.MSP.value, "author_name": update.technician, "now": now}
    if update.assign:
        storage.insert_event(conn, update.ticket_id, kind=EventKind.ASSIGNMENT.value, assignee=update.technician, **msp)
        storage.update_ticket(conn, update.ticket_id, now, assignee=update.technician)
    if update.status is not None:
        old = storage.ticket_by_id(conn, update.ticket_id)["status"]
        storage.insert_event(
            conn,
            update.ticket_id,
            kind=EventKind.STATUS_CHANGE.value,
            from_status=old,
            to_status=update.status.value,
            **msp,
        )
        storage.update_ticket(conn, update.ticket_id, now, status=update.status.value)
    if update.comment is not None:
        storage.insert_event(conn, update.ticket_id, kind=EventKind.COMMENT.value, body=update.comment, **msp)
