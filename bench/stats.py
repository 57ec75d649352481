"""The Stats figures at scale, and what the chart's library costs at start.

- `Mirror.stats` over the bench mirror (100,000 tickets, 500,000 events, each resolved or closed
  ticket given its status changes), for a company user and for a company admin (by submitter).
  It runs in a thread worker, so this is how long the screen says "loading", not a freeze.
- What importing the plot (textual-plot, numpy) costs on top of the app's own modules: what the
  board would pay at every start if the Stats screen's library were imported eagerly.

`--quick` scales the data down 10x. Nothing is asserted here.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from bench.mirror import EVENTS, START, TICKETS, build, ms, raw
from cache.mirror import Mirror
from portal.schema import AccessLevel
from tui.paths import profile_paths

IMPORT_RUNS = 5


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stats")
    parser.add_argument("--quick", action="store_true", help="10x less data, for a smoke run")
    args, _ = parser.parse_known_args(argv)
    scale = 10 if args.quick else 1
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as home:
        figures(Path(home), TICKETS // scale, EVENTS // scale)
    start_cost()


def figures(home: Path, tickets: int, events: int) -> None:
    paths = profile_paths("bench", "https://portal.example", "bench@example", {"HOME": str(home)})
    Mirror.open(paths).close()
    builder = multiprocessing.get_context("spawn").Process(
        target=build, args=(paths.cache_db, tickets, events, random.Random(7))
    )
    builder.start()
    builder.join()
    add_resolutions(paths.cache_db, tickets)
    mirror = Mirror.open(paths)
    try:
        # The newest ticket was created a day before "now": the 12 weeks are full.
        now = (START + timedelta(minutes=5 * tickets, days=1)).astimezone()
        company = ms(lambda: mirror.stats(now), repeat=5)
        me = mirror.me()
        mirror.store_me(me.model_copy(update={"access_level": AccessLevel.COMPANY_ADMIN}))
        admin = ms(lambda: mirror.stats(now), repeat=5)
        stats = mirror.stats(now)
    finally:
        mirror.close()
    print(f"{tickets:,} tickets, {events:,} events; {sum(w.opened for w in stats.weeks):,} opened in the 12 weeks")
    print(f"  Mirror.stats, company user           {company:8.1f} ms  (median of 5, in a thread worker)")
    print(f"  Mirror.stats, admin, by submitter    {admin:8.1f} ms  ({len(stats.by_submitter)} submitters)")


def add_resolutions(db: Path, tickets: int) -> None:
    """Each resolved or closed ticket: an MSP status change to resolved, a day and some after it
    was opened; a closed one also the client's confirmation."""
    conn = raw(db)
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO events (id, ticket_id, kind, author_role, author_name, from_status, to_status, created_at) "
        "SELECT 10000000 + id, id, 'status_change', 'msp', 'Ana Ruiz', 'in_progress', 'resolved', "
        "strftime('%Y-%m-%dT%H:%M:%f000+00:00', created_at, '+1 day', '+' || (id % 600) || ' minutes') "
        "FROM tickets WHERE status IN ('resolved', 'closed')"
    )
    conn.execute(
        "INSERT INTO events (id, ticket_id, kind, author_role, author_name, from_status, to_status, created_at) "
        "SELECT 20000000 + id, id, 'status_change', 'client', 'User 1', 'resolved', 'closed', "
        "strftime('%Y-%m-%dT%H:%M:%f000+00:00', created_at, '+2 days') FROM tickets WHERE status = 'closed'"
    )
    # As a sync would have left them: the newest MSP event, and the last change of any kind.
    conn.execute(
        "UPDATE tickets SET last_msp_change_at = (SELECT max(created_at) FROM events e "
        "WHERE e.ticket_id = tickets.id AND e.author_role = 'msp')"
    )
    conn.execute(
        "UPDATE tickets SET updated_at = max(updated_at, coalesce((SELECT max(created_at) FROM events e "
        "WHERE e.ticket_id = tickets.id), updated_at))"
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def start_cost() -> None:
    """`python -X importtime`: what importing the plot adds after the app's own modules (median of
    several fresh interpreters). One process each, so other load on the machine shows less."""
    app, plot = [], []
    for _ in range(IMPORT_RUNS):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import tui.cli.command_line, tui.app, widgets.week_plot"],
            capture_output=True,
            text=True,
            check=True,
        )
        app.append(_cumulative_us(result.stderr, "tui.app"))
        plot.append(_cumulative_us(result.stderr, "widgets.week_plot"))
    print(f"imports at start, fresh interpreter, median of {IMPORT_RUNS} (python -X importtime):")
    print(f"  the app (tui.app and what it imports)               {statistics.median(app) / 1000:8.0f} ms")
    print(f"  the plot on top (textual-plot, numpy): not at start {statistics.median(plot) / 1000:8.0f} ms")


def _cumulative_us(report: str, module: str) -> int:
    for line in report.splitlines():
        parts = [part.strip() for part in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1])
    raise ValueError(f"{module} not in the import report")


if __name__ == "__main__":
    main(sys.argv[1:])
