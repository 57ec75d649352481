"""The key bar (widgets/key_bar.py), in place of Textual's Footer: the keys of the screen and
the focus in force, as Footer showed them; the keymap's keys; a click on a key runs it; and it is
painted again only when its keys change."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.command import CommandPalette

from screens.board import BoardScreen
from screens.detail import DetailScreen
from screens.new_ticket import NewTicketScreen
from tests.tui.conftest import screen_text
from tests.tui.test_filters_and_views import fixed_board, press
from widgets.key_bar import KeyBar

BOARD_KEYS = " ⏎ Open  / Search  n New  s Sort  m Mine/Co  q Quit  r Sync  ? Help "


def bar_text(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_the_bar_shows_the_keys_of_the_screen_and_the_focus(tmp_path: Path) -> None:
    async with fixed_board(tmp_path) as (app, pilot):
        assert bar_text(app).startswith(BOARD_KEYS)
        assert bar_text(app).endswith("▏^p Commands"), "the palette's key on the right"
        await press(pilot, "slash")
        assert bar_text(app).startswith(" / Search ") and "q Quit" not in bar_text(app), (
            "in the search field, q is a letter"
        )
        await press(pilot, "enter", "enter")
        assert isinstance(app.screen, DetailScreen)
        assert bar_text(app).startswith(" esc Back  c Comment ")
        await press(pilot, "escape")
        assert bar_text(app).startswith(BOARD_KEYS)


async def test_the_bar_keeps_its_keys_while_the_terminal_is_not_in_front(tmp_path: Path) -> None:
    """Out of focus, Textual takes the focus (and the table's ⏎ Open) away until it is back: the
    bar does not change twice on every switch of window, as Textual's Footer did not."""
    async with fixed_board(tmp_path) as (app, pilot):
        app.post_message(events.AppBlur())
        await press(pilot)
        assert app.focused is None, "Textual took the focus away"
        assert bar_text(app).startswith(BOARD_KEYS)
        app.post_message(events.AppFocus())
        await press(pilot)
        assert bar_text(app).startswith(BOARD_KEYS)
        await press(pilot, "slash")
        assert bar_text(app).startswith(" / Search "), "in front again, it follows the focus"


async def test_the_keys_shown_follow_the_keymap(tmp_path: Path) -> None:
    async with fixed_board(tmp_path, keymap={"board.sort": "f5", "board.new_ticket": "ctrl+n"}) as (app, _pilot):
        shown = bar_text(app)
        assert " f5 Sort " in shown and " ^n New " in shown
        assert " s Sort " not in shown and " n New " not in shown


async def test_in_a_narrow_terminal_the_palette_key_stays_whole(tmp_path: Path) -> None:
    async with fixed_board(tmp_path, size=(60, 20)) as (app, _pilot):
        shown = bar_text(app)
        assert len(shown) <= 60 and shown.endswith("▏^p Commands")
        assert shown.startswith(" ⏎ Open  / Search ")


async def test_a_click_on_a_key_runs_it(tmp_path: Path) -> None:
    async with fixed_board(tmp_path) as (app, pilot):
        await pilot.click(KeyBar, offset=(bar_text(app).index("New"), 0))
        await press(pilot)
        assert isinstance(app.screen, NewTicketScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, BoardScreen)
        await pilot.click(KeyBar, offset=(bar_text(app).index("^p"), 0))
        await press(pilot)
        assert isinstance(app.screen, CommandPalette)


async def test_a_click_between_keys_or_on_none_does_nothing(tmp_path: Path) -> None:
    async with fixed_board(tmp_path) as (app, pilot):
        empty = bar_text(app).index("▏") - 2  # the blank before the palette's key
        await pilot.click(KeyBar, offset=(empty, 0))
        await press(pilot)
        assert isinstance(app.screen, BoardScreen)


async def test_the_bar_is_painted_again_only_when_its_keys_change(tmp_path: Path, monkeypatch) -> None:
    painted: list[str] = []
    render = KeyBar.render

    def counted(self: KeyBar):
        line = render(self)
        painted.append(line.plain)
        return line

    monkeypatch.setattr(KeyBar, "render", counted)
    async with fixed_board(tmp_path) as (app, pilot):
        before = len(painted)
        await press(pilot, "down", "down", "up", "2", "1")
        assert len(painted) == before, "moving and the pills change no key"
        await press(pilot, "slash")
        assert len(painted) > before and painted[-1].startswith(" / Search ")


async def test_the_key_under_the_pointer_is_lit_and_says_its_tooltip(tmp_path: Path) -> None:
    async with fixed_board(tmp_path) as (app, pilot):
        bar = app.screen.query_one(KeyBar)
        before = bar.render()
        await pilot.hover(KeyBar, offset=(bar_text(app).index("New"), 0))
        await press(pilot)
        assert bar.tooltip == "New ticket"
        lit = bar.render()
        assert lit.plain == before.plain and lit.spans != before.spans, "the same words, the key lit"
        await pilot.hover(KeyBar, offset=(bar_text(app).index("▏") - 2, 0))  # on no key
        await press(pilot)
        assert bar.tooltip is None


async def test_a_dialog_shows_its_own_keys_not_the_boards(tmp_path: Path) -> None:
    """Under a dialog the board's keys do nothing: the bar shows the dialog's."""
    async with fixed_board(tmp_path) as (app, pilot):
        for key, keys_shown in (
            ("question_mark", " esc Close help"),
            ("colon", " esc Cancel"),
            ("f", " ^s Apply filters  esc Cancel"),
        ):
            await press(pilot, key)
            assert bar_text(app).startswith(keys_shown), (key, bar_text(app))
            assert "n New" not in bar_text(app)
            await press(pilot, "escape")
            assert isinstance(app.screen, BoardScreen)
            assert bar_text(app).startswith(BOARD_KEYS)
