"""The key bar in a real terminal: a click on a key (raw SGR mouse reports, as a terminal sends
them) runs it, as pressing the key does; the bar follows the screen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.portal import start_portal
from tests.support.terminal import start_board, terminal
from tests.tui.conftest import DEMO_ADMIN

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def _bar_click(term, screen: str, label: str) -> None:
    """A left click on `label` in the key bar (the screen's last line)."""
    lines = screen.rstrip("\n").splitlines()
    y = len(lines) - 1
    term.click(lines[y].index(label), y)


def test_a_click_on_a_key_in_the_bar_runs_it(tmp_path: Path) -> None:
    portal = start_portal(tmp_path, seed_demo=True)
    try:
        with terminal(tmp_path) as term:
            start_board(term, tmp_path / "home", portal, DEMO_ADMIN)
            screen = term.screen()
            assert " n New " in screen.splitlines()[-1]
            _bar_click(term, screen, "New")
            form = term.wait_for(lambda s: "Submit ticket" in s, "the new-ticket form, from a click on New")
            assert "Submit ticket" in form.splitlines()[-1], "the bar shows the form's keys"
            term.keys("Escape")
            screen = term.wait_for(lambda s: "1 All" in s and " n New " in s.splitlines()[-1], "the board again")
            _bar_click(term, screen, "Help")
            term.wait_for(lambda s: "Keys — the mouse works too" in s, "help, from a click on Help")
    finally:
        portal.stop()
