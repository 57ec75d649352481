"""Filters and saved views on the board (issue 13 item 3): `f` narrows by status, priority and
category as the CLI's flags do, the pills counting what the filters leave; `V` ("Save view…")
keeps the pill, search, filters and sort under a name in config.toml, refusing a bad name with
a reason and asking before it replaces one; `v` and a digit, or "View: NAME" in the palette,
bring it back; and `msp-tickets list --view NAME` lists what the board showed."""

from __future__ import annotations

import stat
import tomllib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from cache.model import Pill, SortColumn
from cache.sync import SyncEngine
from portal.client import PortalClient
from portal.schema import Priority, Status, Ticket
from screens.board import BoardScreen
from screens.views import SaveViewScreen
from tests.cli.conftest import Cli
from tests.tui.conftest import look_for_in_palette, running_tui, screen_text, settle
from tests.tui.fixed_world import FIXED_NOW, HOSTILE_SUBJECT, fixed_mirror, fixed_ticket
from tui.app import TicketsApp
from tui.config import ConfigViews, config_path
from tui.session import Session
from widgets.pills import PILLS, PillBar
from widgets.ticket_table import TicketTable

TICKETS: list[Ticket] = [fixed_ticket(n) for n in range(1, 12)] + [
    fixed_ticket(12, subject=HOSTILE_SUBJECT, status=Status.WAITING_ON_CLIENT)
]


def config_env(home: Path) -> dict[str, str]:
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config")}


@asynccontextmanager
async def fixed_board(
    folder: Path, size: tuple[int, int] = (120, 40), keymap: dict[str, str] | None = None
) -> AsyncIterator[tuple[TicketsApp, Pilot]]:
    """The fixed tickets (TICKETS) on a board whose views live in `folder`'s config file."""
    mirror = fixed_mirror(folder, TICKETS, events_per_ticket=0)
    client = PortalClient("http://127.0.0.1:9")  # never used: nothing syncs
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)),
        clock=FIXED_NOW.timestamp,
        sync_on_start=False,
        views=ConfigViews(config_env(folder)),
        keymap=keymap,
    )
    try:
        async with app.run_test(size=size) as pilot:
            await press(pilot)
            yield app, pilot
    finally:
        await client.aclose()
        mirror.close()


async def press(pilot: Pilot, *keys: str) -> None:
    """Keys, then whatever they started (a read, a count, a write of the config file) done."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot.app)
        await pilot.pause()
    await settle(pilot.app)
    await pilot.pause()


def typed(text: str) -> list[str]:
    """The keys that type `text`."""
    return ["space" if character == " " else character for character in text]


def shown_ids(app: TicketsApp) -> list[int]:
    table = app.screen.query_one(TicketTable)
    return [table.row_at(i).id for i in range(table.total)]


def pill_counts(app: TicketsApp) -> dict[Pill, int]:
    return {pill: app.screen.query_one(PillBar).count(pill) for pill in PILLS}


def board(app: TicketsApp) -> BoardScreen:
    screen = app.screen
    assert isinstance(screen, BoardScreen)
    return screen


def notices(app: TicketsApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def saved_views(folder: Path) -> dict:
    return tomllib.loads(config_path(config_env(folder)).read_text(encoding="utf-8")).get("views", {})


async def test_filters_narrow_the_board_and_the_pills_count_what_they_leave(tmp_path: Path) -> None:
    critical = {t.id for t in TICKETS if t.priority is Priority.CRITICAL}
    vendor = {t.id for t in TICKETS if t.status is Status.WAITING_ON_VENDOR}
    assert len(critical) > len(critical & vendor) > 0, "the fixed tickets: critical ones, one waiting on the vendor"
    async with fixed_board(tmp_path) as (app, pilot):
        # f, tab to the priority, its name typed, ctrl+s applies
        await press(pilot, "f", "tab", *"critical", "ctrl+s")
        assert set(shown_ids(app)) == critical
        counts = pill_counts(app)
        assert counts[Pill.ALL] == len(critical)
        for pill in PILLS[1:]:
            assert counts[pill] == sum(1 for t in TICKETS if t.id in critical and t.status is pill.status), pill
        assert "Filtered: Priority Critical — f changes them" in screen_text(app)

        # a status without a pill is a filter of its own, shown on the filter line
        await press(pilot, "f", *"vendor", "enter")  # enter applies too
        assert set(shown_ids(app)) == critical & vendor
        assert "Filtered: Status Waiting on vendor · Priority Critical" in screen_text(app)

        # a status with a pill is the pill; a pill chosen replaces the status filter
        await press(pilot, "f", *"you", "ctrl+s")
        assert board(app).table.ticket_query.pill is Pill.WAITING_ON_YOU
        assert board(app).table.ticket_query.status is None
        await press(pilot, "f", *"vendor", "ctrl+s", "1")
        assert board(app).table.ticket_query.status is None
        assert set(shown_ids(app)) == critical

        # esc leaves the filters as they were; "Clear all" takes them all off
        await press(pilot, "f", "tab", *"low", "escape")
        assert set(shown_ids(app)) == critical
        await press(pilot, "f")
        await pilot.click("#clear")
        await press(pilot)
        assert len(shown_ids(app)) == len(TICKETS)
        assert "Filtered:" not in screen_text(app)
        assert pill_counts(app)[Pill.ALL] == len(TICKETS)


async def test_save_view_keeps_the_board_in_the_config_file_and_v_and_the_palette_recall_it(tmp_path: Path) -> None:
    async with fixed_board(tmp_path) as (app, pilot):
        await press(pilot, "4", "slash", *"vpn", "enter", "f", "tab", *"high", "ctrl+s")
        await press(pilot, "s", "s", "s", "s", "s", "S")  # Updated, Age, Priority, Status, ID; flipped
        wanted = board(app).table.ticket_query
        assert (wanted.sort, wanted.descending) == (SortColumn.ID, True)
        wanted_ids = shown_ids(app)
        assert wanted_ids, "the view shows something"

        await press(pilot, "V", *"urgent", "enter")
        assert saved_views(tmp_path) == {
            "urgent": {
                "status": "waiting_on_client",
                "search": "vpn",
                "priority": "high",
                "sort": "id",
                "descending": True,
                "scope": "company",
            }
        }
        path = config_path(config_env(tmp_path))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

        # away from it: another pill, no search, no filter, another sort
        await press(pilot, "escape", "f")
        await pilot.click("#clear")
        await press(pilot, "2", "s")
        assert board(app).table.ticket_query != wanted

        await press(pilot, "v", "1")
        assert board(app).table.ticket_query == wanted
        assert shown_ids(app) == wanted_ids
        assert app.screen.query_one("#search", Input).value == "vpn"

        await press(pilot, "escape", "1")
        await press(pilot, "ctrl+p")
        # The palette reads the views off the loop as it opens: waited for with its list.
        await look_for_in_palette(pilot, "urgent", "View: urgent")
        await press(pilot, "enter")
        assert board(app).table.ticket_query == wanted


async def test_a_bad_name_says_why_and_nothing_is_lost(tmp_path: Path) -> None:
    async with fixed_board(tmp_path) as (app, pilot):
        await press(pilot, "V", *"first", "enter", "3", "V")
        before = config_path(config_env(tmp_path)).read_bytes()
        dialog = app.screen
        assert isinstance(dialog, SaveViewScreen)
        name = dialog.query_one("#view-name", Input)

        for typed, why in [
            ("   ", "The view needs a name"),
            ("x" * 41, "at most 40 characters; this one has 41"),
            ("hot\x1b[31m", "cannot hold control characters"),
            ("tab\there", "cannot hold control characters"),
        ]:
            name.value = typed
            await press(pilot, "enter")
            assert app.screen is dialog, typed  # still asking
            assert why in screen_text(app), typed
            assert name.value == typed  # what was typed stays, to be mended
        assert config_path(config_env(tmp_path)).read_bytes() == before

        name.value = "first"
        await press(pilot, "enter")
        assert app.screen is dialog
        assert "There is a view “first” already: enter again replaces it" in screen_text(app)
        assert config_path(config_env(tmp_path)).read_bytes() == before
        await press(pilot, "escape")  # esc: nothing written
        assert config_path(config_env(tmp_path)).read_bytes() == before
        assert saved_views(tmp_path)["first"].get("status") is None  # All, as first saved

        await press(pilot, "V", *"first", "enter", "enter")  # asked, then replaced
        assert saved_views(tmp_path)["first"]["status"] == "in_progress"
        assert list(saved_views(tmp_path)) == ["first"]


async def test_views_without_any_and_a_broken_config_file_are_said(tmp_path: Path) -> None:
    async with fixed_board(tmp_path) as (app, pilot):
        await press(pilot, "v")
        assert isinstance(app.screen, BoardScreen)
        assert "No saved views yet" in notices(app)
        path = config_path(config_env(tmp_path))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("[views.bad]\nstatus = 'urgent'\n", encoding="utf-8")
        await press(pilot, "v")
        assert isinstance(app.screen, BoardScreen)
        assert "'urgent' is not a status" in notices(app)
        await press(pilot, "V")
        assert isinstance(app.screen, BoardScreen)  # no dialog over a file it would overwrite
        assert path.read_text(encoding="utf-8") == "[views.bad]\nstatus = 'urgent'\n"


async def test_the_keys_move_with_the_keymap_and_help_and_the_palette_name_them(tmp_path: Path) -> None:
    keymap = {"board.save_view": "f9", "board.views": "f6", "board.filter": "ctrl+f"}
    async with fixed_board(tmp_path, keymap=keymap) as (app, pilot):
        await press(pilot, "f9", *"moved", "enter", "f6")
        assert list(saved_views(tmp_path)) == ["moved"]
        await press(pilot, "1")
        assert isinstance(app.screen, BoardScreen) and "View “moved”" in notices(app)
        await press(pilot, "ctrl+f", "tab", *"low", "enter")
        assert board(app).table.ticket_query.priority is Priority.LOW
        await press(pilot, "question_mark")
        shown = " ".join(screen_text(app).split())
        assert "f9 Save view…" in shown and "f6 Views… (recall a saved view)" in shown
        assert "ctrl+f Filter by status, priority, category…" in shown
        await press(pilot, "escape", "ctrl+p")
        await look_for_in_palette(pilot, "save", "Save view…")


async def test_a_view_saved_on_the_board_is_what_list_view_lists(demo_portal, tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    views = ConfigViews(cli.env)
    async with running_tui(demo_portal, tmp_path, views=views) as running:
        everything = running.api("GET", "/tickets", params={"limit": 500}).json()["items"]
        priority = next(
            p
            for p in Priority
            if sum(1 for t in everything if t["priority"] == p and t["status"] == "in_progress") >= 2
        )
        app, pilot = running.app, running.pilot
        await press(pilot, "3", "f", "tab", *priority.value, "ctrl+s", "s", "s", "s", "s", "s")
        query = board(app).table.ticket_query
        assert (query.pill, query.priority, query.sort, query.descending) == (
            Pill.IN_PROGRESS,
            priority,
            SortColumn.ID,
            False,
        )
        on_the_board = shown_ids(app)
        await press(pilot, "V", *typed("in hand"), "enter")
        assert "in hand" in views.load()

    config_path(cli.env).write_text(
        f'default_profile = "test"\n\n[profiles.test]\nportal = "{demo_portal.url}"\n'
        + config_path(cli.env).read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    listed = cli("list", "--view", "in hand", "--json", env={"MSP_TICKETS_TOKEN": running.token})
    assert listed.code == 0, listed.err
    ids = [t["id"] for t in listed.json()["tickets"]]
    expected = sorted(t["id"] for t in everything if t["priority"] == priority and t["status"] == "in_progress")
    assert ids == on_the_board == expected
