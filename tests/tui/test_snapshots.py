"""SVG snapshots of the board (at 60×20 and 200×50 too; also in the light theme, sorted by
Updated), the detail, the form with its errors and help, at 120×40 and 80×24, from a mirror filled with fixed data and a fixed
clock, so they are the same every run."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from cache.sync import SyncEngine
from portal.client import PortalClient
from tests.tui.conftest import settle
from tests.tui.fixed_world import FIXED_NOW, small_board
from tui.app import TicketsApp
from tui.session import Session

SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]
# The board's columns give way as the terminal narrows (widgets/ticket_table.py columns_for).
BOARD_SIZES = [
    pytest.param((60, 20), id="60x20"),
    *SIZES,
    pytest.param((200, 50), id="200x50"),
]


@pytest.fixture(autouse=True)
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def fixed_app(tmp_path: Path) -> Iterator[TicketsApp]:
    mirror = small_board(tmp_path)
    # Never used: nothing syncs. The portal address is a closed loopback port.
    client = PortalClient("http://127.0.0.1:9")
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)), clock=FIXED_NOW.timestamp, sync_on_start=False
    )
    app.CURSOR_BLINK = False
    yield app
    asyncio.run(client.aclose())
    mirror.close()


async def _settle(pilot: Pilot) -> None:
    """Every worker ended, twice over: the board's start (after its first paint) begins others."""
    for _ in range(2):
        await settle(pilot.app)
        await pilot.pause()


@pytest.mark.parametrize("size", BOARD_SIZES)
def test_board(snap_compare, fixed_app: TicketsApp, size: tuple[int, int]) -> None:
    assert snap_compare(fixed_app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_detail(snap_compare, fixed_app: TicketsApp, size: tuple[int, int]) -> None:
    assert snap_compare(fixed_app, press=["down", "enter"], terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_new_ticket_form_with_errors(snap_compare, fixed_app: TicketsApp, size: tuple[int, int]) -> None:
    async def type_a_bad_subject_and_submit(pilot: Pilot) -> None:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("space", "space", "ctrl+s")
        await _settle(pilot)

    assert snap_compare(fixed_app, terminal_size=size, run_before=type_a_bad_subject_and_submit)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, fixed_app: TicketsApp, size: tuple[int, int]) -> None:
    assert snap_compare(fixed_app, press=["question_mark"], terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_board_light_sorted_by_updated(snap_compare, fixed_app: TicketsApp, size: tuple[int, int]) -> None:
    """The light theme's palette, and the Updated column a sort by it brings."""

    async def light_and_sorted_by_updated(pilot: Pilot) -> None:
        await _settle(pilot)  # the board started, so that `s` sorts what it shows
        pilot.app.theme = "msp-light"
        await pilot.press("s")
        await _settle(pilot)

    assert snap_compare(fixed_app, terminal_size=size, run_before=light_and_sorted_by_updated)


def _with_activity(app: TicketsApp) -> TicketsApp:
    """Changes a sync brought to tickets of the fixed board: the newest unread, the oldest read."""
    from datetime import timedelta

    from cache.model import NewsKind, TicketChange
    from portal.schema import AuthorRole, Status
    from tests.tui.fixed_world import FIXED_NOW, HOSTILE_SUBJECT

    mirror = app.session.mirror
    at = FIXED_NOW - timedelta(minutes=3)
    mirror.record_activity(
        [
            TicketChange(
                1002,
                "VPN drops every 10 minutes",
                NewsKind.ASSIGNMENT,
                AuthorRole.MSP,
                "Ana Ruiz",
                at - timedelta(hours=26),
                901,
                assignee="Ana Ruiz",
            ),
            TicketChange(
                1002,
                "VPN drops every 10 minutes",
                NewsKind.STATUS_CHANGE,
                AuthorRole.MSP,
                "Ana Ruiz",
                at - timedelta(hours=2),
                902,
                Status.OPEN,
                Status.IN_PROGRESS,
            ),
            TicketChange(
                1012,
                HOSTILE_SUBJECT,
                NewsKind.COMMENT,
                AuthorRole.MSP,
                "Ben Okafor",
                at - timedelta(minutes=40),
                903,
                body="Could you send a photo of the \x1b[31mpanel\nthanks",
            ),
            TicketChange(
                1010, "Outlook keeps asking for my password", NewsKind.NEW_TICKET, AuthorRole.CLIENT, "Bob Builder", at
            ),
        ]
    )
    oldest = mirror.activity()[-1]
    mirror.mark_activity_read([oldest.id])
    return app


@pytest.mark.parametrize("size", SIZES)
def test_activity(snap_compare, fixed_app: TicketsApp, size: tuple[int, int]) -> None:
    assert snap_compare(_with_activity(fixed_app), press=["a"], terminal_size=size, run_before=_settle)
