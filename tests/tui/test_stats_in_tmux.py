"""The real `msp-tickets --demo` in a real terminal (tmux): `t` on the board opens the Stats
screen with its chart drawn by textual-plot, and `q` goes back to the board — in colour at
120×40, and under NO_COLOR at 80×24."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.terminal import COMMAND, Terminal, terminal, user_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

WEEK_AXIS = re.compile(r"(W\d\d\s+){11}W\d\d")  # the chart's twelve week labels on one line
LOOKS = {
    "colour-120x40": ((120, 40), {}),
    "no-colour-80x24": ((80, 24), {"NO_COLOR": "1"}),
}


@pytest.fixture(params=list(LOOKS))
def demo_terminal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Terminal]:
    size, extra = LOOKS[request.param]
    temp = tmp_path / "tmp"  # the demo's temporary folder goes here (TMPDIR)
    temp.mkdir()
    env = {k: v for k, v in user_env(tmp_path / "home", TMPDIR=str(temp)).items() if k != "NO_COLOR"}
    with terminal(tmp_path) as term:
        term.start(f"{COMMAND} --demo", {**env, **extra}, size=size)
        yield term


def _bars_drawn(screen: str) -> bool:
    """The plot's frame, with at least one opened bar inside it."""
    return any("█" in line for line in screen.splitlines() if "┃" in line or "┫" in line)


def test_t_opens_the_stats_with_the_chart_and_q_goes_back(demo_terminal: Terminal) -> None:
    terminal = demo_terminal
    terminal.wait_for(lambda s: re.search(r"1 All [1-9]\d*", s) is not None, "the board with the demo tickets")
    terminal.keys("t")
    stats = terminal.wait_for(lambda s: WEEK_AXIS.search(s) is not None and _bars_drawn(s), "the stats and the chart")
    assert "Opened and resolved per week" in stats and "◆ resolved" in stats
    assert re.search(r"Open now\s+\d+ —", stats) and "First response" in stats

    terminal.keys("q")
    terminal.wait_for(lambda s: "1 All" in s and "Open now" not in s, "the board again")
    terminal.keys("C-q")
