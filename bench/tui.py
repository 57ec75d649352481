"""The board at scale: a 100,000-ticket mirror shown by the virtual TicketTable, measured in the
same run beside a stock DataTable fed the same rows (and, for a ticket's timeline, beside one
Static widget per event). `--quick` uses 10x less data. Figures are printed, never asserted.

Measured: launch to first painted board (headless in this process, and as a fresh `python`
process, start-up included), the table's own part of that, a search keystroke to repaint,
`end`, opening a ticket with 1,000 timeline events, and resident memory (peak RSS of a child
process that paints the board).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.mirror import BIG_TICKET_EVENTS, EVENTS, SEARCH_WORD, TICKETS, build
from cache.mirror import Mirror
from cache.model import SortColumn, TicketQuery
from cache.profile import ProfilePaths
from tui.paths import profile_paths

SIZE = (120, 40)
REPEAT = 5  # ours: the median of five
BASELINE_REPEAT = 1  # the DataTable takes seconds a run at 100k: one run shows the order


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tui")
    parser.add_argument("--quick", action="store_true", help="10x less data, for a smoke run")
    parser.add_argument("--child", choices=["ours", "datatable"], help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args(argv)
    if args.child:
        child(args.child, Path(args.home))
        return
    scale = 10 if args.quick else 1
    with tempfile.TemporaryDirectory(prefix="bench-tui-") as home:
        run(Path(home), TICKETS // scale, EVENTS // scale)


def paths_in(home: Path) -> ProfilePaths:
    return profile_paths("bench", "https://portal.example", "bench@example", {"HOME": str(home)})


def run(home: Path, tickets: int, events: int) -> None:
    paths = paths_in(home)
    Mirror.open(paths).close()
    started = time.perf_counter()
    build(paths.cache_db, tickets, events, random.Random(7))
    print(f"built {tickets:,} tickets and {events:,} events in {time.perf_counter() - started:.1f} s")
    mirror = Mirror.open(paths)
    try:
        rows = asyncio.run(measure_in_process(mirror))
    finally:
        mirror.close()
    ours_launch, ours_rss = launch_in_child("ours", home, 3)
    table_launch, table_rss = launch_in_child("datatable", home, 1)
    rows.insert(0, ("launch to first painted board (new process)", ours_launch, table_launch, "ms", "<= 1000 ms"))
    rows.append(("resident memory (peak RSS, board painted)", ours_rss, table_rss, "MB", "<= 200 MB"))
    print_table(rows)


def print_table(rows: list[tuple[str, float, float, str, str]]) -> None:
    print(f"{'measure':48} {'ours':>11} {'baseline':>13} {'ratio':>9}   target")
    for name, ours, baseline, unit, target in rows:
        ratio = baseline / ours if ours else float("inf")
        print(f"{name:48} {ours:8.1f} {unit:2} {baseline:10.1f} {unit:2} {ratio:8.1f}x   {target}")
    print("baseline: a stock DataTable fed every matching row; for the timeline, one Static per event")


# --- the apps compared -------------------------------------------------------------------------


def board_app(mirror: Mirror):
    """Ours: the real TicketsApp on the mirror (no portal is contacted: nothing syncs)."""
    from cache.sync import SyncEngine
    from portal.client import PortalClient
    from tui.app import TicketsApp
    from tui.session import Session

    client = PortalClient("http://127.0.0.1:9")
    return TicketsApp(Session(mirror, client, SyncEngine(mirror, client)), sync_on_start=False)


def datatable_board(mirror: Mirror):
    """The baseline: a stock DataTable holding every matching row, refilled on each keystroke."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Input

    from widgets.badges import priority_label, status_label
    from widgets.when import date_only

    class DataTableBoard(App):
        BINDINGS = [("slash", "search", "Search")]
        CSS = "#search { display: none; } #search.-shown { display: block; } DataTable { height: 1fr; }"

        def compose(self) -> ComposeResult:
            yield Input(id="search")
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("ID", "Subject", "Category", "Priority", "Created", "Status")
            self.fill("")
            table.focus()

        def fill(self, search: str) -> None:
            query = TicketQuery(search=search)
            rows = mirror.page(query, 0, mirror.total(query))
            table = self.query_one(DataTable)
            table.clear()
            table.add_rows(
                (
                    f"#{r.id}",
                    r.subject,
                    r.category.value,
                    priority_label(r.priority),
                    date_only(r.created_at),
                    status_label(r.status),
                )
                for r in rows
            )

        def action_search(self) -> None:
            search = self.query_one("#search", Input)
            search.add_class("-shown")
            search.focus()

        def on_input_changed(self, event: Input.Changed) -> None:
            self.fill(event.value)

    return DataTableBoard()


def naive_timeline_app(mirror: Mirror):
    """The timeline baseline: one Static widget per event, in a scrolling container."""
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.containers import VerticalScroll
    from textual.widgets import Static

    from widgets.colours import DARK
    from widgets.document import Para
    from widgets.timeline import event_blocks

    def as_text(blocks) -> Text:
        lines = [
            Text(" " * b.indent + b.text, b.style) if isinstance(b, Para) else Text.assemble(*b.parts) for b in blocks
        ]
        return Text("\n").join(lines)

    class NaiveTimeline(App):
        def compose(self) -> ComposeResult:
            yield VerticalScroll(id="timeline")

        async def show_ticket(self, ticket_id: int) -> None:
            view = mirror.ticket(ticket_id)
            await self.query_one("#timeline").mount_all(
                Static(as_text(event_blocks(item, DARK))) for item in view.timeline
            )

    return NaiveTimeline()


# --- in this process: headless ------------------------------------------------------------------


async def timed(action: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await action()
    return (time.perf_counter() - started) * 1000


async def measure_in_process(mirror: Mirror) -> list[tuple[str, float, float, str, str]]:
    ours = await measure_board(lambda: board_app(mirror), OursDriven, REPEAT)
    baseline = await measure_board(lambda: datatable_board(mirror), DataTableDriven, BASELINE_REPEAT)
    detail = await measure_detail(lambda: board_app(mirror), open_ours, REPEAT)
    naive = await measure_detail(lambda: naive_timeline_app(mirror), open_naive, BASELINE_REPEAT)
    return [
        ("launch to first painted board (headless)", ours["launch"], baseline["launch"], "ms", "-"),
        ("  the table's own part (load + paint a screen)", ours["table"], baseline["table"], "ms", "<= 150 ms"),
        (
            f"search keystroke to repaint ('{SEARCH_WORD[0]}'), our code",
            ours["search"],
            baseline["search"],
            "ms",
            "<= 50 ms",
        ),
        (
            f"  the last one of '{SEARCH_WORD}' (1 % match), our code",
            ours["search_word"],
            baseline["search_word"],
            "ms",
            "<= 50 ms",
        ),
        ("  the same through the test pilot", ours["search_key"], baseline["search_key"], "ms", "-"),
        ("`end` to repaint (board settled), our code", ours["end"], baseline["end"], "ms", "<= 100 ms"),
        ("  the same through the test pilot", ours["end_key"], baseline["end_key"], "ms", "-"),
        ("  a key bound to nothing, through the pilot", ours["idle"], baseline["idle"], "ms", "-"),
        (f"open a ticket with {BIG_TICKET_EVENTS:,} events (pilot)", detail, naive, "ms", "<= 300 ms"),
    ]


class OursDriven:
    """Drives our board directly: the handler a key runs, then painting the visible lines."""

    end_key = "end"

    def __init__(self, app) -> None:
        from widgets.ticket_table import TicketTable

        self.app = app
        self.table = app.screen.query_one(TicketTable)

    def paint(self) -> None:
        for y in range(self.table.size.height):
            self.table.render_line(y)

    def has_rows(self) -> bool:
        return self.table.total > 0

    async def load(self) -> None:
        """A fresh query (sorted by id) counted, its first page read, and a screen painted."""
        query = self.table.ticket_query._replace(sort=SortColumn.ID)
        self.table.show(query)
        while self.table.shown_query != query:
            await asyncio.sleep(0.001)
        self.paint()

    async def end(self) -> None:
        self.table.action_last()
        self.paint()

    async def search(self, text: str) -> None:
        self.app.screen.query_one("#search").value = text  # as typed: Input.Changed follows
        while self.table.shown_query.search != text:
            await asyncio.sleep(0.001)
        self.paint()

    async def reset(self) -> None:
        self.app.screen.query_one("#search").value = ""
        while self.table.shown_query.search:
            await asyncio.sleep(0.001)


class DataTableDriven:
    end_key = "ctrl+end"

    def __init__(self, app) -> None:
        from textual.widgets import DataTable

        self.app = app
        self.table = app.query_one(DataTable)

    def paint(self) -> None:
        for y in range(self.table.size.height):
            self.table.render_line(y)

    def has_rows(self) -> bool:
        return self.table.row_count > 0

    async def load(self) -> None:
        self.app.fill("")
        self.paint()

    async def end(self) -> None:
        self.table.action_scroll_bottom()
        self.paint()

    async def search(self, text: str) -> None:
        self.app.fill(text)
        self.paint()

    async def reset(self) -> None:
        self.app.fill("")


async def measure_board(make_app, driven, repeat: int) -> dict[str, float]:
    figures: dict[str, list[float]] = {
        name: [] for name in ("launch", "table", "search", "search_word", "search_key", "end", "end_key", "idle")
    }
    for _ in range(repeat):
        started = time.perf_counter()
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            figures["launch"].append((time.perf_counter() - started) * 1000)
            board = driven(app)
            figures["table"].append(await timed(board.load))
            await app.workers.wait_for_complete()  # settled, as a person's next key finds it
            figures["end"].append(await timed(board.end))
            figures["search"].append(await timed(lambda: board.search(SEARCH_WORD[0])))
            await board.search(SEARCH_WORD[:-1])
            figures["search_word"].append(await timed(lambda: board.search(SEARCH_WORD)))
            await board.reset()
            await pilot.press("home")
            figures["idle"].append(await timed(lambda: press_and_paint(pilot, "f12")))
            figures["end_key"].append(await timed(lambda: press_and_paint(pilot, board.end_key)))
            await pilot.press("slash")
            await pilot.pause()
            figures["search_key"].append(await timed(lambda: press_and_paint(pilot, SEARCH_WORD[0])))
    return {name: statistics.median(values) for name, values in figures.items()}


async def press_and_paint(pilot, key: str) -> None:
    await pilot.press(key)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_ours(app, pilot) -> None:
    from screens.detail import DetailScreen

    screen = DetailScreen(app.services, 1)
    await app.push_screen(screen)
    while screen.view is None:  # read off the event loop: wait for it to be shown
        await asyncio.sleep(0.001)
    await pilot.pause()


async def open_naive(app, pilot) -> None:
    await app.show_ticket(1)
    await pilot.pause()


async def measure_detail(make_app, open_ticket, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            times.append(await timed(lambda: open_ticket(app, pilot)))
    return statistics.median(times)


# --- in a fresh process: start-up included, and memory ---------------------------------------------

PAINTED = "painted"


def launch_in_child(kind: str, home: Path, repeat: int) -> tuple[float, float]:
    """Milliseconds from spawning `python` to the board's first paint, and the child's peak RSS
    (medians)."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    launches, peaks = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.tui", "--child", kind, "--home", str(home)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=root,
            env=env,
        )
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(PAINTED):
                launches.append((time.perf_counter() - started) * 1000)
                peaks.append(float(line.split("peak-rss-mb=")[1]))
                break
        process.wait()
    return statistics.median(launches), statistics.median(peaks)


def child(kind: str, home: Path) -> None:
    """Paint the board once, headless; say so at once, with the peak memory so far."""
    mirror = Mirror.open(paths_in(home))
    app = board_app(mirror) if kind == "ours" else datatable_board(mirror)

    async def paint_once() -> None:
        async with app.run_test(size=SIZE) as pilot:
            driven = (OursDriven if kind == "ours" else DataTableDriven)(app)
            while not driven.has_rows():  # the rows, not "Loading…"
                await asyncio.sleep(0.005)
            await pilot.pause()
            print(f"{PAINTED} peak-rss-mb={peak_rss_mb():.1f}", flush=True)

    asyncio.run(paint_once())
    mirror.close()


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    main(sys.argv[1:])
