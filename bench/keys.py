"""Every key within a frame: the real `msp-tickets` in a real terminal (tmux, 120x40) on a mirror of
100,000 tickets (`--quick`: 10,000), driven through a scripted session (bench/_session.py: moving,
paging, the pills, typing a search, opening and closing a ticket, then end/home/G/g in a ticket
of 1,000 events), one key at a time. Measured inside the app by timestamps (bench/_timed.py):
from each key event (when Textual's input thread read it) to the next frame the compositor
wrote. Printed: p50/p95/p99 and the worst, beside a stock DataTable of 1,000 rows driven with the
same moving and paging keys in the same run and terminal. For the jumps in the long ticket: from
the key to the frame that shows where it leads, and how many frames that took (an animated
scroll takes dozens). Targets: p95 <= 16 ms, p99 <= 33 ms, a jump <= 50 ms in one frame.
Then each key beyond a frame, named, with the app's CPU time and the garbage collections in it;
with `--profile`, where each of those spent its time (cProfile; the profiler slows every key, so
its figures are for comparing calls with one another). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import pstats
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench._home import ROOT, Home, built_home
from bench._session import JUMPS, SESSION, Step, play
from bench._terminal import TICKET_ROW, Terminal

TICKETS, EVENTS = 100_000, 500_000
FRAME_SECONDS = 0.016
PROFILE_LINES = 25
SETTLE_SECONDS = 3.0  # after the first rows: the counts, the first (failing) sync, the quick check
MOVES = ("moving down", "moving up", "paging", "to the last row and back")
# The same moves for the DataTable, with the keys it knows (no j/k).
BASELINE_SESSION = (
    Step("moving down", ("Down",) * 12),
    Step("moving up", ("Up",) * 6),
    Step("paging", ("PageDown",) * 3 + ("PageUp",) * 2),
    Step("to the last row and back", ("End", "Home")),
)


@dataclass(frozen=True)
class Key:
    name: str
    step: str
    latency: float | None  # seconds to the next frame (None: no frame before the next key)
    cpu: float | None  # of that, the CPU time of the app's own thread (from when it saw the key)
    settled: float | None  # seconds to the first frame showing where the key scrolled to
    frames_to_settle: int
    others: float | None = None  # meanwhile, the CPU time of the app's other threads (the readers)
    collecting: float = 0.0  # of the latency, seconds of garbage collection
    full_collections: int = 0  # of them, of the oldest generation (all the app's objects)


def run_app(
    term: Terminal, which: str, home: Home, folder: Path, session: tuple[Step, ...], profiles: Path | None = None
) -> list[Key]:
    log = folder / f"{which}.frames.json"
    env = {**home.env, "BENCH_FRAMES": str(log)}
    if profiles is not None:
        profiles.mkdir()
        env["BENCH_PROFILE"] = str(profiles)
    term.run([sys.executable, "-m", "bench._timed", which], env, cwd=ROOT)
    term.wait_for(lambda screen: TICKET_ROW.search(screen) is not None, f"the {which}'s rows")
    time.sleep(SETTLE_SECONDS)
    play(term, session)
    term.stop()
    deadline = time.monotonic() + 10
    while not log.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return keys_of(json.loads(log.read_text()), session)


def keys_of(log: list[list], session: tuple[Step, ...]) -> list[Key]:
    """The session's keys, in order, each with its latencies (the keys of the log beyond the
    session's are the quit)."""
    steps = [(step.what, key) for step in session for key in step.keys]
    pressed = [entry for entry in log if entry[0] == "key"][: len(steps)]
    frames = [entry for entry in log if entry[0] == "frame"]
    collections = [entry for entry in log if entry[0] == "gc"]
    keys = []
    for number, (_, at, name, cpu_at, process_at) in enumerate(pressed):
        until = pressed[number + 1][1] if number + 1 < len(pressed) else math.inf
        after = [frame for frame in frames if at < frame[1] < until]
        latency = after[0][1] - at if after else None
        cpu = after[0][2] - cpu_at if after else None
        settled, count = None, 0
        if after:
            where = after[-1][3]  # the focused widget's scroll offset once the key is done
            first = next(i for i, frame in enumerate(after) if frame[3] == where)
            settled, count = after[first][1] - at, first + 1
        end = after[0][1] if after else until
        during = [entry for entry in collections if at <= entry[1] < end]
        collecting = sum(stop - start for _, start, stop, _ in during)
        full = sum(1 for *_, generation in during if generation == 2)
        others = after[0][4] - process_at - cpu if after else None
        keys.append(Key(name, steps[number][0], latency, cpu, settled, count, others, collecting, full))
    return keys


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(name: str, keys: list[Key], target: str, *, cpu: bool = False) -> str:
    latencies = [(key.cpu if cpu else key.latency) * 1000 for key in keys if key.latency is not None]
    missing = len(keys) - len(latencies)
    p50, p95, p99 = (percentile(latencies, share) for share in (0.5, 0.95, 0.99))
    extra = f", {missing} without a frame" if missing else ""
    return f"{name:46} {p50:6.1f} {p95:6.1f} {p99:6.1f} {max(latencies):6.1f} {len(latencies):5}{extra}   {target}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.keys")
    parser.add_argument("--quick", action="store_true", help="10,000 tickets instead of 100,000")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile each key of the board (cProfile: slower keys) and print where the slow ones spent their time",
    )
    args, _ = parser.parse_known_args(argv)
    scale = 10 if args.quick else 1
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as scratch:
        folder = Path(scratch)
        home = built_home(folder / "home", TICKETS // scale, EVENTS // scale)
        term = Terminal(folder / "term", home.env)
        try:
            profiles = folder / "profiles" if args.profile else None
            ours = run_app(term, "board", home, folder, SESSION, profiles)
            baseline = run_app(term, "datatable", home, folder, BASELINE_SESSION)
        finally:
            term.close()
        print_report(ours, baseline, home.tickets)
        if profiles is not None:
            print_profiles(ours, profiles)


def print_report(ours: list[Key], baseline: list[Key], tickets: int) -> None:
    print(f"\nkey -> next frame, in the app, ms (tmux 120x40, {tickets:,} tickets, keys one at a time)")
    print(f"{'':46} {'p50':>6} {'p95':>6} {'p99':>6} {'worst':>6} {'keys':>5}   target")
    print(summary("msp-tickets, the whole session", ours, "p95 <= 16, p99 <= 33"))
    print(summary("  moving and paging only", [key for key in ours if key.step in MOVES], "-"))
    print(summary("stock DataTable (1,000 rows), moving and paging", baseline, "-"))
    print("the same, counting only the CPU time of the app's own thread (what a busy machine adds is left out)")
    print(summary("msp-tickets, the whole session", ours, "-", cpu=True))
    print(summary("stock DataTable (1,000 rows), moving and paging", baseline, "-", cpu=True))
    print_slow_keys(ours)
    jumps = [key for key in ours if key.step == JUMPS]
    print(f"\n{JUMPS}: key -> the frame that shows where it leads (target <= 50 ms, in one frame)")
    for key in jumps:
        settled = f"{key.settled * 1000:.1f} ms" if key.settled is not None else "no frame"
        print(f"  {key.name:5} {settled:>10}, {key.frames_to_settle} frame{'s' * (key.frames_to_settle != 1)}")


def slow_keys(keys: list[Key]) -> list[tuple[int, Key]]:
    """The keys beyond a frame (or without one), slowest first, each with its place in the session."""
    slow = [(n, key) for n, key in enumerate(keys) if key.latency is None or key.latency > FRAME_SECONDS]
    return sorted(slow, key=lambda numbered: -(numbered[1].latency or math.inf))


def print_slow_keys(keys: list[Key]) -> None:
    slow = slow_keys(keys)
    print(
        f"\nkeys beyond a frame ({FRAME_SECONDS * 1000:.0f} ms), slowest first, numbered in the session:"
        " key -> next frame (the loop's CPU; its other threads' CPU; garbage collection, full: of every object), ms"
    )
    for number, key in slow:
        print(f"  {number + 1:3}. {key.name:10} {key.step:32} {_timings(key)}")
    if not slow:
        print("  none")


def _timings(key: Key) -> str:
    if key.latency is None:
        return "no frame"
    others = f"; other threads {key.others * 1000:.1f}" if key.others else ""
    collecting = f"; gc {key.collecting * 1000:.1f}" if key.collecting else ""
    full = ", full" if key.full_collections else ""
    return f"{key.latency * 1000:6.1f} ({key.cpu * 1000:5.1f}{others}{collecting}{full})"


def print_profiles(keys: list[Key], profiles: Path) -> None:
    """Where each slow key's time went, from its profile: the costliest calls, cumulative (the
    profiler's own cost inflates them; compare them with one another)."""
    print("\nwhere the slow keys spent their time (cProfile, cumulative ms, the costliest calls)")
    for number, key in slow_keys(keys):
        path = profiles / f"key-{number}.prof"
        if not path.exists():
            continue
        print(f"  {number + 1}. {key.name} ({key.step})")
        for name, seconds in costliest(pstats.Stats(str(path))):
            print(f"      {seconds * 1000:6.1f}  {name}")


# The event loop's and Textual's dispatching frames, which wrap every call of a key.
PROFILE_SKIP = (
    "asyncio",
    "selectors",
    "threading",
    "<built-in method select",
    "_run_once",
    "_run ",
    "_contextvars",
    "_callback.py",
    "timer.py",
    "message_pump.py",
)


def costliest(stats: pstats.Stats, count: int = PROFILE_LINES) -> list[tuple[str, float]]:
    """The calls with the most cumulative time, leaving out the event loop's own frames."""
    rows = []
    for (file, line, function), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        name = f"{Path(file).parent.name}/{Path(file).name}:{line} {function}" if line else function
        if not any(skip in name for skip in PROFILE_SKIP):
            rows.append((name, cumulative))
    return sorted(rows, key=lambda row: -row[1])[:count]


if __name__ == "__main__":
    main(sys.argv[1:])
