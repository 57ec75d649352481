"""The week chart's plot: textual-plot's PlotWidget, drawn with opened bars and resolved markers.

Importing this module imports textual-plot and numpy (slow): `widgets.week_chart` loads it only
when a chart is about to be shown, from a thread.

Under NO_COLOR Textual passes every line through its Monochrome filter, which fails on a segment
without a style; textual-hires-canvas 0.14 paints such a segment for each line outside its buffer
(the first frames, before the canvas is sized). The canvases here give those lines the canvas's
own style, and the plot is composed of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.segment import Segment
from textual.app import ComposeResult
from textual.containers import Grid
from textual.strip import Strip
from textual_hires_canvas import Canvas
from textual_plot import PlotWidget
from textual_plot.plot_widget import Legend

Y_TICKS_AT_MOST = 5


class StyledCanvas(Canvas):
    """A canvas whose every segment carries a style."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if all(segment.style is not None for segment in strip):
            return strip
        base = self.rich_style
        return Strip([Segment(text, style or base, control) for text, style, control in strip], strip.cell_length)


class WeekPlot(PlotWidget):
    """Counts per week: bars for one series, markers for the other (shapes, not only colours)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(allow_pan_and_zoom=False, **kwargs)
        self.can_focus = False  # a picture, not a control: its keys would shadow the screen's

    def compose(self) -> ComposeResult:
        # PlotWidget's own layout, with canvases that are safe under NO_COLOR (see above).
        with Grid():
            yield StyledCanvas(1, 1, id="margin-top")
            yield StyledCanvas(1, 1, id="margin-left")
            yield StyledCanvas(1, 1, id="plot")
            yield StyledCanvas(1, 1, id="margin-bottom")
        yield Legend(id="legend")

    def draw(
        self,
        labels: Sequence[str],
        bars: Sequence[int],
        bar_style: str,
        marks: Sequence[int],
        mark: str,
        mark_style: str,
    ) -> None:
        self.margin_top = 0
        self.margin_bottom = 1
        self.margin_left = 5
        ticks = count_ticks(max([*bars, *marks, 0]))
        # A zero would still fill the bottom row, the same as a one: nothing is drawn for it.
        self.bar(list(labels), [_drawn(n) for n in bars], width=0.6, bar_style=bar_style)
        self.scatter(list(range(1, len(marks) + 1)), [_drawn(n) for n in marks], marker=mark, marker_style=mark_style)
        self.set_xlimits(0.4, len(labels) + 0.6)
        self.set_ylimits(0, ticks[-1])
        self.set_yticks(ticks)


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


def _drawn(count: int) -> float:
    return count if count else math.nan  # textual-plot leaves NaN points out
