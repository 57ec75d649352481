"""A mirror rebuilt while a sync is in flight (the board noticed the file damaged while the sync
waited for the portal) is filled in full: the page the sync asked for with the old file's cursor
is never written into the new file."""

from __future__ import annotations

import pytest

from cache.mirror import Mirror, StalePage
from tests.cache.helpers import api_view, create_tickets, mirror_view
from tui.paths import profile_paths


async def test_a_rebuild_while_the_pull_waits_for_a_page_ends_in_a_full_mirror(fresh_world, sides):
    portal, account = fresh_world.portal, fresh_world.accounts["a_own"]
    await create_tickets(portal, account, 3, "Before")
    side = await sides(portal, account)
    assert (await side.engine.sync_now()).error is None
    assert len(mirror_view(side.mirror)) == 3
    asked = side.client.changes
    rebuilt = []

    async def changes_then_rebuild(cursor=None, limit=None):
        page = await asked(cursor, limit=limit)
        if not rebuilt:  # the answer to the old file's cursor arrives after the rebuild
            rebuilt.append(side.mirror.rebuild())
        return page

    side.client.changes = changes_then_rebuild
    result = await side.engine.sync_now()
    assert rebuilt and result.error is None
    assert mirror_view(side.mirror) == await api_view(side.client)
    assert len(mirror_view(side.mirror)) == 3 and side.mirror.full_sync_complete()


def test_a_page_asked_with_another_cursor_writes_nothing(tmp_path) -> None:
    mirror = Mirror.open(profile_paths("test", "https://portal.example", "ann@example.com", {"HOME": str(tmp_path)}))
    try:
        mirror.apply_changes([], "c1", has_more=False, asked_with=None)
        with pytest.raises(StalePage):
            mirror.apply_changes([], "c9", has_more=False, asked_with="c0")
        assert mirror.cursor() == "c1"
        mirror.rebuild()
        with pytest.raises(StalePage):
            mirror.apply_changes([], "c2", has_more=False, asked_with="c1")
        assert mirror.cursor() is None and not mirror.full_sync_complete()
    finally:
        mirror.close()
