"""The demo stays alive: an hour of 15-second PSA cycles with the office simulation (what
`msp-tickets --demo` runs) keeps every status populated for the demo's own company, brings new
tickets, moves work at a pace a person can follow, and reminds a client rarely."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from portal.schema import Status
from portal.server import demo, psa, storage
from portal.server.office import Offices
from portal.server.storage import Storage
from portal.server.tickets import Tickets

CYCLE_SECONDS = 15
AN_HOUR_OF_CYCLES = 3600 // CYCLE_SECONDS


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


def test_an_hour_of_demo_keeps_every_status_populated(tmp_path: Path) -> None:
    clock = Clock()
    db = Storage(tmp_path / "portal.db")
    demo.seed(db, companies=3, tickets=200, seed=1, clock=clock)
    with db.read() as conn:
        acme = storage.company_id_by_name(conn, demo.company_name(0))
        tickets_at_start = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    technicians = psa.SimulatedPsa(1, pace=psa.STEADY)
    offices = Offices(db, Tickets(db, clock=clock), seed=1)

    thinnest: Counter[str] = Counter({status.value: 10**9 for status in Status})
    moves_per_cycle = []
    for _ in range(AN_HOUR_OF_CYCLES):
        clock.now += CYCLE_SECONDS
        report = psa.run_cycle(db, technicians, clock)
        offices.work(report.cycle)
        moves_per_cycle.append(report.updated)
        with db.read() as conn:
            counts = storage.status_counts(conn)
        for status in Status:
            thinnest[status.value] = min(thinnest[status.value], counts.get((acme, status.value), 0))

    assert all(count >= 1 for count in thinnest.values()), f"a status ran dry: {dict(thinnest)}"
    with db.read() as conn:
        tickets_at_end = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
        reminders = conn.execute(
            "SELECT ticket_id, count(*) FROM events WHERE body LIKE 'A gentle reminder%' GROUP BY ticket_id"
        ).fetchall()
    assert tickets_at_end > tickets_at_start, "no new ticket arrived in an hour"
    # A person can follow it: a handful of moves per cycle across three companies, not a flood.
    assert max(moves_per_cycle) <= 15, moves_per_cycle
    assert max((count for _, count in reminders), default=0) <= 1, [tuple(row) for row in reminders]


def test_the_brisk_pace_tests_rely_on_is_unchanged() -> None:
    """Tests expect one cycle to pick up every open ticket."""
    tickets = [
        psa.PsaTicket(id, "ACM", f"ACM-{1000 + id}", "Printer", psa.Priority.LOW, Status.OPEN, None)
        for id in range(1, 6)
    ]
    updates = psa.SimulatedPsa(1).pull(tickets, cycle=1)
    assert [u.status for u in updates] == [Status.IN_PROGRESS] * 5
