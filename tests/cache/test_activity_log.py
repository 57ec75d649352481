"""Issue 12 item 1: the activity log in the mirror, written by the sync engine, against the
real reference portal."""

from __future__ import annotations

import sqlite3

from cache.model import NewsKind
from tests.cache.helpers import create_tickets


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
