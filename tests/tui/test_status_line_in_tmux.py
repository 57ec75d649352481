"""The status line on the wire (issue 14 item 5), in a real terminal: the real `msp-tickets` in
tmux against the real portal, and the raw bytes it writes (tmux's pipe-pane). Left alone — here
the terminal reports focus out, which counts at once, as a minute without input does — the line
shows the next sync's clock time and the board writes nothing at all; focus back, the countdown
ticks again, and each tick writes the countdown's own cells, not the line from its left edge."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from tests.support.portal import RunningPortal
from tests.support.terminal import HEIGHT, PANE, start_board, terminal
from tests.tui.conftest import DEMO_ADMIN

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]
# demo_portal: tests/tui/conftest.py's, one seeded portal for the module.

FOCUS_OUT, FOCUS_IN = "\x1b[O", "\x1b[I"
COUNTDOWN = re.compile(r"next in (?:(\d+) min)? ?(?:(\d+) s)?")
NEXT_AT = re.compile(r"next at \d\d:\d\d")
WATCHED_SECONDS = 4  # long enough for a countdown to have ticked three times over
# A tick as written (52 bytes seen): the cursor's two moves, the colours and their reset, and the
# countdown's cells up to the last that changed ("in 10 min 4"). The whole line from its left
# edge, as before, was about 136.
TICK_BYTES = 64


def assert_reads_whole(term, when: re.Pattern) -> None:
    """The status line as the terminal shows it reads as one sentence: what follows the next
    sync's time (whose width just changed) was painted where it now is, no stale cell left."""
    line = term.screen().splitlines()[HEIGHT - 2]
    found = when.search(line)
    assert found is not None and re.match(r"( · \S|\s*$)", line[found.end() :]), line
    assert "· ·" not in line and " s  " not in line, line


def seconds_left(screen: str) -> int | None:
    found = COUNTDOWN.search(screen)
    if found is None or not any(found.groups()):
        return None
    return int(found.group(1) or 0) * 60 + int(found.group(2) or 0)


class Output:
    """What the pane's program writes, from now on."""

    def __init__(self, term, path: Path) -> None:
        self.path = path
        path.touch()
        term.tmux("pipe-pane", "-o", "-t", PANE, f"cat >> {path}")

    def settled(self) -> int:
        """Its size once nothing has come for a moment (what was on its way is in)."""
        size = -1
        while (now := self.path.stat().st_size) != size:
            size = now
            time.sleep(0.3)
        return size

    def since(self, size: int) -> bytes:
        return self.path.read_bytes()[size:]


def test_left_alone_the_board_writes_nothing_and_a_tick_writes_only_its_own_cells(
    demo_portal: RunningPortal, tmp_path: Path
) -> None:
    with terminal(tmp_path) as term:
        start_board(term, tmp_path / "home", demo_portal, DEMO_ADMIN)
        # Far enough from the next sync that none comes while the output is watched.
        term.wait_for(lambda s: (left := seconds_left(s)) is not None and left > 3 * WATCHED_SECONDS, "the countdown")
        output = Output(term, tmp_path / "pane-output")

        term.write(FOCUS_OUT)
        term.wait_for(lambda s: NEXT_AT.search(s) is not None and "next in" not in s, "the next sync's clock time")
        left_alone = output.settled()
        assert_reads_whole(term, NEXT_AT)
        time.sleep(WATCHED_SECONDS)
        assert output.since(left_alone) == b"", "left alone, the board writes nothing"

        term.write(FOCUS_IN)
        term.wait_for(lambda s: seconds_left(s) is not None, "the countdown again")
        in_use = output.settled()
        time.sleep(WATCHED_SECONDS)
        ticks = output.since(in_use)
        assert_reads_whole(term, COUNTDOWN)
        # Each tick: the cursor to the status line, the countdown's cells in its colours, the
        # cursor back. Not the line's left edge ("synced just now"), not even "next" before them.
        writes = re.findall(rb"\x1b\[%d;\d+H.*?(?=\x1b\[%d;|$)" % (HEIGHT - 1, HEIGHT - 1), ticks, re.DOTALL)
        assert len(writes) >= 2 and b"".join(writes) == ticks, ticks
        assert b"synced" not in ticks and b"next" not in ticks, ticks
        assert all(len(write) <= TICK_BYTES for write in writes), writes
