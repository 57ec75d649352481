"""Issue 12 items 2 and 8: the real `msp-tickets` in tmux. The window title carries the counts
(tmux's #{pane_title}); after the terminal reports focus out (ESC [ O), a sync that brings the
MSP's changes writes the bell and an OSC 9 notification, seen in the pane's raw output."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.portal import RunningPortal, start_portal, token_for
from tests.support.terminal import COMMAND, PANE, terminal, user_env, wait_until
from tests.tui.conftest import DEMO_ADMIN

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

FOCUS_OUT = "\x1b[O"
PSA_INTERVAL = 3  # seconds
# Inside tmux ($TMUX is set in the pane): the bell, then OSC 9 wrapped for passthrough.
OSC9 = re.compile(rb"\x07\x1bPtmux;\x1b\x1b\]9;msp-tickets: ([^\x07\x1b]*)\x07\x1b\\")


@pytest.fixture
def busy_portal(tmp_path: Path) -> Iterator[RunningPortal]:
    """The demo companies, with the PSA's technicians acting every few seconds."""
    running = start_portal(tmp_path, seed_demo=True, psa_interval=PSA_INTERVAL)
    try:
        yield running
    finally:
        running.stop()


def test_unfocused_terminal_gets_the_bell_and_osc9_and_the_title_counts(
    busy_portal: RunningPortal, tmp_path: Path
) -> None:
    demo_portal = busy_portal
    home = tmp_path / "home"
    config = home / "config" / "msp-tickets"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(
        f'default_profile = "test"\n\n[profiles.test]\nportal = "{demo_portal.url}"\n'
        f'email = "{DEMO_ADMIN.email}"\nnotify = "osc9"\n',
        encoding="utf-8",
    )
    token = token_for(demo_portal, DEMO_ADMIN)
    output = tmp_path / "pane-output"
    with terminal(tmp_path) as term:
        term.start(str(COMMAND), user_env(home, MSP_TICKETS_TOKEN=token))
        term.tmux("pipe-pane", "-o", "-t", PANE, f"cat >> {output}")
        term.wait_for(lambda s: "1 All" in s and "synced" in s, "the board, synced")

        def pane_title() -> str:
            return term.tmux("display-message", "-p", "-t", PANE, "#{pane_title}").strip()

        def notified():
            return OSC9.search(output.read_bytes()) if output.exists() else None

        # The terminal loses focus; the portal's PSA cycle (every few seconds here) changes
        # tickets and the board syncs after it by itself, while the app is not in front.
        term.write(FOCUS_OUT)
        wait_until(notified, "the notification", timeout=60)
        raw = output.read_bytes()
        found = OSC9.search(raw)
        assert found, raw[-400:]
        assert re.match(rb"(\d+ changes \xc2\xb7 )?#\d+ ", found.group(1))
        title = wait_until(
            lambda: re.fullmatch(r"msp-tickets( · \d+ waiting on you)? · \d+ new", pane_title()),
            "the counts in the title",
        )
        assert title
        term.wait_for(lambda s: re.search(r"\d+ changes? · a to see", s) is not None, "the count on the status line")

        term.keys("a")
        term.wait_for(lambda s: "Activity — newest first" in s and re.search(r"\d+ unread", s), "the activity")
        term.keys("m")
        term.wait_for(lambda s: "0 unread" in s, "all read")
        wait_until(lambda: "new" not in pane_title(), "the title without new")
        term.keys("C-q")
