"""The mirror knows its portal (issue 10, item 3), against the real reference portal.

A portal restored from an older backup, or a different portal answering at the same address,
is noticed on the next sync — from the 410 its change feed gives the client's cursor, or from
the identity in `/meta` — and the mirror is rebuilt from it. A queued write that names a ticket
by id is checked against the rebuilt mirror first: sent when the ticket is the one the user
wrote to, set aside ("needs attention", never sent) when that id now means another ticket.
"""

from __future__ import annotations

import uuid

from cache.mirror import Mirror
from cache.outbox import WrittenTo
from cache.sync import REBUILT_CURSOR_EXPIRED, REBUILT_OTHER_PORTAL
from portal.client import PortalClient
from portal.schema import Change
from tests.cache import schema_history
from tests.cache.helpers import draft
from tests.support.portal import make_world, start_portal, token_for
from tui.paths import profile_paths


async def _visible_ids(portal, account) -> set[int]:
    async with PortalClient(portal.url, token_for(portal, account)) as api:
        ids, cursor = set(), None
        while True:
            page = await api.list_tickets(limit=500, cursor=cursor)
            ids |= {ticket.id for ticket in page.items}
            cursor = page.next_cursor
            if cursor is None:
                return ids


def _mirrored_ids(mirror) -> set[int]:
    return {row[0] for row in mirror._conn.execute("SELECT id FROM tickets")}


async def _bodies_on(portal, account, ticket_id: int) -> list[str | None]:
    async with PortalClient(portal.url, token_for(portal, account)) as api:
        return [event.body for event in (await api.ticket(ticket_id)).timeline]


async def _create(portal, account, subject: str, comments: int = 0) -> int:
    async with PortalClient(portal.url, token_for(portal, account)) as api:
        ticket = await api.create_ticket(draft(subject), str(uuid.uuid4()))
        for n in range(comments):
            await api.add_comment(ticket.id, f"note {n}", str(uuid.uuid4()))
        return ticket.id


async def test_a_portal_restored_from_a_backup_is_rebuilt_from_and_nothing_goes_astray(world, sides, tmp_path):
    portal, me, colleague = world.portal, world.accounts["a_company"], world.accounts["a_admin"]
    side = await sides(portal, me)  # signed in before the backup: the token survives it
    before = await side.client.create_ticket(draft("Before the backup"), "before")
    await side.engine.sync_now()
    backup = portal.backup(tmp_path / "backup.db")

    after = await side.client.create_ticket(draft("After the backup"), "after")
    await side.client.add_comment(after.id, "details", "after-details")
    assert (await side.engine.sync_now()).error is None
    assert side.mirror.ticket(after.id).row.subject == "After the backup"
    portal.stop()
    side.mirror.outbox.add_comment(after.id, "Meant for my ticket from after the backup")
    side.mirror.outbox.add_comment(before.id, "Meant for my ticket from before the backup")

    portal.restore(backup)  # the same portal, same address, its feed behind the client's cursor
    taken = await _create(portal, colleague, "A colleague's ticket")
    assert taken == after.id  # the id the user wrote to now means the colleague's ticket

    result = await side.engine.sync_now()

    assert result.error is None and result.rebuilt == REBUILT_CURSOR_EXPIRED
    assert _mirrored_ids(side.mirror) == await _visible_ids(portal, me)
    assert side.mirror.ticket(taken).row.subject == "A colleague's ticket"
    # The comment to the lost ticket was not sent, and says why; the other one was sent.
    assert "Meant for my ticket from after the backup" not in await _bodies_on(portal, colleague, taken)
    assert "Meant for my ticket from before the backup" in await _bodies_on(portal, me, before.id)
    assert len(result.needs_attention) == 1
    assert f"#{taken}" in result.needs_attention[0]
    assert "different ticket" in result.needs_attention[0]
    status = side.mirror.sync_status()
    assert (status.waiting_to_send, status.needs_attention) == (0, 1)
    # It is not shown on the colleague's ticket either, and a later sync never sends it.
    assert not any(item.pending or item.needs_attention for item in side.mirror.ticket(taken).timeline)
    assert (await side.engine.sync_now()).rebuilt is None
    assert "Meant for my ticket from after the backup" not in await _bodies_on(portal, colleague, taken)


async def test_a_restored_portal_is_noticed_even_once_its_feed_has_passed_the_cursor(world, sides, tmp_path):
    """The restored portal's feed has given more seqs than the client's cursor holds, so the
    cursor's seq alone looks fine; the serving run it names is unknown to the restored database."""
    portal, me, colleague = world.portal, world.accounts["a_own"], world.accounts["a_admin"]
    side = await sides(portal, me)
    await side.engine.sync_now()
    backup = portal.backup(tmp_path / "backup.db")
    after = await side.client.create_ticket(draft("After the backup"), "after")
    await side.engine.sync_now()
    portal.stop()
    side.mirror.outbox.add_comment(after.id, "Meant for my ticket")

    portal.restore(backup)
    taken = await _create(portal, colleague, "A colleague's ticket", comments=6)
    assert taken == after.id

    result = await side.engine.sync_now()

    assert result.error is None and result.rebuilt == REBUILT_CURSOR_EXPIRED
    assert _mirrored_ids(side.mirror) == await _visible_ids(portal, me) == set()
    assert "Meant for my ticket" not in await _bodies_on(portal, colleague, taken)
    assert len(result.needs_attention) == 1 and f"#{taken}" in result.needs_attention[0]
    assert "no longer among your tickets" in result.needs_attention[0]  # an own user's view


async def test_a_different_portal_at_the_same_address_replaces_the_mirror(tmp_path, sides):
    first = start_portal(tmp_path)
    second = None
    try:
        world = make_world(first)
        me = world.accounts["a_company"]
        side = await sides(first, me)
        mine = await side.client.create_ticket(draft("Mine, on the first portal"), "mine")
        await side.engine.sync_now()
        first_id = side.mirror.portal_id()
        assert first_id == (await side.client.meta()).portal_id  # learnt from /meta
        first.stop()
        side.mirror.outbox.add_comment(mine.id, "Meant for the first portal")

        # Another portal on the same port: the same accounts (even the same user ids) and a
        # change feed that has gone further than the client's cursor.
        port = int(first.url.rsplit(":", 1)[1])
        second = start_portal(tmp_path, port=port)
        assert second.url == first.url
        other = make_world(second)
        taken = await _create(second, other.accounts["a_admin"], "Someone else's", comments=6)
        assert taken == mine.id
        side.client.token = token_for(second, me)  # the user signs in again, same profile

        result = await side.engine.sync_now()

        assert result.error is None and result.rebuilt == REBUILT_OTHER_PORTAL
        assert side.mirror.portal_id() == (await side.client.meta()).portal_id != first_id
        assert _mirrored_ids(side.mirror) == await _visible_ids(second, me)
        assert side.mirror.ticket(mine.id).row.subject == "Someone else's"
        assert "Meant for the first portal" not in await _bodies_on(second, other.accounts["a_admin"], taken)
        assert len(result.needs_attention) == 1
        assert "different portal" in result.needs_attention[0]
        assert side.mirror.sync_status().needs_attention == 1
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_an_outbox_from_before_the_check_keeps_its_items_and_sends_them_as_before(tmp_path):
    """Items queued by a version that did not note their ticket: nothing is known to compare,
    so they are sent unless their ticket is gone (as the portal would refuse them anyway)."""
    paths = profile_paths("old", "http://127.0.0.1:1", "ann@a.example", {"HOME": str(tmp_path)})
    paths.outbox_db.parent.mkdir(parents=True)
    old = schema_history.build(paths.outbox_db, schema_history.OUTBOX_STEPS, 1)
    old.execute(
        "INSERT INTO outbox (kind, ticket_ref, payload, idempotency_key, author_name, created_at) "
        "VALUES ('comment', 7, '{\"body\": \"still here\"}', 'k1', 'Ann', '2026-01-01T00:00:00+00:00')"
    )
    old.close()

    mirror = Mirror.open(paths)
    try:
        [item] = mirror.outbox.pending_items()
        assert (item.payload, item.written_to) == ({"body": "still here"}, WrittenTo())
        assert "no longer among your tickets" in mirror.outbox.not_the_ticket_written_to(item, 7)
        mirror.adopt_portal("portal-one")
        upsert = Change.model_validate(
            {
                "seq": 1,
                "kind": "ticket",
                "ticket_id": 7,
                "event": None,
                "ticket": {
                    "id": 7,
                    "subject": "s",
                    "category": "email",
                    "priority": "low",
                    "description": "d",
                    "status": "open",
                    "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z",
                    "submitted_by": {"id": 1, "name": "Ann"},
                    "company_id": 1,
                    "assignee": None,
                    "psa_ticket_id": None,
                    "rating": None,
                    "rating_comment": None,
                    "client_ref": None,
                },
            }
        )
        mirror.apply_changes([upsert], "cursor", has_more=False)
        assert mirror.outbox.not_the_ticket_written_to(item, 7) is None
        # What is queued now notes the portal and the ticket.
        mirror.outbox.add_comment(7, "new words")
        noted = mirror.outbox.pending_items()[-1].written_to
        assert noted == WrittenTo("portal-one", "2026-01-01T00:00:00.000000+00:00", 1)
        assert mirror.adopt_portal("portal-two")  # another portal: its mirror is forgotten
        assert mirror.me() is None and mirror.cursor() is None
        written_there = mirror.outbox.pending_items()[-1]
        assert "different portal" in mirror.outbox.not_the_ticket_written_to(written_there, 7)
        assert len(mirror.outbox.pending_items()) == 2  # the outbox is untouched
    finally:
        mirror.close()
