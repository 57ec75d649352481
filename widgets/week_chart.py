"""Tickets opened and resolved per week, as a bar chart drawn with `textual-plot`.

textual-plot brings numpy, which takes longer to import than the rest of the app, and only this
chart needs it: nothing here imports it until `load_plotting()` is called (from a thread, by the
screen that is about to show a chart), so the board opens as fast as before.

Opened weeks are bars and resolved weeks are markers on them: the two series differ in shape, not
only in colour, so the chart reads the same under NO_COLOR.
"""

from __future__ import annotations

import importlib
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


@dataclass(frozen=True)
class WeekBar:
    label: str  # "W48": short enough for 12 weeks across 80 columns
    opened: int
    resolved: int


def load_plotting() -> ModuleType | None:
    """Import the plot (textual-plot and numpy); None when it cannot be loaded, so the caller can
    say so. Slow the first time: call it off the event loop."""
    try:
        return importlib.import_module("widgets.week_plot")
    except ImportError:
        return None


def legend() -> Text:
    text = Text(end="")
    text.append(f"{OPENED_MARK} opened", style=OPENED_STYLE)
    text.append("   ")
    text.append(f"{RESOLVED_MARK} resolved", style=RESOLVED_STYLE)
    return text


class WeekChart(Vertical):
    """A caption, then the chart once `show` is given the weeks (a note if it cannot be drawn)."""

    DEFAULT_CSS = """
    WeekChart { height: auto; }
    WeekChart > #week-chart-caption { height: 1; }
    WeekChart > WeekPlot { height: 12; }
    WeekChart > #week-chart-note { height: auto; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        caption = Text("Opened and resolved per week   ", style="bold", end="")
        yield Static(caption + legend(), id="week-chart-caption")

    async def show(self, weeks: Sequence[WeekBar]) -> None:
        plotting = load_plotting()  # already imported by the caller's thread: instant here
        await self.query("WeekPlot, #week-chart-note").remove()
        if plotting is None:
            await self.mount(
                Static("The chart needs the textual-plot package; the figures are below.", id="week-chart-note")
            )
            return
        plot = plotting.WeekPlot()
        await self.mount(plot)
        plot.draw(
            [w.label for w in weeks],
            [w.opened for w in weeks],
            OPENED_STYLE,
            [w.resolved for w in weeks],
            RESOLVED_MARK,
            RESOLVED_STYLE,
        )
