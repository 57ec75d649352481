"""Tickets opened and resolved per week, as a bar chart: `textual-plot`'s PlotWidget.

textual-plot brings numpy, which takes longer to import than the rest of the app, and only this
chart needs it: nothing here imports it until `load_plotting()` is called (from a thread, by the
screen that is about to show a chart), so the board opens as fast as before.

Opened weeks are bars and resolved weeks are markers on them: the two series differ in shape, not
only in colour, so the chart reads the same under NO_COLOR.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

OPENED_STYLE = "dodger_blue2"
RESOLVED_STYLE = "bold bright_yellow"
OPENED_MARK = "█"
RESOLVED_MARK = "◆"
Y_TICKS_AT_MOST = 5


@dataclass(frozen=True)
class WeekBar:
    label: str  # "W48": short enough for 12 weeks across 80 columns
    opened: int
    resolved: int


def load_plotting() -> ModuleType | None:
    """Import textual-plot (and numpy); None when it cannot be loaded, so the caller can say so.
    Slow the first time: call it off the event loop."""
    try:
        return importlib.import_module("textual_plot")
    except ImportError:
        return None


def legend() -> Text:
    text = Text(end="")
    text.append(f"{OPENED_MARK} opened", style=OPENED_STYLE)
    text.append("   ")
    text.append(f"{RESOLVED_MARK} resolved", style=RESOLVED_STYLE)
    return text


def count_ticks(highest: int) -> list[int]:
    """Whole-number ticks from 0 past the highest count, at a round step (1, 2, 5, 10, 20…)."""
    step = 1
    while highest / step > Y_TICKS_AT_MOST - 1:
        for factor in (2, 2.5, 2):  # 1 → 2 → 5 → 10 → 20 → 50 …
            step = int(step * factor)
            if highest / step <= Y_TICKS_AT_MOST - 1:
                break
    top = -(-max(highest, 1) // step) * step
    return list(range(0, top + 1, step))


class WeekChart(Vertical):
    """A caption, then the chart once `show` is given the weeks (a note if it cannot be drawn)."""

    DEFAULT_CSS = """
    WeekChart { height: auto; }
    WeekChart > #week-chart-caption { height: 1; }
    WeekChart > PlotWidget { height: 12; }
    WeekChart > #week-chart-note { height: auto; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        caption = Text("Opened and resolved per week   ", style="bold", end="")
        yield Static(caption + legend(), id="week-chart-caption")

    async def show(self, weeks: Sequence[WeekBar]) -> None:
        plotting = load_plotting()  # already imported by the caller's thread: instant here
        await self.query("PlotWidget, #week-chart-note").remove()
        if plotting is None:
            await self.mount(Static("The chart needs the textual-plot package; the figures are below.", id="week-chart-note"))
            return
        plot = plotting.PlotWidget(allow_pan_and_zoom=False)
        plot.can_focus = False  # a picture, not a control: its keys would shadow the screen's
        await self.mount(plot)
        self._draw(plot, weeks)

    def _draw(self, plot, weeks: Sequence[WeekBar]) -> None:
        plot.margin_top = 0
        plot.margin_bottom = 1
        plot.margin_left = 5
        ticks = count_ticks(max([w.opened for w in weeks] + [w.resolved for w in weeks] + [0]))
        # A zero would still fill the bottom row, the same as a one: nothing is drawn for it.
        plot.bar([w.label for w in weeks], [_drawn(w.opened) for w in weeks], width=0.6, bar_style=OPENED_STYLE)
        positions = list(range(1, len(weeks) + 1))
        plot.scatter(positions, [_drawn(w.resolved) for w in weeks], marker=RESOLVED_MARK, marker_style=RESOLVED_STYLE)
        plot.set_xlimits(0.4, len(weeks) + 0.6)
        plot.set_ylimits(0, ticks[-1])
        plot.set_yticks(ticks)


def _drawn(count: int) -> float:
    return count if count else math.nan  # textual-plot leaves NaN points out
