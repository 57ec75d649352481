"""The board's first paint (issue 14, item 1): it shows the mirror's rows at once, and loads only
what it shows; the mirror's quick check, skipped at opening, follows it. The portal's client (httpx), the wire format's models (pydantic), the keyring, the
sync's file lock and the other screens come after it; the mirror's quick check too. How long the
launch takes, beside a hello-world Textual app, is `bench/launch.py`'s: nothing here is timed.

The app is the one `msp-tickets` runs (`tui.app.board_app`), in a fresh Python process, for a
profile whose portal is unreachable (a closed loopback port: the board opens offline).
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest
from textual.widgets import Input

from cache.mirror import Mirror
from cache.model import SortColumn
from cache.sync import SyncEngine
from portal.client import PortalClient
from portal.schema import CompanyRef, Me
from portal.vocabulary import AccessLevel
from screens import board as board_module
from screens.board import read_opening
from tests.tui.fixed_world import changes_for, fixed_mirror, fixed_ticket
from tui.app import TicketsApp
from tui.config import Profile
from tui.session import Session, remember_identity, session_paths
from widgets.ticket_table import TicketTable

TOKEN = "first-paint-token"
LOADED_AFTER_THE_FIRST_PAINT = (
    "httpx",
    "pydantic",
    "keyring",
    "filelock",
    "portal.schema",
    "portal.client",
    "cache.sync",
    "screens.detail",
    "screens.activity",
    "screens.help",
    "screens.login",
    "screens.new_ticket",
    "screens.stats",
    "textual.widgets._text_area",
    "cache.stats",
    "screens.filters",
)
# Hidden at first, mounted after the first frame: the filters line, the search box, "N more under
# All". The pills are one widget.
MOUNTED_AFTER_THE_FIRST_PAINT = ("#filters", "#search", "#more-under-all")

# Runs in the fresh process: the board as `msp-tickets` builds it, headless; once the app says
# its first rows are painted, what is loaded and what the screen shows.
CHILD = """
import asyncio, json, sys
from tui.app import board_app
from tui.config import load_profile
from tui.credentials import TokenStore

watched, later = json.loads(sys.argv[1]), json.loads(sys.argv[2])
first_frame = {}

def mounted(screen):
    return sorted(selector for selector in later if screen.query(selector))

async def first_paint():
    app = board_app(load_profile(None, new=True), TokenStore())
    painted, display = app._first_paint.set, app._display

    def look_at_the_first_frame(screen, update):  # the board's first compositor refresh
        if not first_frame and type(screen).__name__ == "BoardScreen" and update is not None:
            first_frame.update(mounted=mounted(screen), widgets=len(list(screen.walk_children())))
        display(screen, update)

    def look_then_go_on():  # what the app does next may load modules at once (on a thread)
        loaded = sorted(name for name in watched if name in sys.modules)
        screen = "\\n".join(strip.text for strip in app.screen._compositor.render_strips())
        print(json.dumps({"loaded": loaded, "screen": screen, **first_frame}))
        painted()

    app._display = look_at_the_first_frame
    app._first_paint.set = look_then_go_on
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(app._first_paint.wait(), 30)
        for _ in range(300):  # then the board connects: at most 30 s
            if app.session.connected:
                break
            await pilot.pause(0.1)
        print(json.dumps({"loaded": sorted(name for name in watched if name in sys.modules), "mounted": mounted(app.screen)}))

asyncio.run(first_paint())
"""


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def user_with_a_mirror(home: Path) -> dict[str, str]:
    """A profile whose token is known (remembered identity) and whose mirror holds tickets."""
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_DATA_HOME": str(home / "data"),
        "MSP_TICKETS_TOKEN": TOKEN,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    portal = f"http://127.0.0.1:{closed_port()}"
    (home / "config" / "msp-tickets").mkdir(parents=True)
    (home / "config" / "msp-tickets" / "config.toml").write_text(
        f'default_profile = "p"\n\n[profiles.p]\nportal = "{portal}"\n', encoding="utf-8"
    )
    me = Me(id=1, name="Ada Admin", email="ada@alpha.example", company=CompanyRef(id=1, name="Alpha Ltd"),
            access_level=AccessLevel.COMPANY_ADMIN)  # fmt: skip
    profile = Profile("p", portal, None)
    identity = remember_identity(profile, TOKEN, me, env)
    mirror = Mirror.open(session_paths(profile, identity, env))
    try:
        mirror.store_me(me)
        mirror.apply_changes(list(changes_for([fixed_ticket(n) for n in range(1, 31)], 2)), "c1", has_more=False)
    finally:
        mirror.close()
    return env


def test_the_first_paint_shows_rows_and_loads_only_what_it_shows(tmp_path: Path):
    env = user_with_a_mirror(tmp_path)
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            json.dumps(LOADED_AFTER_THE_FIRST_PAINT),
            json.dumps(MOUNTED_AFTER_THE_FIRST_PAINT),
        ],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    at_first_paint, afterwards = (json.loads(line) for line in result.stdout.splitlines()[-2:])
    # The first paint has the mirror's rows (the newest first), and its title says whose they are.
    assert "#1001" in at_first_paint["screen"] and "Ada Admin" in at_first_paint["screen"]
    assert at_first_paint["loaded"] == []
    # Its first frame has only what it shows mounted: the pills are one widget, the hidden lines
    # come after it (the Footer's keys are most of what is left); once settled, they are there.
    assert at_first_paint["mounted"] == []
    assert at_first_paint["widgets"] <= 18
    # Then the board connects: the client and the wire format's models are loaded after it.
    assert {"httpx", "portal.client", "cache.sync"} <= set(afterwards["loaded"])
    assert afterwards["mounted"] == sorted(MOUNTED_AFTER_THE_FIRST_PAINT)


def damage_an_index(database: Path) -> None:
    """Garbage over an index's root page: SQLite still opens the file, its quick check fails."""
    with closing(sqlite3.connect(database)) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'tickets_by_subject'").fetchone()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(database, "r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * page_size)
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] != "ok"


async def test_a_mirror_damaged_deep_inside_is_found_after_the_first_paint_and_rebuilt(tmp_path: Path):
    mirror = fixed_mirror(tmp_path, [fixed_ticket(n) for n in range(1, 31)])
    paths = mirror.paths
    mirror.close()
    damage_an_index(paths.cache_db)
    mirror = Mirror.open(paths, quick_check=False)  # as the board opens it: the check comes later
    assert mirror.moved_aside is None
    client = PortalClient("http://127.0.0.1:9")  # never reached: the rebuild's sync fails, offline
    app = TicketsApp(Session(mirror, client, SyncEngine(mirror, client)), sync_on_start=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "Local mirror rebuilt" in [notice.title for notice in app._notifications]
            assert mirror.moved_aside is not None and mirror.moved_aside.exists()
            with closing(sqlite3.connect(paths.cache_db)) as conn:
                assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        await client.aclose()
        mirror.close()


async def test_a_key_pressed_before_the_first_rows_are_read_is_not_undone_by_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Without an opening read before the app started (the demo, a new login), the board reads
    it at mount: a sort asked for meanwhile stays."""
    slow = threading.Event()

    def read_slowly(mirror):
        slow.wait(5)  # until the key has been handled
        return read_opening(mirror)

    monkeypatch.setattr(board_module, "read_opening", read_slowly)
    mirror = fixed_mirror(tmp_path, [fixed_ticket(n) for n in range(1, 31)])
    client = PortalClient("http://127.0.0.1:9")  # never used: nothing syncs
    app = TicketsApp(Session(mirror, client, SyncEngine(mirror, client)), sync_on_start=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("s")
            table = app.screen.query_one(TicketTable)
            assert table.ticket_query.sort is not SortColumn.CREATED  # the sort moved on
            asked = table.ticket_query
            slow.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert table.shown_query == asked and table.total == 30
    finally:
        slow.set()
        await client.aclose()
        mirror.close()


async def test_keys_typed_after_an_early_slash_go_into_the_search_box_mounted_for_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The search box comes after the first frame; a `/` before that mounts it at once, and
    the keys typed after the `/` wait for it, then go into it."""
    monkeypatch.setattr(board_module, "SETTLE_AFTER_FIRST_PAINT_SECONDS", 30)  # not before the keys
    mirror = fixed_mirror(tmp_path, [fixed_ticket(n) for n in range(1, 31)])
    client = PortalClient("http://127.0.0.1:9")  # never used: nothing syncs
    app = TicketsApp(Session(mirror, client, SyncEngine(mirror, client)), sync_on_start=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            board = app.screen
            assert not board.query("#search")  # not mounted yet
            await pilot.press("slash", "v", "p", "n")
            await pilot.pause()
            search = board.query_one("#search", Input)
            assert search.value == "vpn" and search.has_focus
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert board.query_one(TicketTable).ticket_query.search == "vpn"
    finally:
        await client.aclose()
        mirror.close()
