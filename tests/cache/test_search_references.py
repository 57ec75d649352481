"""The mirror's search finds a ticket by its number or PSA id as well as by its text, and the
pill counts follow the search."""

from __future__ import annotations

import pytest

from cache.mirror import Mirror
from cache.model import Pill, Scope, TicketQuery
from portal.schema import TicketCreate, UserRef
from tests.cache.factories import me, ticket, ticket_change
from tui.paths import profile_paths


@pytest.fixture
def mirror(tmp_path):
    paths = profile_paths("test", "http://127.0.0.1:9", "u1@alpha.example", {"HOME": str(tmp_path)})
    opened = Mirror.open(paths)
    opened.store_me(me(1))
    yield opened
    opened.close()


def fill(mirror: Mirror) -> None:
    tickets = [
        ticket(143, subject="Printer jams", psa_ticket_id="ACM-1143", status="in_progress"),
        ticket(
            144,
            subject="Printer toner low",
            psa_ticket_id="ACM-1144",
            status="resolved",
            submitted_by=UserRef(id=2, name="Bo"),
        ),
        ticket(145, subject="Ticket about 143 printers", status="open"),
        ticket(200, subject="VPN drops", psa_ticket_id="ACM-1200", status="closed"),
    ]
    mirror.apply_changes([ticket_change(i, t) for i, t in enumerate(tickets, 1)], "c", has_more=False)


def ids(mirror: Mirror, text: str, **query) -> list[int]:
    return sorted(row.id for row in mirror.page(TicketQuery(search=text, **query), 0, 50))


def test_a_ticket_number_finds_the_ticket_and_the_text_that_holds_it(mirror):
    fill(mirror)
    assert ids(mirror, "143") == [143, 145]
    assert ids(mirror, "#143") == [143, 145]
    assert ids(mirror, " #200 ") == [200]
    assert mirror.total(TicketQuery(search="#200")) == 1
    assert ids(mirror, "999") == []


def test_a_psa_id_finds_its_ticket_in_any_case(mirror):
    fill(mirror)
    assert ids(mirror, "ACM-1143") == [143]
    assert ids(mirror, "acm-1144") == [144]
    assert ids(mirror, "ACM-11") == []  # compared whole: a prefix names no ticket
    assert ids(mirror, "printer") == [143, 144, 145]  # plain words are text only, as before


def test_the_reference_search_keeps_the_other_filters(mirror):
    fill(mirror)
    assert ids(mirror, "#143", pill=Pill.OPEN) == [145]
    assert ids(mirror, "#143", pill=Pill.IN_PROGRESS) == [143]
    assert ids(mirror, "acm-1144", scope=Scope.MINE) == []  # 144 is Bo's


def test_pill_counts_follow_the_search(mirror):
    fill(mirror)
    everything = mirror.pill_counts(Scope.COMPANY)
    assert everything[Pill.ALL] == 4
    counts = mirror.pill_counts(Scope.COMPANY, "printer")
    assert counts == {
        Pill.ALL: 3,
        Pill.OPEN: 1,
        Pill.IN_PROGRESS: 1,
        Pill.WAITING_ON_YOU: 0,
        Pill.RESOLVED: 1,
        Pill.CLOSED: 0,
    }
    assert mirror.pill_counts(Scope.MINE, "printer")[Pill.ALL] == 2
    assert mirror.pill_counts(Scope.COMPANY, "acm-1200") == {**dict.fromkeys(Pill, 0), Pill.ALL: 1, Pill.CLOSED: 1}
    assert mirror.pill_counts(Scope.COMPANY, "   ") == everything  # blank is no search


def test_a_ticket_waiting_in_the_outbox_counts_under_open_while_searching(mirror):
    fill(mirror)
    mirror.outbox.submit_ticket(
        TicketCreate(subject="Printer on fire", category="hardware", priority="high", description="It smokes")
    )
    counts = mirror.pill_counts(Scope.COMPANY, "printer")
    assert (counts[Pill.ALL], counts[Pill.OPEN]) == (4, 2)
    assert ids(mirror, "printer", pill=Pill.OPEN)[0] < 0  # the pending one, listed too
