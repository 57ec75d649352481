"""Issue 12 item 1: the activity log in the mirror, written by the sync engine, against the
real reference portal."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing

import httpx

from cache.model import NewsKind
from tests.cache.helpers import create_tickets
from tests.support.portal import add_namesake, comment_as


async def test_a_sync_logs_every_change_by_others_newest_first_unread_until_marked(world, sides):
    portal, accounts = world.portal, world.accounts
    await create_tickets(portal, accounts["a_own"], 2, "Own")
    side = await sides(portal, accounts["a_company"])
    await side.engine.sync_now()
    assert side.mirror.activity() == []  # the first, full sync is not news

    portal.psa_sync_now()
    await create_tickets(portal, accounts["a_own"], 1, "Later")
    result = await side.engine.sync_now()

    logged = side.mirror.activity()
    assert len(logged) == len(result.changes) > 0
    assert {entry.change for entry in logged} == set(result.changes)
    moments = [entry.change.at for entry in logged]
    assert moments == sorted(moments, reverse=True)
    assert NewsKind.NEW_TICKET in {entry.change.kind for entry in logged}
    assert not any(entry.read for entry in logged)
    assert side.mirror.unread_activity() == len(logged)

    side.mirror.mark_activity_read([logged[0].id])
    assert side.mirror.unread_activity() == len(logged) - 1
    assert side.mirror.activity()[0].read
    side.mirror.mark_activity_read()
    assert side.mirror.unread_activity() == 0

    await side.engine.sync_now()  # nothing new: nothing logged twice
    assert len(side.mirror.activity()) == len(logged)


def test_the_activity_table_is_a_migration_of_an_existing_cache(tmp_path):
    from cache.schema import CACHE_MIGRATIONS
    from portal.sqlite import migrate

    path = tmp_path / "cache.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, CACHE_MIGRATIONS[:3])  # a cache written before the activity log
    migrate(conn, CACHE_MIGRATIONS)
    assert conn.execute("SELECT count(*) FROM activity WHERE read = 0").fetchone()[0] == 0
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(CACHE_MIGRATIONS)
    conn.close()


class AnOlderPortal(httpx.AsyncBaseTransport):
    """The real portal's answers as a portal from before `author_id` gives them: without it."""

    def __init__(self) -> None:
        self.real = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.real.handle_async_request(request)
        body = await response.aread()
        if response.headers.get("content-type", "").startswith("application/json"):
            body = json.dumps(_without_author_ids(json.loads(body))).encode()
        headers = [
            (k, v) for k, v in response.headers.items() if k.lower() not in ("content-length", "content-encoding")
        ]
        return httpx.Response(response.status_code, headers=headers, content=body)

    async def aclose(self) -> None:
        await self.real.aclose()


def _without_author_ids(value):
    if isinstance(value, dict):
        return {k: _without_author_ids(v) for k, v in value.items() if k != "author_id"}
    if isinstance(value, list):
        return [_without_author_ids(v) for v in value]
    return value


def _stored_authors(mirror, ticket_id: int) -> list[tuple[str, int | None]]:
    """(body, author_id) of the ticket's events, as the mirror's file holds them."""
    with closing(sqlite3.connect(f"file:{mirror.paths.cache_db}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT body, author_id FROM events WHERE ticket_id = ?", (ticket_id,)).fetchall()


async def test_a_colleague_with_the_users_name_is_announced_and_the_users_own_comment_is_not(world, sides):
    portal, me = world.portal, world.accounts["a_company"]
    namesake = await asyncio.to_thread(add_namesake, portal, me)
    [ticket] = await create_tickets(portal, me, 1, "Shared")
    side = await sides(portal, me)
    await side.engine.sync_now()

    await asyncio.to_thread(comment_as, portal, namesake, ticket, "From the other one of that name")
    await asyncio.to_thread(comment_as, portal, me, ticket, "From me, on the portal's web page")
    result = await side.engine.sync_now()

    assert [(c.kind, c.author_name, c.body) for c in result.changes] == [
        (NewsKind.COMMENT, me.name, "From the other one of that name")
    ]
    assert [entry.change.body for entry in side.mirror.activity()] == ["From the other one of that name"]
    assert side.mirror.unread_activity() == 1
    ids = dict(_stored_authors(side.mirror, ticket))
    assert ids["From me, on the portal's web page"] == side.mirror.me().id != ids["From the other one of that name"]
    # The change is data with its author's id, in the sync's result and in the log read back.
    assert [c.author_id for c in result.changes] == [ids["From the other one of that name"]]
    assert [entry.change.author_id for entry in side.mirror.activity()] == [ids["From the other one of that name"]]


async def test_from_a_portal_that_sends_no_author_id_the_name_decides(world, sides):
    portal, me, colleague = world.portal, world.accounts["a_company"], world.accounts["a_own"]
    namesake = await asyncio.to_thread(add_namesake, portal, me)
    [ticket] = await create_tickets(portal, colleague, 1, "Theirs")
    side = await sides(portal, me, transport=AnOlderPortal())
    await side.engine.sync_now()

    await asyncio.to_thread(comment_as, portal, namesake, ticket, "Named like you")
    await asyncio.to_thread(comment_as, portal, colleague, ticket, "Named otherwise")
    await asyncio.to_thread(comment_as, portal, me, ticket, "Yours")
    result = await side.engine.sync_now()

    # Without ids, a namesake cannot be told from the user: only what the name tells is announced.
    assert [c.body for c in result.changes] == ["Named otherwise"]
    assert {author for _, author in _stored_authors(side.mirror, ticket)} == {None}


async def test_what_is_counted_is_about_tickets_the_user_still_sees(world, sides):
    """A colleague's ticket announced while the user could see it is no longer counted (nor
    listed) once their access no longer shows it."""
    portal, me, colleague = world.portal, world.accounts["a_company"], world.accounts["a_admin"]
    [theirs] = await create_tickets(portal, colleague, 1, "Colleague's")
    [mine] = await create_tickets(portal, me, 1, "Mine")
    side = await sides(portal, me)
    await side.engine.sync_now()
    await asyncio.to_thread(comment_as, portal, colleague, theirs, "About their ticket")
    await asyncio.to_thread(comment_as, portal, colleague, mine, "About mine")
    await side.engine.sync_now()
    assert side.mirror.unread_activity() == 2

    await asyncio.to_thread(portal.cli, "set-access", "--email", me.email, "--access-level", "own")
    await side.engine.sync_now()
    assert side.mirror.ticket(theirs) is None
    assert side.mirror.unread_activity() == 1
    assert [entry.change.ticket_id for entry in side.mirror.activity()] == [mine]


def test_the_author_id_is_a_migration_of_an_existing_cache(tmp_path):
    from cache.schema import CACHE_MIGRATIONS
    from portal.sqlite import migrate

    conn = sqlite3.connect(tmp_path / "cache.db", isolation_level=None)
    migrate(conn, CACHE_MIGRATIONS[:5])  # a cache written before events had their author's id
    conn.execute(
        "INSERT INTO events (id, ticket_id, kind, author_role, author_name, created_at) "
        "VALUES (1, 7, 'comment', 'client', 'Ann', '2026-01-01T00:00:00.000000+00:00')"
    )
    migrate(conn, CACHE_MIGRATIONS)
    assert conn.execute("SELECT author_name, author_id FROM events").fetchall() == [("Ann", None)]
    conn.close()
