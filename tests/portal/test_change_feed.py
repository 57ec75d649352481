"""Point 5: a client that follows GET /changes from nothing, a few rows at a time, rebuilds
exactly what GET /tickets and GET /tickets/{id} show, after any mix of writes (its own, its
colleagues', the PSA sync's from the server and from another process). Lowering a user's
access removes tickets from their feed and expires their old cursor."""

from __future__ import annotations

import time

from portal.schema import ChangeKind, Status
from tests.portal.api import (
    Api,
    FeedMirror,
    db_snapshot,
    psa_cycles,
    refusal,
    ticket_in_status,
)
from tests.support.portal import World, make_world, start_portal


def assert_rebuilds_the_api(mirror: FeedMirror, api: Api) -> None:
    listed = {ticket.id: ticket for ticket in api.all_tickets(limit=5)}
    assert mirror.tickets == listed
    for ticket_id in listed:
        assert mirror.timeline(ticket_id) == api.detail(ticket_id).timeline, ticket_id
    assert {event.ticket_id for event in mirror.events.values()} <= set(listed)
    assert mirror.seqs == sorted(set(mirror.seqs)), "seq must strictly increase"


def mixed_writes(world: World, apis: dict[str, Api]) -> None:
    own, colleague = apis["a_own"], apis["a_company"]
    resolved = ticket_in_status(own, Status.RESOLVED, tickets=3)
    own.http.put(f"/tickets/{resolved}/rating", json={"score": 4, "rating_comment": "ok"})
    own.http.post(f"/tickets/{resolved}/reopen")
    mine = colleague.create("Colleague's ticket", priority="critical")
    colleague.comment(mine.id, "More info")
    world.portal.psa_sync_now()  # another process writes to the same database
    apis["a_admin"].create("Admin's ticket")
    psa_cycles(world.portal, 2)


def test_following_the_feed_rebuilds_the_api_view(world: World):
    apis = {
        key: Api.signed_in(world.portal, world.accounts[key]) for key in ("a_own", "a_company", "a_admin", "b_admin")
    }
    apis["b_admin"].create("Beta's own business")
    mixed_writes(world, apis)
    mirrors = {key: FeedMirror() for key in apis}
    for key, mirror in mirrors.items():
        mirror.follow(apis[key], limit=3)
        assert_rebuilds_the_api(mirror, apis[key])
    assert len(mirrors["a_company"].tickets) > len(mirrors["a_own"].tickets) > 0

    # Later writes arrive incrementally from the cursor, and nothing else does.
    apis["a_own"].comment(apis["a_own"].create("Second round").id, "and a comment")
    psa_cycles(world.portal)
    for key, mirror in mirrors.items():
        seen = len(mirror.seqs)
        mirror.follow(apis[key], limit=3)
        assert_rebuilds_the_api(mirror, apis[key])
        if key == "b_admin":
            assert len(mirror.seqs) == seen  # nothing of Alpha's reached Beta
    caught_up = apis["a_own"].http.get("/changes", params={"cursor": mirrors["a_own"].cursor})
    assert caught_up.json()["changes"] == [] and caught_up.json()["has_more"] is False


def test_lowering_access_removes_tickets_and_expires_the_cursor(world: World):
    own = Api.signed_in(world.portal, world.accounts["a_own"])
    colleague = Api.signed_in(world.portal, world.accounts["a_company"])
    admin = Api.signed_in(world.portal, world.accounts["a_admin"])
    others = {own.create("Own user's").id, admin.create("Admin's").id}
    kept = {colleague.create("My own one").id}
    psa_cycles(world.portal)
    mirror = FeedMirror()
    mirror.follow(colleague)
    assert set(mirror.tickets) == others | kept

    world.portal.cli("set-access", "--email", "company@a.example", "--access-level", "own")

    expired = colleague.http.get("/changes", params={"cursor": mirror.cursor})
    refusal(expired, 410, "CURSOR_EXPIRED")
    fresh = FeedMirror()
    removed = []
    for page in colleague.feed_pages(limit=2):
        removed += [c.ticket_id for c in page.changes if c.kind is ChangeKind.REMOVED]
    assert set(removed) == others
    fresh.follow(colleague, limit=2)
    assert set(fresh.tickets) == kept
    assert_rebuilds_the_api(fresh, colleague)
    for ticket_id in others:
        refusal(colleague.http.get(f"/tickets/{ticket_id}"), 404, "NOT_FOUND")

    # Raised again: the tickets come back and no stale removal hides them.
    world.portal.cli("set-access", "--email", "company@a.example", "--access-level", "company")
    refusal(colleague.http.get("/changes", params={"cursor": fresh.cursor}), 410, "CURSOR_EXPIRED")
    again = FeedMirror()
    again.follow(colleague, limit=2)
    assert set(again.tickets) == others | kept
    assert_rebuilds_the_api(again, colleague)


def test_seq_orders_writes_from_the_server_and_another_process(tmp_path):
    portal = start_portal(tmp_path, psa_interval=0.3)
    try:
        world = make_world(portal)
        own = Api.signed_in(portal, world.accounts["a_own"])
        admin = Api.signed_in(portal, world.accounts["a_admin"])
        mirror = FeedMirror()
        for n in range(6):
            own.create(f"Busy {n}", priority="critical" if n % 2 else "low")
            portal.psa_sync_now()
            mirror.follow(admin, limit=4)
        time.sleep(0.7)  # let the server's own PSA job run at least once more
        mirror.follow(admin, limit=4)
        assert_rebuilds_the_api(mirror, admin)
        assert admin.http.get("/sync").json()["last_psa_sync_at"] is not None
        cycles = db_snapshot(portal.db)["state"]
        assert int(dict(cycles)["psa_cycle"]) > 6  # the CLI ran six; the server's job the rest
        assert any(t.assignee for t in mirror.tickets.values())
    finally:
        portal.stop()


def test_a_cursor_from_before_a_restore_or_from_another_portal_has_expired(world: World, tmp_path):
    """Issue 10, item 3: a cursor names the portal that issued it and a seq it has given."""
    own = Api.signed_in(world.portal, world.accounts["a_own"])
    own.create("Before the backup")
    backup = world.portal.backup(tmp_path / "backup.db")
    own.comment(own.create("After the backup").id, "and a comment")
    mirror = FeedMirror()
    mirror.follow(own)
    own.close()

    world.portal.restore(backup)  # the same portal, same identity, its feed behind the cursor
    own = Api.signed_in(world.portal, world.accounts["a_own"])
    body = refusal(own.http.get("/changes", params={"cursor": mirror.cursor}), 410, "CURSOR_EXPIRED")
    assert "backup" in body.details["cursor"]
    restored = FeedMirror()
    restored.follow(own)
    assert_rebuilds_the_api(restored, own)
    assert {t.subject for t in restored.tickets.values()} == {"Before the backup"}

    # Another portal, the same accounts (even the same user ids), its feed further along.
    other = start_portal(tmp_path)
    try:
        stranger = Api.signed_in(other, make_world(other).accounts["a_own"])
        for n in range(4):
            stranger.comment(stranger.create(f"Elsewhere {n}").id, "busy")
        for cursor in (mirror.cursor, restored.cursor):
            body = refusal(stranger.http.get("/changes", params={"cursor": cursor}), 410, "CURSOR_EXPIRED")
            assert "another portal" in body.details["cursor"]
        identities = {api.http.get("/meta").json()["portal_id"] for api in (own, stranger)}
        assert len(identities) == 2
        stranger.close()
    finally:
        other.stop()
    # Our own cursor still works where it was issued.
    assert own.http.get("/changes", params={"cursor": restored.cursor}).status_code == 200


def test_a_cursor_survives_restarts_of_the_same_portal(world: World):
    own = Api.signed_in(world.portal, world.accounts["a_own"])
    own.create("Before the restarts")
    mirror = FeedMirror()
    mirror.follow(own)
    own.close()
    for n in range(2):  # the cursor was issued two runs ago by the end
        world.portal.stop()
        world.portal.start()
        own = Api.signed_in(world.portal, world.accounts["a_own"])
        own.create(f"After restart {n}")
        own.close()
    own = Api.signed_in(world.portal, world.accounts["a_own"])
    seen = len(mirror.seqs)
    mirror.follow(own)
    assert len(mirror.seqs) == seen + 2  # only what is new: no 410, no full resync
    assert_rebuilds_the_api(mirror, own)
