"""Issue 9, items 2, 3 and 5 through the pilot, against the real portal: the local files are read
and written off the event loop through one path; a busy file is shown as busy and the action
completes once it is free; a mirror deleted, overwritten or truncated under the board is rebuilt
from the portal with the outbox untouched; a failure of the mirror, the outbox, the portal or a
handler, worker or timer is a notice naming what failed, and the board goes on."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from textual.widgets import TextArea

from cache.store import OutboxUnusable
from screens.board import BoardScreen
from screens.comment import CommentScreen
from screens.detail import DetailScreen
from tests.tui.conftest import Running, running_tui, screen_text
from widgets.ticket_table import TicketTable


def notices(running: Running) -> list[tuple[str, str]]:
    return [(n.title, n.message) for n in running.app._notifications]


def sync_line(running: Running) -> str:
    return running.app.sync_text.plain


@contextmanager
def write_lock_held(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the file's write lock, as another process would."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield holder
    finally:
        if holder.in_transaction:
            holder.execute("COMMIT")
        holder.close()


async def until_board_has_rows(running: Running) -> TicketTable:
    table = running.app.screen.query_one(TicketTable)
    await running.until(lambda: table.total > 0, what="the board's rows")
    return table


def in_cache(paths, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(paths.cache_db, isolation_level=None)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def opened_at(paths, ticket_id: int) -> str | None:
    return in_cache(paths, "SELECT opened_at FROM tickets WHERE id = ?", ticket_id)[0][0]


async def test_a_busy_mirror_shows_busy_and_the_ticket_opens(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app, paths = running.app, running.app.session.mirror.paths
        table = await until_board_has_rows(running)
        ticket_id = table.current_id()
        in_cache(paths, "UPDATE tickets SET opened_at = 'not yet' WHERE id = ?", ticket_id)
        with write_lock_held(paths.cache_db) as holder:
            await running.pilot.press("enter")
            await running.until(
                lambda: isinstance(app.screen, DetailScreen) and app.screen.view is not None,
                what="the detail, while the lock is held",
            )
            await running.until(lambda: "busy — retrying" in sync_line(running), what="busy in the status line")
            assert "busy — retrying" in screen_text(app)
            assert opened_at(paths, ticket_id) == "not yet"
            holder.execute("COMMIT")
        await running.until(lambda: "busy" not in sync_line(running), what="busy to go")
        await running.until(lambda: opened_at(paths, ticket_id) != "not yet", what="the ticket marked as opened")
        assert app.is_running and isinstance(app.screen, DetailScreen)


async def test_a_busy_outbox_holds_the_comment_until_it_is_free(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app, paths = running.app, running.app.session.mirror.paths
        await until_board_has_rows(running)
        await running.press("enter")
        await running.press("c")
        assert isinstance(app.screen, CommentScreen)
        app.screen.query_one(TextArea).insert("Sent once the outbox is free")
        await running.pilot.pause(0.5)  # the draft is saved
        with write_lock_held(paths.outbox_db) as holder:
            await running.pilot.press("ctrl+s")
            await running.until(lambda: "busy — retrying" in sync_line(running), what="busy in the status line")
            # The status line's tick may read the busy file a moment before the app hears of it.
            await running.until(
                lambda: any(title == "Local files busy — retrying" for title, _ in notices(running)),
                what="busy said on the form too",
            )
            assert isinstance(app.screen, CommentScreen), "the dialog waits for the outbox"
            holder.execute("COMMIT")
        await running.until(lambda: isinstance(app.screen, DetailScreen), what="the dialog to close")
        await running.until(lambda: "Sent once the outbox is free" in screen_text(app), what="the comment, pending")
        assert app.session.mirror.drafts.load(f"comment:{app.screen.ticket_id}") is None, (
            "the draft went with the comment"
        )


@pytest.mark.parametrize("damage", ["deleted", "overwritten", "truncated"])
async def test_a_damaged_mirror_is_rebuilt_from_the_portal(demo_portal, tmp_path: Path, damage: str) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app, mirror = running.app, running.app.session.mirror
        paths = mirror.paths
        table = await until_board_has_rows(running)
        total = table.total
        mirror.drafts.save("new-ticket", {"subject": "Kept through the rebuild"})
        outbox_inode = paths.outbox_db.stat().st_ino
        if damage == "deleted":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{paths.cache_db}{suffix}").unlink(missing_ok=True)
        elif damage == "overwritten":
            with paths.cache_db.open("r+b") as file:
                file.write(b"\x5a" * 8192)
        else:
            with paths.cache_db.open("r+b") as file:
                file.truncate(4096)
        await running.pilot.press("r")  # any read of the local files notices
        await running.until(
            lambda: any(title == "Local mirror rebuilt" for title, _ in notices(running)), what="the rebuild's notice"
        )
        await running.until(
            lambda: not app.syncing and table.total == total, timeout=30, what="the board filled again by a full sync"
        )
        assert app.is_running and isinstance(app.screen, BoardScreen)
        assert paths.outbox_db.stat().st_ino == outbox_inode, "the outbox is the same file"
        assert mirror.drafts.load("new-ticket") == {"subject": "Kept through the rebuild"}
        assert mirror.file_intact()
        if damage != "deleted":
            assert mirror.moved_aside is not None and mirror.moved_aside.exists(), "what was left is kept aside"


async def test_a_failing_mirror_read_is_a_notice_naming_it(demo_portal, tmp_path: Path, monkeypatch) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app, mirror = running.app, running.app.session.mirror
        await until_board_has_rows(running)

        def failing_ticket(ticket_id):
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(mirror, "ticket", failing_ticket)
        await running.press("enter")
        assert (
            "Local files failed",
            f"Reading ticket {app.screen.ticket_id} failed: the local mirror or outbox answered “disk I/O error”.",
        ) in notices(running)
        monkeypatch.undo()
        await running.press("escape", "down", "enter")
        assert isinstance(app.screen, DetailScreen) and app.screen.view is not None, "the board goes on"


async def test_an_unusable_outbox_is_a_notice_and_the_form_stays(demo_portal, tmp_path: Path, monkeypatch) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app, mirror = running.app, running.app.session.mirror
        await until_board_has_rows(running)
        await running.press("enter", "c")
        app.screen.query_one(TextArea).insert("Not lost")

        def failing_comment(*args, **kwargs):
            raise OutboxUnusable("The outbox /x/outbox.db cannot be read (file is not a database)")

        monkeypatch.setattr(mirror.outbox, "add_comment", failing_comment)
        await running.press("ctrl+s")
        assert any(
            title == "Outbox failed" and "outbox.db cannot be read" in message for title, message in notices(running)
        )
        assert isinstance(app.screen, CommentScreen) and app.screen.query_one(TextArea).text == "Not lost"


async def test_a_failing_sync_worker_handler_and_timer_are_notices(demo_portal, tmp_path: Path, monkeypatch) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app = running.app
        await until_board_has_rows(running)

        async def failing_sync():
            raise sqlite3.DatabaseError("database disk image is malformed")

        monkeypatch.setattr(app.session.engine, "sync_now", failing_sync)
        await running.pilot.press("r")
        await running.until(
            lambda: any("Syncing with the portal failed" in message for _, message in notices(running)),
            what="the sync's notice",
        )

        def failing_sort(self):
            raise RuntimeError("a bug in a key's handler")

        monkeypatch.setattr(BoardScreen, "action_sort", failing_sort)
        await running.pilot.press("s")
        await running.until(
            lambda: any("a bug in a key's handler" in message for _, message in notices(running)),
            what="the handler's notice",
        )

        def failing_tick():
            raise ValueError("a bug in a timer")

        app.set_timer(0.01, failing_tick)
        await running.until(
            lambda: any("a bug in a timer" in message for _, message in notices(running)), what="the timer's notice"
        )
        monkeypatch.undo()
        await running.press("2")
        assert app.is_running and app.return_code is None
        assert (
            isinstance(app.screen, BoardScreen) and app.screen.query_one(TicketTable).ticket_query.pill.value == "open"
        )


async def test_a_rebuild_while_the_engine_is_still_busy_fills_the_board_again(demo_portal, tmp_path: Path) -> None:
    """The sync cancelled by a rebuild may not have let go of the engine when the full sync
    asks for it (that one is then skipped): the board must still be filled again soon."""
    async with running_tui(demo_portal, tmp_path) as running:
        app = running.app
        table = await until_board_has_rows(running)
        total = table.total
        engine = app.session.engine
        await engine._in_flight.acquire()  # a sync that has not unwound yet
        for suffix in ("", "-wal", "-shm"):
            Path(f"{app.session.mirror.paths.cache_db}{suffix}").unlink(missing_ok=True)
        await app.files.rebuild()
        await running.until(lambda: table.total == 0, what="the rebuilt, empty board")
        engine._in_flight.release()
        await running.until(lambda: not app.syncing and table.total == total, timeout=30, what="the board filled again")
        assert table.total == total
