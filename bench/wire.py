"""Light on the wire: the bytes the real `msp-tickets` writes to its terminal, as the terminal
receives them (tmux `pipe-pane`: every byte the program wrote, escape sequences included) — over
SSH each one crosses the link. In tmux at 120x40, on a mirror of 100,000 tickets (`--quick`:
10,000), portal unreachable (while in use, the status line counts down to the next try every
second; left alone, it shows the try's clock time and nothing ticks):

- a cursor move on the board (`Down`, one at a time; the median of 20, each counted from the key
  until the output has been quiet for 80 ms), beside a stock DataTable of 1,000 rows in the same
  terminal and run (target: at most 1.5x the DataTable's);
- left alone, once the first sync has given up (the status line says offline) and the board
  counts as left alone (a minute without a key: the status line says "next at"): bytes a minute,
  over a 20 s window scaled to a minute (`--idle`), beside the DataTable app left alone
  (target: the status line's own changes only, <= 1 KB a minute);
- a tick of the countdown while in use: the bytes of the few seconds right after a key (once
  its own repaint is over), per second (one tick a second);
- the scripted session of bench/_session.py (moving, paging, pills, a search, a ticket opened
  and closed, a 1,000-event ticket jumped through): bytes per key.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench._home import COMMAND, ROOT, Home, built_home
from bench._session import play
from bench._terminal import TICKET_ROW, Terminal

TICKETS, EVENTS = 100_000, 500_000
MOVES = 20
QUIET_SECONDS = 0.08
SETTLE_SECONDS = 3.0  # after the first rows: the counts, the first (failing) sync, the quick check
IDLE_SECONDS = 20.0
LEFT_ALONE_WAIT_SECONDS = 120  # the board counts as left alone after a minute without input
TICK_SECONDS = 5.0
MOVE_TARGET = 1.5  # at most this many times the DataTable's bytes per move
IDLE_TARGET = 1024  # bytes a minute


class Recording:
    """What the pane's program writes, appended to a file."""

    def __init__(self, term: Terminal, path: Path) -> None:
        self.term, self.path = term, path
        path.touch()
        term.record(path)

    def size(self) -> int:
        return self.path.stat().st_size

    def quiet(self, since: int, timeout: float = 2.0) -> int:
        """The size once the output has grown past `since` and then stayed put for a while."""
        deadline = time.monotonic() + timeout
        size, changed_at = self.size(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.01)
            now = self.size()
            if now != size:
                size, changed_at = now, time.monotonic()
            elif size > since and time.monotonic() - changed_at >= QUIET_SECONDS:
                break
        return size

    def stop(self) -> None:
        self.term.record(None)


def bytes_per_move(recording: Recording, key: str) -> float:
    sizes = []
    for _ in range(MOVES):
        before = recording.size()
        recording.term.keys(key)
        sizes.append(recording.quiet(before) - before)
    return statistics.median(sizes)


def bytes_a_minute(recording: Recording, seconds: float) -> float:
    before = recording.size()
    time.sleep(seconds)
    return (recording.size() - before) * 60 / seconds


def bytes_a_tick(recording: Recording) -> float:
    """A key brings the countdown back; once the key's own repaint is over, what the next few
    seconds write, per second (the countdown ticks once a second)."""
    before = recording.size()
    recording.term.keys("Down")
    recording.quiet(before)
    return bytes_a_minute(recording, TICK_SECONDS) / 60


def measure(term: Terminal, argv: list[str], home: Home, folder: Path, idle: float, *, board: bool) -> dict:
    term.run(argv, home.env, cwd=ROOT)
    term.wait_for(lambda screen: TICKET_ROW.search(screen) is not None, f"{argv[-1]}'s rows")
    recording = Recording(term, folder / f"{Path(argv[-1]).name}.out")
    if board:  # its first sync (the token's check, then the sync, each tried again) has given up
        term.wait_for(lambda screen: "offline since" in screen, "the board offline", timeout=120)
        term.wait_for(lambda screen: "next at" in screen, "the board left alone", timeout=LEFT_ALONE_WAIT_SECONDS)
    time.sleep(SETTLE_SECONDS)
    figures = {"idle": bytes_a_minute(recording, idle)}
    if board:
        figures["tick"] = bytes_a_tick(recording)
    figures["move"] = bytes_per_move(recording, "Down")
    if board:
        before = recording.size()
        keys = play(term)
        figures["session"] = (recording.quiet(before) - before) / keys
    recording.stop()
    term.stop()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.wire")
    parser.add_argument("--quick", action="store_true", help="10,000 tickets instead of 100,000, 10 s idle")
    parser.add_argument("--idle", type=float, default=None, help="seconds left alone (scaled to a minute)")
    args, _ = parser.parse_known_args(argv)
    scale = 10 if args.quick else 1
    idle = args.idle or IDLE_SECONDS / (2 if args.quick else 1)
    with tempfile.TemporaryDirectory(prefix="bench-wire-") as scratch:
        folder = Path(scratch)
        home = built_home(folder / "home", TICKETS // scale, EVENTS // scale)
        term = Terminal(folder / "term", home.env)
        try:
            ours = measure(term, [sys.executable, str(COMMAND)], home, folder, idle, board=True)
            baseline = measure(term, [sys.executable, "-m", "bench._datatable_app"], home, folder, idle, board=False)
        finally:
            term.close()
    print(f"\nbytes written to the terminal (tmux 120x40, {home.tickets:,} tickets; idle over {idle:.0f} s, scaled)")
    print(f"{'':34} {'msp-tickets':>12} {'DataTable':>10} {'ratio':>7}   target")
    print(
        f"{'a cursor move (median of ' + str(MOVES) + ')':34} {ours['move']:12,.0f} {baseline['move']:10,.0f}"
        f" {ours['move'] / max(baseline['move'], 1):6.2f}x   <= {MOVE_TARGET}x"
    )
    print(f"{'left alone, a minute':34} {ours['idle']:12,.0f} {baseline['idle']:10,.0f} {'':>7}   <= {IDLE_TARGET:,}")
    print(f"{'in use, a tick of the countdown':34} {ours['tick']:12,.0f} {'-':>10} {'':>7}   -")
    print(f"{'the scripted session, per key':34} {ours['session']:12,.0f} {'-':>10} {'':>7}   -")
    print("baseline: a stock DataTable of 1,000 rows and a Footer, same Python, same terminal, same run")


if __name__ == "__main__":
    main(sys.argv[1:])
