"""Launch as a person feels it: the real `msp-tickets` started in a real terminal (tmux, 120x40),
from the process's start to the first ticket row visible on the screen, on a mirror of 100 and of
100,000 tickets (500,000 timeline events), with the portal unreachable (a closed loopback port:
the board opens offline, as on a train). Beside it, in the same run and the same terminal, a
hello-world Textual app (a Static and a Footer) started by the same Python, from its start to its
greeting visible. Runs alternate between the two; each figure is the median of `--repeat` (5).

Bytecode is cached as after a pip install: the project's modules are byte-compiled before the
runs (as pip does at install; a first run of each, not counted, would not write it where
PYTHONDONTWRITEBYTECODE is set, and every launch then compiled this app's ~60 modules again,
some 50 ms of CPU the hello-world, all in site-packages, never paid), and the token comes from
the environment (no keyring). The screen is read through a tmux control client
every millisecond or so. `--quick`: 10,000 tickets instead of 100,000. Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench import _hello_world
from bench._home import COMMAND, ROOT, Home, built_home
from bench._terminal import HEIGHT, TICKET_ROW, WIDTH, Terminal

HELLO_WORLD = Path(_hello_world.__file__)
SIZES = ((100, 500), (100_000, 500_000))
REPEAT = 5
TARGETS = {100: 1.2, 100_000: 1.5}  # at most this many times the hello-world's launch
PACKAGES = ("cache", "portal", "screens", "tui", "widgets")  # the app's own, as pip installs them


@dataclass(frozen=True)
class Launch:
    seconds: float  # from the start to `shown`, on the wall clock
    cpu_seconds: float  # the process's CPU time until then (all its threads)


def launch(term: Terminal, argv: list[str], env: dict[str, str], shown) -> Launch:
    """Starts `argv` in the pane until `shown(screen)`; then it is quit."""
    started = term.run(argv, env, cwd=ROOT)
    pid = term.pid()
    seen = term.wait_for(shown, f"{argv[-1]} to show itself")
    cpu = cpu_seconds(pid)
    term.stop()
    return Launch(seen - started, cpu)


def cpu_seconds(pid: int) -> float:
    """User and system time of a running process so far (/proc, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def board_shown(screen: str) -> bool:
    return TICKET_ROW.search(screen) is not None


def greeting_shown(screen: str) -> bool:
    return _hello_world.GREETING in screen


@dataclass(frozen=True)
class Row:
    tickets: int
    ours: Launch  # medians
    baseline: Launch


def measure(term: Terminal, home: Home, repeat: int) -> Row:
    """Median launch of the board and of the hello-world, alternating; a first run of each
    (bytecode written, files in the page cache) is not counted."""
    board = [sys.executable, str(COMMAND)]
    hello = [sys.executable, str(HELLO_WORLD)]
    ours, baseline = [], []
    for run in range(repeat + 1):
        board_launch = launch(term, board, home.env, board_shown)
        hello_launch = launch(term, hello, home.env, greeting_shown)
        if run:
            ours.append(board_launch)
            baseline.append(hello_launch)
    return Row(home.tickets, median(ours), median(baseline))


def median(launches: list[Launch]) -> Launch:
    return Launch(
        statistics.median(run.seconds for run in launches), statistics.median(run.cpu_seconds for run in launches)
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.launch")
    parser.add_argument("--quick", action="store_true", help="10,000 tickets instead of 100,000")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="launches of each, median taken")
    parser.add_argument("--sizes", default=None, help="tickets per mirror, comma-separated (default 100,100000)")
    args, _ = parser.parse_known_args(argv)
    sizes = [(t // 10, e // 10) if args.quick and t > 1000 else (t, e) for t, e in SIZES]
    if args.sizes:
        sizes = [(int(n), int(n) * 5) for n in args.sizes.split(",")]
    for package in PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-launch-") as scratch:
        folder = Path(scratch)
        rows = []
        for tickets, events in sizes:
            home = built_home(folder / f"home-{tickets}", tickets, events)
            term = Terminal(folder / f"term-{tickets}", home.env)
            try:
                rows.append(measure(term, home, args.repeat))
            finally:
                term.close()
        print_table(rows, args.repeat)


def print_table(rows: list[Row], repeat: int) -> None:
    print(f"\nprocess start -> first row visible, tmux {WIDTH}x{HEIGHT}, median of {repeat}")
    print(f"{'mirror':>16} {'msp-tickets':>12} {'hello-world':>12} {'ratio':>7}   {'target':8}  CPU until then")
    for row in rows:
        target = TARGETS.get(row.tickets)
        ours, baseline = row.ours, row.baseline
        print(
            f"{row.tickets:>8,} tickets {ours.seconds * 1000:9.0f} ms {baseline.seconds * 1000:9.0f} ms"
            f" {ours.seconds / baseline.seconds:6.2f}x   {f'<= {target}x' if target else '-':8}"
            f"  {ours.cpu_seconds * 1000:.0f} ms / {baseline.cpu_seconds * 1000:.0f} ms"
            f" ({ours.cpu_seconds / baseline.cpu_seconds:.2f}x)"
        )
    print("baseline: a hello-world Textual app (a Static and a Footer), same Python, same terminal, same run;")
    print("CPU: the process's own time until the row was seen, all threads (less sensitive to a busy machine)")


if __name__ == "__main__":
    main(sys.argv[1:])
