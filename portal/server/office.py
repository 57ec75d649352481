"""The demo's client offices at work: colleagues raise tickets, answer their technicians'
questions and confirm fixes, so a board left open for hours keeps moving.

The colleagues act through the same ticket rules as the API (`Tickets`), as the users they are.
The company admins are left alone: in the demo, the admin is the person at the keyboard, and the
tickets waiting on them wait for them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from portal.schema import CommentCreate, RatingPut, Status, TicketCreate
from portal.server import demo, storage
from portal.server.storage import Storage, User
from portal.server.tickets import Tickets

# Below this many open tickets a company raises new ones often; above it, now and then.
OPEN_TICKETS_WANTED = 4


@dataclass(frozen=True)
class OfficePace:
    """How likely each thing is in one cycle: per company for new tickets, per ticket else."""

    new_ticket_when_few_open: float = 0.25
    new_ticket: float = 0.01
    answer: float = 0.02  # a colleague answers the question their ticket waits on
    confirm: float = 0.006  # a colleague confirms a resolved ticket of theirs
    rate: float = 0.5  # having confirmed, they rate the service


@dataclass(frozen=True)
class OfficeReport:
    raised: int
    answered: int
    confirmed: int


class Offices:
    def __init__(self, db: Storage, tickets: Tickets, *, seed: int = 1, pace: OfficePace = OfficePace()) -> None:
        self._db = db
        self._tickets = tickets
        self._seed = seed
        self._pace = pace

    def work(self, cycle: int) -> OfficeReport:
        """One cycle of the offices' day; the same seed and cycle give the same work."""
        rng = random.Random(f"{self._seed}:office:{cycle}")
        with self._db.read() as conn:
            people = storage.colleagues(conn)
            counts = storage.status_counts(conn)
            theirs = storage.tickets_of_users(
                conn, [p.id for p in people], [Status.WAITING_ON_CLIENT.value, Status.RESOLVED.value]
            )
        raised = self._raise_tickets(rng, people, counts)
        by_id = {person.id: person for person in people}
        answered = confirmed = 0
        for ticket in theirs:
            person = by_id[ticket["submitted_by"]]
            if ticket["status"] == Status.WAITING_ON_CLIENT and rng.random() < self._pace.answer:
                self._answer(rng, person, ticket["id"])
                answered += 1
            elif ticket["status"] == Status.RESOLVED and rng.random() < self._pace.confirm:
                self._confirm(rng, person, ticket["id"])
                confirmed += 1
        return OfficeReport(raised, answered, confirmed)

    def _raise_tickets(self, rng: random.Random, people: list[User], counts: dict[tuple[int, str], int]) -> int:
        staff: dict[int, list[User]] = defaultdict(list)
        for person in people:
            staff[person.company_id].append(person)
        raised = 0
        for company_id, members in sorted(staff.items()):
            few_open = counts.get((company_id, Status.OPEN.value), 0) < OPEN_TICKETS_WANTED
            chance = self._pace.new_ticket_when_few_open if few_open else self._pace.new_ticket
            if rng.random() < chance:
                person = rng.choice(members)
                category, subject, description = demo.made_up_issue(rng, person.name)
                draft = TicketCreate(
                    subject=subject, category=category, priority=demo.made_up_priority(rng), description=description
                )
                self._tickets.create(person, draft, None, "/tickets")
                raised += 1
        return raised

    def _answer(self, rng: random.Random, person: User, ticket_id: int) -> None:
        reply = CommentCreate(body=demo.made_up_reply(rng))
        self._tickets.comment(person, ticket_id, reply, None, f"/tickets/{ticket_id}/comments")

    def _confirm(self, rng: random.Random, person: User, ticket_id: int) -> None:
        self._tickets.confirm(person, ticket_id)
        if rng.random() < self._pace.rate:
            score = rng.choices([5, 4, 3, 2, 1], weights=[6, 3, 1, 1, 1])[0]
            self._tickets.rate(person, ticket_id, RatingPut(score=score, rating_comment=None))
