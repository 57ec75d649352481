"""Issue 12 items 2 and 8: the real `msp-tickets` in tmux. The window title carries the counts
(tmux's #{pane_title}); after the terminal reports focus out (ESC [ O), a sync that brings the
MSP's changes writes the bell and an OSC 9 notification, seen in the pane's raw output; and each
other `notify` setting writes exactly its own: OSC 777, the bell alone, nothing."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from filelock import FileLock

from tests.support.portal import RunningPortal, World, comment_as, start_portal, token_for
from tests.support.terminal import COMMAND, PANE, start_board, terminal, user_env, wait_until
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
        # The board's next own sync comes with the portal's next cycle, not 30 s after the last.
        env = user_env(home, MSP_TICKETS_TOKEN=token, MSP_TICKETS_MIN_SYNC_INTERVAL=str(PSA_INTERVAL))
        term.start(str(COMMAND), env)
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


def _styled_row(term, text: str) -> str:
    """The line holding `text`, with its colours (the cursor row's change when the app blurs)."""
    return next(line for line in term.tmux("capture-pane", "-p", "-e", "-t", PANE).splitlines() if text in line)


# What the terminal keeps once every OSC (ESC ] … BEL or ST) and DCS (ESC P … ST) is taken out.
SEQUENCES = re.compile(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1bP.*?\x1b\\", re.DOTALL)
TITLE_WITH_ONE_NEW = "\x1b]2;msp-tickets \xb7 1 new\x07".encode()


@pytest.mark.parametrize("mode", ["osc777", "bell", "off"])
def test_each_notify_setting_writes_exactly_its_sequence(mode: str, fresh_world: World, tmp_path: Path) -> None:
    """A colleague's comment synced while the terminal is not in front: OSC 777 (wrapped for
    tmux) after the bell, the bell alone, or nothing — byte for byte in the pane's output."""
    world, portal = fresh_world, fresh_world.portal
    me, colleague = world.accounts["a_admin"], world.accounts["a_company"]
    output = tmp_path / "pane-output"
    with terminal(tmp_path) as term:
        board = start_board(term, tmp_path / "home", portal, me, more_config=f'notify = "{mode}"\n')
        ticket = httpx.post(
            f"{portal.api}/tickets",
            json={"subject": "Printer jams", "category": "hardware", "priority": "low", "description": "Paper."},
            headers={"Authorization": f"Bearer {board.token}", "Idempotency-Key": "notify-each-mode"},
            timeout=30,
        ).json()["id"]
        term.keys("r")
        term.wait_for(lambda s: "Printer jams" in s, "the ticket on the board")
        term.tmux("pipe-pane", "-o", "-t", PANE, f"cat >> {output}")
        comment_as(portal, colleague, ticket, "Toner everywhere")
        # `r`, and the terminal loses focus before that sync ends (a key would bring the focus
        # back): the sync waits for the profile's lock, held here, until the board has drawn
        # itself as not in front.
        (lock_path,) = (tmp_path / "home" / "cache").rglob("*.sync.lock")
        with FileLock(lock_path):
            term.keys("r")
            term.wait_for(lambda s: "syncing…" in s, "the sync, waiting for the lock")
            in_front = _styled_row(term, "Printer jams")
            term.write(FOCUS_OUT)
            wait_until(lambda: _styled_row(term, "Printer jams") != in_front, "the board drawn as not in front")
        # The title's count is written after the notification: once it is out, so is the rest.
        raw = wait_until(
            lambda: output.exists() and TITLE_WITH_ONE_NEW in output.read_bytes() and output.read_bytes(),
            "the title with the new change",
        )
        body = f"#{ticket} Printer jams: {colleague.name}: Toner everywhere".encode()
        wrapped_osc777 = b"\x07\x1bPtmux;\x1b\x1b]777;notify;msp-tickets;" + body + b"\x07\x1b\\"
        left = SEQUENCES.sub(b"", raw)
        if mode == "osc777":
            assert wrapped_osc777 in raw and left.count(b"\x07") == 1, raw[-400:]
        elif mode == "bell":
            assert left.count(b"\x07") == 1 and b"]777;" not in raw and b"]9;" not in raw, raw[-400:]
        else:
            assert b"\x07" not in left and b"]777;" not in raw and b"]9;" not in raw, raw[-400:]
        term.keys("C-q")
