"""`t`: the Stats screen — what was opened and resolved each week, what is open, how fast the
MSP answers and resolves, and for a company admin the same by submitter (cache/stats.py says
exactly how each figure is counted).

The figures come from the mirror in a thread worker (they read every ticket), and the chart's
plotting library is imported there too; until both are ready the screen says it is loading.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from cache.stats import TicketStats, Week
from screens.common import MirrorChanged, Services
from widgets.badges import priority_label, status_label
from widgets.colours import Palette, palette_for
from widgets.key_bar import KeyBar
from widgets.plain import visible
from widgets.scroll_keys import KeyedScroll
from widgets.sync_line import SyncLine
from widgets.week_chart import WeekBar, WeekChart, load_plotting
from widgets.when import span

LOADING = "Loading the figures from the local copy of your tickets…"
NOT_MEASURED = "—"


class StatsScreen(Screen):
    CSS_PATH = "stats.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "close", "Close stats", id="stats.close")]
    # A taller terminal gets a taller chart (stats.tcss).
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (36, "-tall")]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.stats: TicketStats | None = None

    def compose(self) -> ComposeResult:
        yield Static("Stats — the last 12 weeks", id="stats-title")
        with KeyedScroll(id="stats-body"):
            yield Static(LOADING, id="stats-loading")
            yield Static(id="stats-figures")
            yield WeekChart(id="stats-chart")
            yield Static(id="stats-weeks")
            yield Static(id="stats-submitters")
        yield SyncLine(id="sync-line")
        yield KeyBar()

    def on_mount(self) -> None:
        self.add_class("-loading")
        self.query_one("#stats-body").focus()
        self.count()
        self.watch(self.app, "theme", self.count, init=False)  # the figures in the new palette

    def action_close(self) -> None:
        self.dismiss()

    @on(MirrorChanged)
    def _mirror_changed(self) -> None:
        self.count()

    def count(self) -> None:
        """Off the event loop, through the one path to the local files: the figures read every
        ticket, and numpy loads slowly. A newer count (after a sync) replaces an older one."""
        files = self.services.files
        files.run(
            self,
            _figures,
            files.mirror,
            self._now(),
            then=lambda stats: self.call_later(self._show, stats),
            what="counting the figures",
            group="stats",
            latest=True,
        )

    def _now(self) -> datetime:
        # The app's clock when it has one (tests fix it), in local time: weeks start on the
        # user's Monday.
        clock = getattr(self.app, "clock", time.time)
        return datetime.fromtimestamp(clock(), tz=UTC).astimezone()

    async def _show(self, stats: TicketStats) -> None:
        self.stats = stats
        self.query_one("#stats-title", Static).update(_title(stats))
        self.query_one("#stats-figures", Static).update(figures(stats, palette_for(self.app.current_theme)))
        await self.query_one(WeekChart).show([WeekBar(_label(w), w.opened, w.resolved) for w in stats.weeks])
        self.query_one("#stats-weeks", Static).update(weeks_table(stats))
        if stats.by_submitter is not None:
            self.query_one("#stats-submitters", Static).update(submitters_table(stats))
        self.remove_class("-loading")


def _label(week: Week) -> str:
    return f"W{week.number:02d}"  # short enough for twelve across 80 columns


def _figures(mirror, now: datetime) -> TicketStats:
    stats = mirror.stats(now)
    load_plotting()
    return stats


def _title(stats: TicketStats) -> Text:
    first, last = stats.weeks[0], stats.weeks[-1]
    return Text(f"Stats — 12 weeks, {_label(first)} ({first.start:%d %b}) to {_label(last)}, from the local copy")


def _duration(seconds: float | None) -> str:
    return NOT_MEASURED if seconds is None else span(seconds)


def _median_text(seconds: float | None, tickets: int) -> Text:
    if seconds is None:
        return Text("none in these 12 weeks")
    return Text(f"{span(seconds)} median, over {tickets} ticket{'' if tickets == 1 else 's'}")


def _counts(counts: dict, label, styles: Mapping) -> Text:
    return Text(" · ").join(Text(f"{label(key)} {n}", style=styles[key] if n else "") for key, n in counts.items())


def figures(stats: TicketStats, palette: Palette) -> Table:
    """What is open now and how fast the MSP is: the screen's first lines."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_row(
        "Open now", Text(f"{stats.open_total} — ") + _counts(stats.open_by_priority, priority_label, palette.priority)
    )
    table.add_row("By status", _counts(stats.open_by_status, status_label, palette.status))
    medians = stats.medians
    table.add_row("First response", _median_text(medians.first_response_seconds, medians.first_response_tickets))
    table.add_row("Resolution", _median_text(medians.resolution_seconds, medians.resolution_tickets))
    return table


def weeks_table(stats: TicketStats) -> Table:
    """The chart's numbers, week by week."""
    table = Table(box=None, padding=(0, 1), show_edge=False, pad_edge=False)
    table.add_column("Week", style="bold", no_wrap=True)
    for week in stats.weeks:
        table.add_column(_label(week), justify="right", no_wrap=True)
    table.add_row("Opened", *(str(w.opened) for w in stats.weeks))
    table.add_row("Resolved", *(str(w.resolved) for w in stats.weeks))
    return table


def submitters_table(stats: TicketStats) -> Group:
    """For a company admin: the same figures for each person who raised tickets."""
    table = Table(box=None, padding=(0, 1), show_edge=False, pad_edge=False)
    table.add_column("Submitted by", no_wrap=True, overflow="ellipsis", max_width=24)
    table.add_column("Open", justify="right")
    table.add_column("Opened", justify="right")
    table.add_column("Resolved", justify="right")
    table.add_column("1st response", justify="right", no_wrap=True)
    table.add_column("Resolution", justify="right", no_wrap=True)
    for row in stats.by_submitter or ():
        table.add_row(
            Text(visible(row.name, one_line=True)),
            str(row.open_now),
            str(row.opened),
            str(row.resolved),
            _duration(row.medians.first_response_seconds),
            _duration(row.medians.resolution_seconds),
        )
    heading = Text("By submitter — opened and resolved in the 12 weeks, medians as above", style="bold")
    return Group(Text(""), heading, table)
