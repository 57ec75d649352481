"""Every screen's style sheet is loaded with the app's at its start (screens/styles.py): a
screen's first opening does not parse every style sheet again nor restyle every widget."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from textual._path import _css_path_type_as_list, _make_path_object_relative
from textual.screen import Screen

import screens
from screens.detail import DetailScreen
from tests.tui.test_filters_and_views import fixed_board, press
from tui.app import TicketsApp


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


def test_every_screen_style_sheet_is_among_the_apps() -> None:
    loaded = {_make_path_object_relative(path, TicketsApp) for path in _css_path_type_as_list(TicketsApp.CSS_PATH)}
    for screen in screen_classes():
        if screen.CSS_PATH:
            base = Path(importlib.import_module(screen.__module__).__file__).parent
            for path in _css_path_type_as_list(screen.CSS_PATH):
                assert (base / path).resolve() in loaded, f"{screen.__name__}: {path} is not in screens/styles.py"


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
