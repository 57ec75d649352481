"""The Stats figures (cache/stats.py): by hand on a mirror of known tickets and events, and
against the reference portal's own answers after a real sync."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from cache.mirror import Mirror
from cache.stats import WEEKS
from portal.schema import AccessLevel, Priority, Status, UserRef
from tests.cache.factories import event, event_change, me, ticket, ticket_change
from tests.support.portal import Account, start_portal, token_for
from tui.demo import DEMO_EMAIL, DEMO_PASSWORD
from tui.paths import profile_paths

# A Wednesday in ISO week 12 of 2026: the window is W01 (Monday 29 Dec 2025) to W12.
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
BOB = UserRef(id=2, name="Bob Builder")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def known_changes():
    """Seven tickets whose every figure is worked out by hand in the tests below."""
    tickets = [
        # 1: this week; answered after 35 min, resolved after 1 d 4 h.
        ticket(1, created_at=at("2026-03-16T09:00"), status="resolved", priority="low"),
        # 2: last week; a client comment first (not a response), then an assignment after 2 h.
        ticket(2, created_at=at("2026-03-10T10:00"), status="in_progress", priority="medium"),
        # 3: before the window; answered before it too; resolved in W02, reopened, resolved again.
        # Its updated_at is left old (a portal that does not bump it): the MSP's events show it.
        ticket(
            3, created_at=at("2025-12-20T10:00"), updated_at=at("2025-12-20T10:00"), status="closed", priority="high"
        ),
        # 4: Bob's, W06, critical, waiting on the client after a day.
        ticket(4, created_at=at("2026-02-02T08:00"), status="waiting_on_client", priority="critical", submitted_by=BOB),
        # 5: Bob's, this week, nothing happened yet.
        ticket(5, created_at=at("2026-03-17T08:00"), status="open", priority="high", submitted_by=BOB),
        # 6: W04, closed by the MSP a day later without ever being resolved.
        ticket(6, created_at=at("2026-01-20T09:00"), status="closed", priority="medium"),
        # 7: Sunday 23:30 UTC, the last half hour of W11 in UTC, already W12 an hour east.
        ticket(7, created_at=at("2026-03-15T23:30"), status="open", priority="low"),
    ]
    events = [
        event(11, 1, kind="comment", author_role="msp", created_at=at("2026-03-16T09:35")),
        event(
            12,
            1,
            kind="status_change",
            author_role="msp",
            from_status="in_progress",
            to_status="resolved",
            body=None,
            created_at=at("2026-03-17T13:00"),
        ),
        event(21, 2, kind="comment", author_role="client", author_name="User 1", created_at=at("2026-03-10T11:00")),
        event(
            22,
            2,
            kind="assignment",
            author_role="msp",
            assignee="Tech Ana",
            body=None,
            created_at=at("2026-03-10T12:00"),
        ),
        event(
            23,
            2,
            kind="status_change",
            author_role="msp",
            from_status="open",
            to_status="in_progress",
            body=None,
            created_at=at("2026-03-10T13:00"),
        ),
        event(31, 3, kind="comment", author_role="msp", created_at=at("2025-12-20T11:00")),
        event(
            32,
            3,
            kind="status_change",
            author_role="msp",
            from_status="in_progress",
            to_status="resolved",
            body=None,
            created_at=at("2026-01-05T10:00"),
        ),
        event(
            33,
            3,
            kind="status_change",
            author_role="client",
            from_status="resolved",
            to_status="open",
            body=None,
            created_at=at("2026-01-06T10:00"),
        ),
        event(
            34,
            3,
            kind="status_change",
            author_role="msp",
            from_status="in_progress",
            to_status="resolved",
            body=None,
            created_at=at("2026-01-10T10:00"),
        ),
        event(
            41,
            4,
            kind="status_change",
            author_role="msp",
            from_status="open",
            to_status="waiting_on_client",
            body=None,
            created_at=at("2026-02-03T08:00"),
        ),
        event(
            61,
            6,
            kind="status_change",
            author_role="msp",
            from_status="open",
            to_status="closed",
            body=None,
            created_at=at("2026-01-21T09:00"),
        ),
    ]
    seq = 0
    for t in tickets:
        seq += 1
        yield ticket_change(seq, t)
    for e in events:
        seq += 1
        yield event_change(seq, e)


@pytest.fixture
def mirror(tmp_path: Path):
    m = Mirror.open(profile_paths("test", "http://127.0.0.1:9", "u1@alpha.example", {"HOME": str(tmp_path)}))
    m.apply_changes(list(known_changes()), next_cursor="c1", has_more=False)
    yield m
    m.close()


def test_weeks_count_what_was_opened_and_first_resolved_in_each(mirror: Mirror):
    mirror.store_me(me(1, AccessLevel.COMPANY))
    stats = mirror.stats(NOW)
    assert len(stats.weeks) == WEEKS
    assert stats.weeks[0].start == date(2025, 12, 29) and stats.weeks[0].number == 1
    assert stats.weeks[-1].start == date(2026, 3, 16) and stats.weeks[-1].number == 12
    opened = {w.number: w.opened for w in stats.weeks if w.opened}
    resolved = {w.number: w.resolved for w in stats.weeks if w.resolved}
    assert opened == {4: 1, 6: 1, 11: 2, 12: 2}  # ticket 3 was opened before the window
    # Ticket 3 counts once, at its first resolution; ticket 6 was closed without one.
    assert resolved == {2: 1, 4: 1, 12: 1}


def test_open_tickets_by_priority_and_status(mirror: Mirror):
    mirror.store_me(me(1, AccessLevel.COMPANY))
    stats = mirror.stats(NOW)
    assert stats.open_by_priority == {Priority.CRITICAL: 1, Priority.HIGH: 1, Priority.MEDIUM: 1, Priority.LOW: 1}
    assert list(stats.open_by_priority) == [Priority.CRITICAL, Priority.HIGH, Priority.MEDIUM, Priority.LOW]
    assert stats.open_by_status == {
        Status.OPEN: 2,
        Status.IN_PROGRESS: 1,
        Status.WAITING_ON_CLIENT: 1,
        Status.WAITING_ON_VENDOR: 0,
    }
    assert stats.open_total == 4


def test_medians_of_first_msp_response_and_resolution(mirror: Mirror):
    mirror.store_me(me(1, AccessLevel.COMPANY))
    medians = mirror.stats(NOW).medians
    # Responses in the window: 35 min, 2 h (the client's own comment does not count), 1 d, 1 d.
    assert medians.first_response_tickets == 4
    assert medians.first_response_seconds == statistics.median([35 * 60, 2 * 3600, 86400, 86400])
    # Resolutions: 1 d 4 h, 16 d (the first of ticket 3's two), 1 d (closed directly).
    assert medians.resolution_tickets == 3
    assert medians.resolution_seconds == 28 * 3600


def test_by_submitter_only_for_a_company_admin(mirror: Mirror):
    mirror.store_me(me(1, AccessLevel.COMPANY))
    assert mirror.stats(NOW).by_submitter is None
    mirror.store_me(me(1, AccessLevel.COMPANY_ADMIN))
    rows = mirror.stats(NOW).by_submitter
    assert [(r.submitter_id, r.name) for r in rows] == [(1, "User 1"), (2, "Bob Builder")]
    user_1, bob = rows
    assert (user_1.open_now, user_1.opened, user_1.resolved) == (2, 4, 3)
    assert user_1.medians.first_response_seconds == 2 * 3600  # of 35 min, 2 h, 1 d
    assert user_1.medians.resolution_seconds == 28 * 3600
    assert (bob.open_now, bob.opened, bob.resolved) == (2, 2, 0)
    assert bob.medians.first_response_seconds == 86400 and bob.medians.first_response_tickets == 1
    assert bob.medians.resolution_seconds is None and bob.medians.resolution_tickets == 0


def test_weeks_follow_the_time_zone_of_now(mirror: Mirror):
    mirror.store_me(me(1))
    east = mirror.stats(NOW.astimezone(timezone(timedelta(hours=1))))
    utc = mirror.stats(NOW)
    # Ticket 7 was opened at 00:30 on Monday an hour east of UTC: this week there, last week here.
    assert (utc.weeks[-2].opened, utc.weeks[-1].opened) == (2, 2)
    assert (east.weeks[-2].opened, east.weeks[-1].opened) == (1, 3)


def test_an_empty_mirror_has_zeros_and_no_medians(tmp_path: Path):
    m = Mirror.open(profile_paths("empty", "http://127.0.0.1:9", "u1@alpha.example", {"HOME": str(tmp_path)}))
    try:
        stats = m.stats(NOW)
    finally:
        m.close()
    assert [w.opened + w.resolved for w in stats.weeks] == [0] * WEEKS
    assert stats.open_total == 0 and stats.medians.first_response_seconds is None
    assert stats.medians.resolution_seconds is None and stats.by_submitter is None


def test_now_without_a_time_zone_is_refused(mirror: Mirror):
    with pytest.raises(ValueError):
        mirror.stats(NOW.replace(tzinfo=None))


# --- against the reference portal ------------------------------------------------------------------


DEMO_ADMIN = Account(DEMO_EMAIL, DEMO_PASSWORD, "Acme admin", "Acme Corp", "company_admin")


def portal_figures(api: str, token: str, now: datetime) -> dict:
    """The same figures worked out from the portal's API alone: every visible ticket and its
    timeline, counted the plain way."""
    headers = {"Authorization": f"Bearer {token}"}
    tickets, cursor = [], None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(f"{api}/tickets", params=params, headers=headers, timeout=30).json()
        tickets += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    first_monday = now.date() - timedelta(days=now.weekday() + 7 * (WEEKS - 1))

    def week(moment: str | None) -> int | None:
        if moment is None:
            return None
        index = (datetime.fromisoformat(moment).astimezone(now.tzinfo).date() - first_monday).days // 7
        return index if 0 <= index < WEEKS else None

    opened, resolved, open_by_status = [0] * WEEKS, [0] * WEEKS, {}
    for t in tickets:
        timeline = httpx.get(f"{api}/tickets/{t['id']}", headers=headers, timeout=30).json()["timeline"]
        ends = [
            e["created_at"]
            for e in timeline
            if e["kind"] == "status_change" and e["to_status"] in ("resolved", "closed")
        ]
        if (k := week(t["created_at"])) is not None:
            opened[k] += 1
        if ends and (k := week(min(ends, key=datetime.fromisoformat))) is not None:
            resolved[k] += 1
        if t["status"] not in ("resolved", "closed"):
            open_by_status[t["status"]] = open_by_status.get(t["status"], 0) + 1
    return {
        "opened": opened,
        "resolved": resolved,
        "open_by_status": open_by_status,
        "submitters": {t["submitted_by"]["id"] for t in tickets},
    }


async def test_figures_after_a_real_sync_match_the_portal(tmp_path: Path, sides):
    portal = start_portal(tmp_path, seed_demo=True)
    try:
        side = await sides(portal, DEMO_ADMIN)
        assert (await side.engine.sync_now()).error is None
        now = datetime.now(UTC)
        stats = side.mirror.stats(now)
        expected = portal_figures(portal.api, token_for(portal, DEMO_ADMIN), now)
    finally:
        portal.stop()
    assert sum(expected["opened"]) > 0 and sum(expected["resolved"]) > 0  # the demo has both
    assert [w.opened for w in stats.weeks] == expected["opened"]
    assert [w.resolved for w in stats.weeks] == expected["resolved"]
    assert {s.value: n for s, n in stats.open_by_status.items() if n} == expected["open_by_status"]
    assert stats.medians.first_response_tickets > 0 and stats.medians.resolution_tickets > 0
    assert {row.submitter_id for row in stats.by_submitter} == expected["submitters"]
