"""However the app ends, the terminal is given back and nothing is left running or on disk: the
real `msp-tickets` in tmux, ended by `kill -TERM`, `-HUP`, `-INT`, and (for the demo) `-KILL`."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.portal import World, make_world, start_portal
from tests.support.terminal import (
    COMMAND,
    TerminalModes,
    children,
    running,
    start_board,
    terminal,
    user_env,
    wait_until,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

GIVEN_BACK = TerminalModes(alternate_screen=False, mouse_reporting=False, cursor_shown=True)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    portal = start_portal(tmp_path_factory.mktemp("portal"))
    try:
        yield make_world(portal)
    finally:
        portal.stop()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: signal.Signals(s).name)
def test_a_signal_ends_the_app_and_gives_the_terminal_back(world: World, tmp_path: Path, signum: int) -> None:
    with terminal(tmp_path) as term:
        start_board(term, tmp_path / "home", world.portal, world.accounts["a_own"])
        assert term.modes() == TerminalModes(alternate_screen=True, mouse_reporting=True, cursor_shown=False)
        os.kill(term.pid(), signum)
        wait_until(term.process_ended, "the app to end")
        assert term.modes() == GIVEN_BACK
        # It ended itself (exit status 128 + n), rather than being ended by the signal.
        assert term.exit_status() == 128 + signum


@pytest.mark.parametrize(
    "signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP], ids=lambda s: signal.Signals(s).name
)
def test_the_demo_portal_goes_however_the_app_ends_and_its_data_stays(tmp_path: Path, signum: int) -> None:
    temp = tmp_path / "tmp"  # the demo's TMPDIR: nothing may be left there
    temp.mkdir()
    with terminal(tmp_path) as term:
        term.start(f"{COMMAND} --demo", user_env(tmp_path / "home", TMPDIR=str(temp)))
        term.wait_for(lambda s: "1 All" in s, "the demo board", timeout=90)
        app = term.pid()
        (portal,) = children(app)
        os.kill(app, signum)
        wait_until(term.process_ended, "the app to end")
        wait_until(lambda: not running(portal), "the demo portal to stop", timeout=2)
        assert list(temp.iterdir()) == []
        kept = tmp_path / "home" / "data" / "msp-tickets" / "demo"
        assert (kept / "portal.db").exists() and (kept / "seeded").exists()


def test_the_app_ends_when_its_terminal_goes_away(world: World, tmp_path: Path) -> None:
    """The window closed or the SSH link dropped: the terminal is gone, writes to it fail. The
    app must end (it used to block for ever writing to it, an orphan with no terminal)."""
    with terminal(tmp_path) as term:
        board = start_board(term, tmp_path / "home", world.portal, world.accounts["a_own"])
        board.terminal.write("n" + "Half-typed when the link dropped")
        term.wait_for(lambda s: "Half-typed" in s, "the form")
        app = term.pid()
        term.close()  # the terminal goes
        wait_until(lambda: not running(app), "the app to end", timeout=30)
