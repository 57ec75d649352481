"""The real `msp-tickets --demo` in a real terminal (tmux): `t` on the board opens the Stats
screen with its chart drawn by textual-plot, and `q` goes back to the board."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.tui.test_demo_in_tmux import Terminal, terminal  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

WEEK_AXIS = re.compile(r"(W\d\d\s+){11}W\d\d")  # the chart's twelve week labels on one line


def _bars_drawn(screen: str) -> bool:
    """The plot's frame, with at least one opened bar inside it."""
    return any("█" in line for line in screen.splitlines() if "┃" in line or "┫" in line)


def test_t_opens_the_stats_with_the_chart_and_q_goes_back(terminal: Terminal) -> None:  # noqa: F811
    terminal.wait_for(lambda s: re.search(r"1 All [1-9]\d*", s) is not None, "the board with the demo tickets")
    terminal.keys("t")
    stats = terminal.wait_for(lambda s: WEEK_AXIS.search(s) is not None and _bars_drawn(s), "the stats and the chart")
    assert "Opened and resolved per week" in stats and "◆ resolved" in stats
    assert re.search(r"Open now\s+\d+ —", stats) and "First response" in stats

    terminal.keys("q")
    terminal.wait_for(lambda s: "1 All" in s and "Open now" not in s, "the board again")
    terminal.keys("C-q")
