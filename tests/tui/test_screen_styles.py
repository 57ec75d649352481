"""Every screen's style sheet is loaded before that screen first opens (screens/styles.py): the
board's with the app's, the others right after the board's first paint. A screen's first
opening does not parse every style sheet again nor restyle every widget."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from textual._path import _css_path_type_as_list, _make_path_object_relative
from textual.screen import Screen

import screens
from cache.sync import SyncEngine
from portal.client import PortalClient
from screens import styles
from screens.detail import DetailScreen
from screens.go_to import GoToScreen
from tests.tui.fixed_world import FIXED_NOW, fixed_mirror
from tests.tui.test_filters_and_views import TICKETS, fixed_board, press
from tui.app import TicketsApp
from tui.session import Session


def screen_classes() -> list[type[Screen]]:
    for module in pkgutil.iter_modules(screens.__path__):
        importlib.import_module(f"screens.{module.name}")
    found, todo = [], [Screen]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("screens."):
                found.append(sub)
    return found


def screen_style_sheets() -> dict[Path, str]:
    """Each screen's style sheet, and the screen's name."""
    sheets = {}
    for screen in screen_classes():
        if screen.CSS_PATH:
            base = Path(importlib.import_module(screen.__module__).__file__).parent
            for path in _css_path_type_as_list(screen.CSS_PATH):
                sheets[(base / path).resolve()] = screen.__name__
    return sheets


def test_every_screen_style_sheet_is_read_at_the_start_or_after_the_first_paint() -> None:
    at_start = {_make_path_object_relative(path, TicketsApp) for path in _css_path_type_as_list(TicketsApp.CSS_PATH)}
    assert set(styles.AT_START) <= at_start
    for sheet, screen in screen_style_sheets().items():
        assert sheet in at_start | set(styles.AFTER_FIRST_PAINT), f"{screen}: {sheet.name} is not in screens/styles.py"


async def test_the_other_screens_style_sheets_are_read_once_the_board_is_up(tmp_path: Path) -> None:
    async with fixed_board(tmp_path) as (app, _pilot):
        read = {Path(path) for path, _class_var in app.stylesheet.source}
        assert set(screen_style_sheets()) <= read


async def test_opening_a_ticket_parses_no_style_sheet_again(tmp_path: Path, monkeypatch) -> None:
    async with fixed_board(tmp_path) as (app, pilot):
        parsed: list[int] = []
        reparse = app.stylesheet.reparse
        monkeypatch.setattr(app.stylesheet, "reparse", lambda: (parsed.append(1), reparse()))
        await press(pilot, "enter")
        assert isinstance(app.screen, DetailScreen)
        await press(pilot, "c")
        await press(pilot, "escape", "escape", "colon")
        assert parsed == []


async def test_a_key_typed_before_the_board_read_the_sheets_parses_none_again(tmp_path: Path, monkeypatch) -> None:
    """A key typed ahead (`:` at once) may open a screen before the board reads the other sheets
    after its first paint: they are read then, not by Textual parsing every sheet again."""
    mirror = fixed_mirror(tmp_path, TICKETS, events_per_ticket=0)
    client = PortalClient("http://127.0.0.1:9")
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)), clock=FIXED_NOW.timestamp, sync_on_start=False
    )
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            parsed: list[int] = []
            reparse = app.stylesheet.reparse
            monkeypatch.setattr(app.stylesheet, "reparse", lambda: (parsed.append(1), reparse()))
            assert not app._other_styles_read, "typed before the board read them"  # noqa: SLF001
            await pilot.press("colon")
            await pilot.pause()
            assert isinstance(app.screen, GoToScreen)
            assert parsed == []
    finally:
        await client.aclose()
        mirror.close()
