"""Keys as k9s, lazygit and less users expect them (issue 13, item 1), remapped from the config
file, listed by `?`; and a palette of the app's own actions, each once (item 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from screens.board import BoardScreen
from screens.detail import DetailScreen
from screens.go_to import GoToScreen
from screens.help import HelpScreen
from screens.stats import StatsScreen
from tests.tui.conftest import Running, running_tui, screen_text
from tui.config import ConfigError, load_keymap
from tui.palette import ActionsProvider
from widgets.document import DocumentView
from widgets.pills import PILLS
from widgets.ticket_table import TicketTable


def first_tickets(running: Running) -> list[dict]:
    return running.api("GET", "/tickets", params={"limit": 500}).json()["items"]


async def test_q_quits_from_the_board(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        await running.press("q")
        assert running.app.return_code == 0 and not running.app.is_running


async def test_q_typed_into_the_search_field_is_a_letter(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        await running.press("slash", "q")
        assert running.app.screen.query_one("#search", Input).value == "q"
        assert isinstance(running.app.screen, BoardScreen) and running.app.is_running


async def test_q_goes_back_from_detail_stats_and_help(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app = running.app
        await running.press("enter")
        assert isinstance(app.screen, DetailScreen)
        await running.press("q")
        assert isinstance(app.screen, BoardScreen)
        await running.press("t")
        assert isinstance(app.screen, StatsScreen)
        await running.press("q")
        assert isinstance(app.screen, BoardScreen)
        await running.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await running.press("q")
        assert isinstance(app.screen, BoardScreen) and app.is_running


async def test_table_keys_move_the_cursor(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path, size=(120, 24)) as running:
        table = running.app.screen.query_one(TicketTable)
        assert table.total > 30  # more than a page, so a page and the end differ
        await running.press("j", "j")
        assert table.cursor == 2
        await running.press("k")
        assert table.cursor == 1
        await running.press("G")
        assert table.cursor == table.total - 1
        await running.press("g")
        assert table.cursor == 0
        await running.press("space")
        paged = table.cursor
        assert paged > 1
        await running.press("ctrl+d")
        assert table.cursor > paged
        await running.press("ctrl+u")
        assert table.cursor == paged


async def test_document_keys_scroll_a_long_ticket(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path, size=(80, 12)) as running:
        await running.press("enter")
        document = running.app.screen.query_one(DocumentView)
        await running.until(lambda: document.max_scroll_y > 3, what="a ticket longer than the screen")
        await running.press("j", "j")
        assert document.scroll_y == 2
        await running.press("k")
        assert document.scroll_y == 1
        await running.press("G")
        assert document.scroll_y == document.max_scroll_y
        await running.press("g")
        assert document.scroll_y == 0
        await running.press("space")
        assert document.scroll_y > 2
        await running.press("ctrl+u")
        assert document.scroll_y == 0


async def test_colon_goes_to_a_ticket_by_number_and_hash_by_psa_id(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app = running.app
        tickets = first_tickets(running)
        by_number = tickets[-1]["id"]
        with_psa = next(t for t in tickets if t["psa_ticket_id"] and t["id"] != by_number)
        await running.press("colon")
        assert isinstance(app.screen, GoToScreen)
        await running.press(*f"#{by_number}", "enter")
        await running.until(lambda: isinstance(app.screen, DetailScreen), what="the detail")
        assert app.screen.ticket_id == by_number
        await running.press("number_sign", *with_psa["psa_ticket_id"].lower(), "enter")
        await running.until(
            lambda: isinstance(app.screen, DetailScreen) and app.screen.ticket_id == with_psa["id"],
            what="the second detail",
        )


async def test_going_to_an_unknown_ticket_says_so(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app = running.app
        await running.press("colon", *"NOPE-99999", "enter")
        await running.until(lambda: any("NOPE-99999" in str(n.message) for n in app._notifications), what="the notice")
        assert isinstance(app.screen, BoardScreen)


async def test_a_keymap_moves_a_key_and_help_lists_the_key_in_force(demo_portal, tmp_path: Path) -> None:
    config = tmp_path / "config" / "msp-tickets"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('[keymap]\n"board.stats" = "f7"\n"go_to" = "ctrl+g"\n', encoding="utf-8")
    keymap = load_keymap({"XDG_CONFIG_HOME": str(tmp_path / "config")})
    assert keymap == {"board.stats": "f7", "go_to": "ctrl+g"}
    async with running_tui(demo_portal, tmp_path, keymap=keymap) as running:
        app = running.app
        await running.press("t")
        assert isinstance(app.screen, BoardScreen)  # t no longer opens the stats
        await running.press("f7")
        assert isinstance(app.screen, StatsScreen)
        await running.press("escape", "ctrl+g")
        assert isinstance(app.screen, GoToScreen)
        await running.press("escape", "question_mark")
        help_lines = [line.strip(" █▇") for line in screen_text(app).splitlines()]
        assert any(line.startswith("f7") and "Stats" in line for line in help_lines)
        assert any(line.startswith("ctrl+g") and "Go to ticket" in line for line in help_lines)
        assert not any(line.startswith("t ") and "Stats" in line for line in help_lines)


async def test_the_footer_shows_quit_and_the_palette_at_80_columns(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path, size=(80, 24)) as running:
        footer = screen_text(running.app).splitlines()[-1]
        assert "q Quit" in footer and "^p" in footer and "? Help" in footer


async def test_the_palette_offers_the_apps_own_actions_each_once(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        app = running.app
        for screen_keys in ((), ("enter",)):
            await running.press(*screen_keys)
            names = [name for name, _, _ in ActionsProvider(app.screen)._actions()]
            names += [command.title for command in app.get_system_commands(app.screen)]
            assert len(names) == len(set(names)), names
            for wanted in ("Go to ticket…", "Quit", "Help", "Theme"):
                assert wanted in names, wanted
            if not screen_keys:  # every pill, the Open one too (the table's enter is named apart)
                assert {pill.label for pill in PILLS} <= set(names), names
                assert "Open the ticket under the cursor" in names
            for generic in ("Scroll Left", "Scroll Right", "Focus Next", "Keys", "Screenshot", "Up", "Page down"):
                assert generic not in names, generic


def test_a_keymap_that_is_not_ids_to_keys_is_refused_naming_the_file(tmp_path: Path) -> None:
    config = tmp_path / "msp-tickets"
    config.mkdir()
    (config / "config.toml").write_text("[keymap]\nsync = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[keymap\] in .*config.toml"):
        load_keymap({"XDG_CONFIG_HOME": str(tmp_path)})
    (config / "config.toml").write_text('default_profile = "x"\n', encoding="utf-8")
    assert load_keymap({"XDG_CONFIG_HOME": str(tmp_path)}) == {}
