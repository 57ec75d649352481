"""The mirror's queries, outbox overlay and recovery, on a mirror filled from schema models."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cache import queries
from cache.mirror import Mirror
from cache.model import Pill, Scope, SortColumn, TicketQuery
from cache.outbox import InvalidInput
from cache.schema import CACHE_MIGRATIONS
from portal.schema import AccessLevel, Category, Priority, Status, TicketCreate, UserRef
from portal.sqlite import migrate, utc_text
from tests.cache.factories import EPOCH, event, event_change, me, removed_change, ticket, ticket_change
from tui.paths import profile_paths

STATUSES = ["open", "in_progress", "waiting_on_client", "waiting_on_vendor", "resolved", "closed"]
PRIORITIES = ["low", "medium", "high", "critical"]


@pytest.fixture
def paths(tmp_path):
    return profile_paths("test", "http://127.0.0.1:9", "u1@alpha.example", {"HOME": str(tmp_path)})


@pytest.fixture
def mirror(paths):
    m = Mirror.open(paths)
    m.store_me(me(1))
    yield m
    m.close()


def fill(mirror: Mirror, count: int = 24) -> None:
    """Tickets 1..count: status and priority cycle; odd ids are mine (user 1)."""
    changes = [
        ticket_change(
            i,
            ticket(
                i,
                status=STATUSES[i % 6],
                priority=PRIORITIES[i % 4],
                submitted_by=UserRef(id=1 if i % 2 else 2, name="User 1" if i % 2 else "Bo"),
            ),
        )
        for i in range(1, count + 1)
    ]
    mirror.apply_changes(changes, "cursor-1", has_more=False)


def draft(subject="Printer on fire", description="It smokes") -> TicketCreate:
    return TicketCreate(subject=subject, category="hardware", priority="high", description=description)


def test_pill_counts_per_status_and_scope(mirror):
    fill(mirror)
    company = mirror.pill_counts(Scope.COMPANY)
    assert company[Pill.ALL] == 24
    assert {company[p] for p in Pill if p is not Pill.ALL} == {4}
    mine = mirror.pill_counts(Scope.MINE)
    assert mine[Pill.ALL] == 12
    # odd ids are mine; status is STATUSES[i % 6]: in_progress, waiting_on_vendor, closed
    assert (mine[Pill.IN_PROGRESS], mine[Pill.CLOSED]) == (4, 4)
    assert (mine[Pill.OPEN], mine[Pill.RESOLVED], mine[Pill.WAITING_ON_YOU]) == (0, 0, 0)


def test_page_filters_sorts_and_totals(mirror):
    fill(mirror)
    query = TicketQuery(pill=Pill.RESOLVED, sort=SortColumn.ID, descending=False)
    rows = mirror.page(query, 0, 10)
    assert [r.id for r in rows] == [4, 10, 16, 22]
    assert all(r.status is Status.RESOLVED for r in rows)
    assert mirror.total(query) == 4
    assert [r.id for r in mirror.page(query, 1, 2)] == [10, 16]


def test_exact_status_priority_and_category_filters(mirror):
    fill(mirror)
    mirror.outbox.submit_ticket(draft())  # pending: open, high, hardware
    vendor = TicketQuery(status=Status.WAITING_ON_VENDOR, pill=Pill.ALL)
    assert {r.status for r in mirror.page(vendor, 0, 50)} == {Status.WAITING_ON_VENDOR}
    assert mirror.total(vendor) == 4
    high_open = TicketQuery(pill=Pill.OPEN, priority=Priority.HIGH)
    rows = mirror.page(high_open, 0, 50)
    assert rows and all(r.status is Status.OPEN and r.priority is Priority.HIGH for r in rows)
    assert any(r.pending for r in rows) and mirror.total(high_open) == len(rows)
    assert mirror.total(TicketQuery(category=Category.HARDWARE)) == 1  # only the pending one
    assert mirror.total(TicketQuery(category=Category.HARDWARE, priority=Priority.LOW)) == 0


def test_priority_sorts_by_severity_and_status_by_workflow(mirror):
    fill(mirror, 8)
    by_priority = mirror.page(TicketQuery(sort=SortColumn.PRIORITY, descending=True), 0, 8)
    assert [r.priority.value for r in by_priority[:2]] == ["critical", "critical"]
    assert [r.id for r in by_priority[:2]] == [7, 3]  # ties by id, same direction
    by_status = mirror.page(TicketQuery(sort=SortColumn.STATUS, descending=False), 0, 8)
    ranks = [STATUSES.index(r.status.value) for r in by_status]
    assert ranks == sorted(ranks)


def test_search_uses_subject_description_and_comments(mirror):
    fill(mirror, 5)
    mirror.apply_changes(
        [
            ticket_change(10, ticket(2, subject="VPN drops every hour")),
            ticket_change(11, ticket(3, description="The printer on floor 2 jams")),
            event_change(12, event(100, 4, body="Replaced the router's fan")),
        ],
        "cursor-2",
        has_more=False,
    )
    ids = lambda text: sorted(r.id for r in mirror.page(TicketQuery(search=text), 0, 50))
    assert ids("vpn") == [2]
    assert ids("PRINT") == [3]  # prefix, case-insensitive
    assert ids("router fan") == [4]  # words from a comment
    assert ids("printer vpn") == []  # every word must match
    assert mirror.total(TicketQuery(search="ticket")) == 5


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "*",
        "NEAR(",
        "AND",
        "OR NOT",
        '"unterminated',
        "a:b",
        "-x",
        "\x1b[31mred\x1b[0m",
        "😀",
        "طابعة",
        "(",
        "^",
        "col:umn",
        "\x00",
    ],
)
def test_hostile_search_text_is_never_an_fts_error(mirror, text):
    fill(mirror, 3)
    mirror.page(TicketQuery(search=text), 0, 10)  # must not raise
    assert mirror.total(TicketQuery(search=text)) >= 0


def test_hostile_words_are_searched_as_text(mirror):
    mirror.apply_changes(
        [
            ticket_change(1, ticket(1, subject="NEAR the AND gate")),
            ticket_change(2, ticket(2, subject="طابعة لا تعمل")),
            ticket_change(3, ticket(3, subject="red alert")),
        ],
        "c",
        has_more=False,
    )
    ids = lambda text: [r.id for r in mirror.page(TicketQuery(search=text), 0, 10)]
    assert ids("NEAR(") == [1]
    assert ids("AND") == [1]
    assert ids("طابعة") == [2]
    assert ids("\x1b[31mred\x1b[0m") == [3]  # a pasted escape sequence is not part of the word
    assert ids("😀") == []  # nothing FTS can index: matches no ticket, not every ticket


def test_offline_ticket_shows_pending_then_becomes_the_portals(mirror):
    fill(mirror, 3)
    pending_id = mirror.outbox.submit_ticket(draft())
    assert pending_id < 0
    top = mirror.page(TicketQuery(), 0, 1)[0]
    assert (top.id, top.subject, top.pending, top.status) == (pending_id, "Printer on fire", True, Status.OPEN)
    assert mirror.pill_counts(Scope.COMPANY)[Pill.OPEN] == 1  # none of 1..3 is open
    assert mirror.total(TicketQuery(search="printer")) == 1
    comment_id = mirror.outbox.add_comment(pending_id, "Smoke is grey")
    view = mirror.ticket(pending_id)
    assert view.description == "It smokes" and view.row.pending
    assert [(i.id, i.body, i.pending) for i in view.timeline] == [(comment_id, "Smoke is grey", True)]
    assert mirror.sync_status().waiting_to_send == 2

    item = mirror.outbox.pending_items()[0]
    mirror.outbox.acknowledge(item.id, ticket=ticket(50, subject="Printer on fire", description="It smokes"))
    assert mirror.outbox.resolve(pending_id) == 50
    assert mirror.ticket(pending_id).row.id == 50 and not mirror.ticket(pending_id).row.pending
    assert [r.id for r in mirror.page(TicketQuery(sort=SortColumn.ID), 0, 1)] == [50]
    # the comment queued on the pending id now shows on the portal's ticket
    assert [i.body for i in mirror.ticket(50).timeline] == ["Smoke is grey"]


def test_pending_confirm_and_rating_show_expected_state(mirror):
    mirror.apply_changes([ticket_change(1, ticket(1, status="resolved"))], "c", has_more=False)
    assert mirror.ticket(1).can_confirm
    mirror.outbox.confirm(1)
    mirror.outbox.rate(1, 4, "quick fix")
    view = mirror.ticket(1)
    assert view.row.status is Status.CLOSED and view.row.pending
    assert (view.rating, view.rating_comment) == (4, "quick fix")
    assert [i.to_status for i in view.timeline if i.kind.value == "status_change"] == [Status.CLOSED]


def test_permissions_follow_submitter_and_access_level(mirror):
    mirror.apply_changes(
        [
            ticket_change(1, ticket(1, status="resolved")),
            ticket_change(2, ticket(2, status="resolved", submitted_by=UserRef(id=2, name="Bo"))),
            ticket_change(3, ticket(3, status="closed", submitted_by=UserRef(id=2, name="Bo"))),
        ],
        "c",
        has_more=False,
    )
    assert mirror.ticket(1).can_confirm and mirror.ticket(1).can_rate
    assert not mirror.ticket(2).can_confirm and not mirror.ticket(2).can_reopen
    mirror.store_me(me(1, AccessLevel.COMPANY_ADMIN))
    assert mirror.ticket(2).can_reopen and mirror.ticket(3).can_rate and not mirror.ticket(3).can_confirm


def test_bad_input_names_the_field_and_queues_nothing(mirror):
    fill(mirror, 1)
    with pytest.raises(InvalidInput) as caught:
        mirror.outbox.add_comment(1, "   ")
    assert caught.value.field == "body" and "comment" in str(caught.value)
    with pytest.raises(InvalidInput) as caught:
        mirror.outbox.rate(1, 6, None)
    assert caught.value.field == "score" and "1 to 5" in str(caught.value)
    assert mirror.sync_status().waiting_to_send == 0


def test_changed_since_last_opened(mirror):
    fill(mirror, 2)  # the first full sync: nothing is "changed"
    assert not any(r.changed for r in mirror.page(TicketQuery(), 0, 5))
    mirror.apply_changes([event_change(5, event(9, 1, author_role="msp"))], "c2", has_more=False)
    mirror.apply_changes(
        [event_change(6, event(10, 2, author_role="client", author_name="User 1"))], "c3", has_more=False
    )
    changed = {r.id: r.changed for r in mirror.page(TicketQuery(), 0, 5)}
    assert changed == {1: True, 2: False}
    mirror.mark_opened(1)
    assert not mirror.page(TicketQuery(sort=SortColumn.ID, descending=False), 0, 1)[0].changed


def test_removed_ticket_leaves_list_and_search(mirror):
    fill(mirror, 3)
    mirror.apply_changes([removed_change(9, 2)], "c2", has_more=False)
    assert sorted(r.id for r in mirror.page(TicketQuery(), 0, 9)) == [1, 3]
    assert mirror.total(TicketQuery(search="ticket 2")) == 0
    assert mirror.ticket(2) is None


def test_position_of_a_ticket_in_a_sorted_list(mirror):
    fill(mirror, 10)
    query = TicketQuery(sort=SortColumn.ID, descending=True)
    assert mirror.position(query, 10) == 0
    assert mirror.position(query, 7) == 3
    assert mirror.position(query, 999) is None


def test_drafts_survive_reopening(paths, mirror):
    mirror.drafts.save("new-ticket", {"subject": "half typed"})
    mirror.close()
    again = Mirror.open(paths)
    assert again.drafts.load("new-ticket") == {"subject": "half typed"}
    again.drafts.clear("new-ticket")
    assert again.drafts.load("new-ticket") is None
    again.close()


def _corrupt(path):
    with open(path, "r+b") as f:
        f.seek(0)
        f.write(b"\xde\xad\xbe\xef" * 64)


def _newer(path):
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(CACHE_MIGRATIONS) + 5}")
    conn.close()


@pytest.mark.parametrize("damage", [_corrupt, _newer], ids=["corrupt", "newer-version"])
def test_bad_cache_is_moved_aside_and_outbox_kept(paths, mirror, damage):
    fill(mirror, 3)
    pending_id = mirror.outbox.submit_ticket(draft())
    mirror.close()
    damage(paths.cache_db)
    reopened = Mirror.open(paths)
    try:
        assert reopened.moved_aside is not None and reopened.moved_aside.exists()
        assert reopened.cursor() is None and reopened.total(TicketQuery()) == 1
        assert reopened.ticket(pending_id).row.subject == "Printer on fire"
        assert reopened.sync_status().waiting_to_send == 1
    finally:
        reopened.close()


def test_wipe_keeps_the_outbox(mirror):
    fill(mirror, 3)
    mirror.outbox.submit_ticket(draft())
    mirror.wipe()
    assert mirror.cursor() is None
    assert [r.pending for r in mirror.page(TicketQuery(), 0, 9)] == [True]


def test_each_thread_gets_its_own_connection(mirror):
    import threading

    fill(mirror, 3)
    seen = []
    thread = threading.Thread(target=lambda: seen.append(mirror.total(TicketQuery())))
    thread.start()
    thread.join()
    assert seen == [3]


def test_a_busy_cache_is_not_mistaken_for_a_corrupt_one(paths, monkeypatch):
    import cache.store

    monkeypatch.setattr(cache.store, "BUSY_TIMEOUT_MS", 100)
    paths.cache_db.parent.mkdir(parents=True)
    holder = sqlite3.connect(paths.cache_db, isolation_level=None)
    holder.execute("CREATE TABLE someone_elses_write (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError):
            Mirror.open(paths)
        assert not list(paths.cache_db.parent.glob("*.corrupt-*"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40))
def test_any_typed_text_is_a_valid_search(mirror, text):
    if mirror.total(TicketQuery()) == 0:
        fill(mirror, 3)
    rows = mirror.page(TicketQuery(search=text), 0, 10)
    assert mirror.total(TicketQuery(search=text)) == len(rows)


def _turned_waiting(event_id: int, ticket_id: int, minute: int):
    return event(
        event_id,
        ticket_id,
        kind="status_change",
        body=None,
        from_status="in_progress",
        to_status="waiting_on_client",
        created_at=EPOCH + timedelta(minutes=minute),
    )


def test_the_age_counts_from_the_last_turn_to_waiting_and_sorts_by_its_index(mirror):
    """Ticket 1 waits on the client since minute 10 (updated at minute 500); 2 was updated at
    minute 100; 3, seen after its events (back in view), waits since minute 50. By age, the
    longest first: 1, 3, 2."""
    waiting_late = ticket(1, status="waiting_on_client", updated_at=EPOCH + timedelta(minutes=500))
    changes = [
        ticket_change(1, waiting_late),
        event_change(2, _turned_waiting(101, 1, 5)),
        event_change(3, _turned_waiting(102, 1, 10)),
        ticket_change(4, ticket(2, updated_at=EPOCH + timedelta(minutes=100))),
        event_change(5, _turned_waiting(103, 3, 50)),
        ticket_change(6, ticket(3, status="waiting_on_client", updated_at=EPOCH + timedelta(minutes=600))),
    ]
    mirror.apply_changes(changes, "cursor-1", has_more=False)
    longest_first = mirror.page(TicketQuery(sort=SortColumn.AGE, descending=True), 0, 10)
    assert [r.id for r in longest_first] == [1, 3, 2]
    assert [r.waiting_since for r in longest_first] == [EPOCH + timedelta(minutes=m) for m in (10, 50)] + [None]
    assert [r.id for r in mirror.page(TicketQuery(sort=SortColumn.AGE, descending=False), 0, 10)] == [2, 3, 1]
    assert mirror.position(TicketQuery(sort=SortColumn.AGE), 3) == 1

    query = TicketQuery(sort=SortColumn.AGE)
    sql, params = queries.ticket_page(query, mirror._filter(query))
    plan = " ".join(
        row[3] for row in mirror._conn.execute(f"EXPLAIN QUERY PLAN {sql}", {**params, "offset": 0, "limit": 9})
    )
    assert "SCAN t USING INDEX tickets_by_age" in plan


def test_a_cache_from_before_the_age_column_gets_it_from_its_events(paths):
    paths.cache_db.parent.mkdir(parents=True, exist_ok=True)
    old = sqlite3.connect(paths.cache_db, isolation_level=None)
    migrate(old, CACHE_MIGRATIONS[:6])
    for ticket_id, status in ((7, "waiting_on_client"), (8, "open")):
        old.execute(
            "INSERT INTO tickets (id, subject, category, priority, description, status, created_at, "
            "updated_at, submitted_by_id, submitted_by_name, company_id) VALUES (?, 's', 'hardware', 'low', "
            "'d', ?, '2026-01-01T00:00:00.000000+00:00', '2026-01-09T00:00:00.000000+00:00', 1, 'User 1', 1)",
            (ticket_id, status),
        )
        old.execute(
            "INSERT INTO events (id, ticket_id, kind, author_role, author_name, to_status, created_at) "
            "VALUES (?, ?, 'status_change', 'msp', 'Tech', 'waiting_on_client', '2026-01-02T00:00:00.000000+00:00')",
            (ticket_id, ticket_id),
        )
    old.close()

    migrated = Mirror.open(paths)
    try:
        assert migrated.moved_aside is None
        rows = {r.id: r for r in migrated.page(TicketQuery(sort=SortColumn.AGE), 0, 10)}
        assert [r.id for r in rows.values()] == [7, 8], "7 has waited since the 2nd; 8 was updated on the 9th"
        assert rows[7].waiting_since == rows[8].waiting_since == datetime(2026, 1, 2, tzinfo=UTC)
    finally:
        migrated.close()


def test_the_feed_applies_in_its_order_even_when_a_time_goes_back(mirror: Mirror) -> None:
    """Only a write's answer is checked against the mirror's time (it may be a replay from the
    past); the change feed is the portal's order, so a change whose clock went back still lands."""
    later = EPOCH + timedelta(hours=2)
    mirror.apply_changes([ticket_change(1, ticket(7, status="open", updated_at=later))], "c1", has_more=False)
    skewed = ticket(7, status="in_progress", assignee="Tess", updated_at=later - timedelta(seconds=30))
    mirror.apply_changes([ticket_change(2, skewed)], "c2", has_more=False)
    view = mirror.ticket(7)
    assert (view.row.status, view.row.assignee) == (Status.IN_PROGRESS, "Tess")


def test_opening_forgets_what_the_portal_has_had_for_a_month_and_keeps_the_rest(paths, mirror):
    fill(mirror, 2)
    for ticket_id in (1, 2):
        mirror.outbox.add_comment(ticket_id, f"Comment on {ticket_id}")
    month_old, week_old = sorted(item.id for item in mirror.outbox.pending_items())
    conn = mirror.connection()
    for item_id, days in ((month_old, 31), (week_old, 7)):
        done_at = utc_text(datetime.now(UTC) - timedelta(days=days))
        conn.execute("UPDATE outbox.outbox SET state = 'done', done_at = ? WHERE id = ?", (done_at, item_id))
    conn.commit()
    mirror.close()

    def kept() -> list[int]:
        reopened = Mirror.open(paths)
        try:
            return [row[0] for row in reopened.connection().execute("SELECT id FROM outbox.outbox ORDER BY id")]
        finally:
            reopened.close()

    assert kept() == [week_old], "the month-old item is forgotten, last week's is kept"
    assert kept() == [week_old], "nothing more to forget: opening again changes nothing"
