"""The theme: msp-dark unless config.toml names another; a theme chosen in the command palette
is written back; a theme that does not exist is named in a notice, and the board still opens."""

from __future__ import annotations

import stat
from pathlib import Path

from textual.color import Color
from textual.css.stylesheet import Stylesheet

from cache.sync import SyncEngine
from portal.client import PortalClient
from portal.schema import Priority
from screens.board import BoardScreen
from tests.tui.fixed_world import FIXED_NOW, small_board
from tui.app import TicketsApp
from tui.config import Profile, config_path, load_profile, save_profile
from tui.session import Session
from tui.theme_setting import save_theme, saved_theme
from widgets.colours import DARK, LIGHT, palette_for


async def test_the_theme_named_is_shown_and_a_theme_chosen_is_remembered(tmp_path: Path) -> None:
    remembered: list[str] = []
    mirror = small_board(tmp_path)
    client = PortalClient("http://127.0.0.1:9")  # never used: nothing syncs
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)),
        clock=FIXED_NOW.timestamp,
        sync_on_start=False,
        theme="msp-light",
        remember_theme=remembered.append,
    )
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert app.theme == "msp-light" and palette_for(app.current_theme) is LIGHT
            assert remembered == [], "the theme it starts with is not written back"
            app.theme = "msp-dark"
            await pilot.pause()
            assert remembered == ["msp-dark"] and palette_for(app.current_theme) is DARK
    finally:
        await client.aclose()
        mirror.close()


async def test_an_unknown_theme_is_named_and_the_default_shown(tmp_path: Path) -> None:
    mirror = small_board(tmp_path)
    client = PortalClient("http://127.0.0.1:9")
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)),
        clock=FIXED_NOW.timestamp,
        sync_on_start=False,
        theme="solarised\x1b[2J",
    )
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert app.theme == "msp-dark" and isinstance(app.screen, BoardScreen)
            notices = [n.message for n in app._notifications]
            assert any("no theme “solarised\\x1b[2J”" in n for n in notices), notices
    finally:
        await client.aclose()
        mirror.close()


def test_the_setting_is_kept_beside_the_profiles_in_a_private_file(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert saved_theme(env) is None
    save_profile(Profile("work", "https://portal.example.com", "ann@example.com"), env)
    save_theme("msp-light", env)
    assert saved_theme(env) == "msp-light"
    assert load_profile("work", env).portal_url == "https://portal.example.com", "the profile is kept"
    assert stat.S_IMODE(config_path(env).stat().st_mode) == 0o600


def painted(app: TicketsApp, words: set[str]) -> dict[str, str]:
    """The colour each of `words` is painted in on the screen now."""
    found = {}
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            if segment.text.strip() in words and segment.style.color:
                found[segment.text.strip()] = segment.style.color.triplet.hex
    return found


async def test_a_theme_chosen_while_open_recolours_the_board_and_the_detail(tmp_path: Path) -> None:
    mirror = small_board(tmp_path)
    client = PortalClient("http://127.0.0.1:9")
    app = TicketsApp(
        Session(mirror, client, SyncEngine(mirror, client)), clock=FIXED_NOW.timestamp, sync_on_start=False
    )
    high = {
        theme: palette.priority[Priority.HIGH].color.triplet.hex
        for theme, palette in (("dark", DARK), ("light", LIGHT))
    }
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert painted(app, {"High"}) == {"High": high["dark"]}
            app.theme = "msp-light"
            await pilot.pause()
            assert painted(app, {"High"}) == {"High": high["light"]}, "the board"
            await pilot.press("down", "enter")  # #1002, a High ticket
            await pilot.pause()
            assert painted(app, {"High"}) == {"High": high["light"]}
            app.theme = "msp-dark"
            await pilot.pause()
            assert painted(app, {"High"}) == {"High": high["dark"]}, "the detail"
    finally:
        await client.aclose()
        mirror.close()


async def test_the_board_opens_in_its_theme_with_the_stylesheet_parsed_once(tmp_path: Path, monkeypatch) -> None:
    """The theme it starts with and the board's CSS are in the first parse: no second parse of
    the whole stylesheet (a theme's change, a screen's CSS added) before the board is shown."""
    reparsed: list[str] = []
    original = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda self: (reparsed.append("reparse"), original(self))[1])
    mirror = small_board(tmp_path)
    client = PortalClient("http://127.0.0.1:9")  # never used: nothing syncs
    app = TicketsApp(Session(mirror, client, SyncEngine(mirror, client)), sync_on_start=False, theme="msp-light")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)
            assert reparsed == []
            assert {"-theme-msp-light", "-light-mode"} <= app.classes and "-dark-mode" not in app.classes
            background = app.screen.styles.background
            assert background == Color.parse(app.current_theme.to_color_system().generate()["background"])
            app.theme = "msp-dark"  # a change afterwards is Textual's, as ever
            await pilot.pause()
            assert reparsed and "-dark-mode" in app.classes
            assert app.screen.styles.background == Color.parse(
                app.current_theme.to_color_system().generate()["background"]
            )
    finally:
        await client.aclose()
        mirror.close()
