"""The board's status pills, each with its live count; keys 1–6 or a click choose one."""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.color import Color
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from cache.model import Pill, Scope
from widgets.badges import pill_style
from widgets.colours import palette_for
from widgets.guarded import Guarded

PILLS: tuple[Pill, ...] = (
    Pill.ALL,
    Pill.OPEN,
    Pill.IN_PROGRESS,
    Pill.WAITING_ON_YOU,
    Pill.RESOLVED,
    Pill.CLOSED,
)


def pill_key(pill: Pill) -> str:
    return str(PILLS.index(pill) + 1)


class ScopeToggle(Guarded, Static):
    """Mine / Company, for users who see the company's tickets; click or `m` flips it."""

    DEFAULT_CSS = """
    ScopeToggle { width: auto; height: 1; padding: 0 1; color: $text; }
    ScopeToggle:hover { background: $primary 40%; }
    """

    scope = reactive(Scope.COMPANY, layout=True)

    def render(self) -> Text:
        text = Text.assemble(("m ", "dim"))
        for scope in Scope:
            chosen = scope is self.scope
            text.append(
                f"[{scope.value.capitalize()}]" if chosen else f" {scope.value.capitalize()} ",
                style="bold" if chosen else "dim",
            )
        return text

    class Flipped(Message):
        pass

    def on_click(self) -> None:
        self.post_message(self.Flipped())


class PillSpan(NamedTuple):
    """Where a pill is drawn in the bar: its row, first column and width (its padding included)."""

    pill: Pill
    x: int
    y: int
    width: int

    def holds(self, x: int, y: int) -> bool:
        return y == self.y and self.x <= x < self.x + self.width


class PillBar(Guarded, Widget):
    """One row of pills; on a terminal too narrow for that, two rows of three. One widget that
    draws all six (a widget each cost the board's first frame some 15 ms to style, lay out and
    paint, bench/launch.py); a pill's look is its component class's, as a widget's would be."""

    DEFAULT_CSS = """
    PillBar { height: 1; width: 1fr; }
    PillBar.-narrow { height: 2; }
    PillBar > .pill-bar--pill { background: $boost; }
    PillBar > .pill-bar--hover { background: $primary 40%; }
    PillBar > .pill-bar--active { background: $primary; color: $text; text-style: bold; }
    PillBar > .pill-bar--urgent { text-style: bold; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "pill-bar--pill",
        "pill-bar--hover",
        "pill-bar--active",
        "pill-bar--urgent",
    }
    ONE_ROW_WIDTH = 100
    COLUMNS = 3  # when narrow

    class Chosen(Message):
        def __init__(self, pill: Pill) -> None:
            self.pill = pill
            super().__init__()

    active = reactive(Pill.ALL)
    counts: reactive[dict[Pill, int] | None] = reactive(None, layout=True)
    _hovered: reactive[Pill | None] = reactive(None)

    def count(self, pill: Pill) -> int | None:
        """The pill's count as shown; None until counted ("…")."""
        return None if self.counts is None else self.counts.get(pill, 0)

    def set_counts(self, counts: dict[Pill, int]) -> None:
        self.counts = dict(counts)

    def on_mount(self) -> None:
        # In two rows or one from the first frame, by the width it will have: else it is laid out
        # in one row, then in two once Textual tells it its size, and the rows below move.
        self._fit(self.screen.size.width - self.styles.margin.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        self.set_class(width < self.ONE_ROW_WIDTH, "-narrow")

    def _label(self, pill: Pill) -> str:
        count = self.count(pill)
        return f"{pill_key(pill)} {pill.label} {'…' if count is None else count}"

    def spans(self) -> list[PillSpan]:
        """Each pill's place: in a row with a space between; narrow, a grid of three columns
        each as wide as its widest pill, a space between columns."""
        widths = [len(self._label(pill)) + 2 for pill in PILLS]
        if not self.has_class("-narrow"):
            starts = [sum(widths[:i]) + i for i in range(len(PILLS))]
            return [PillSpan(pill, x, 0, width) for pill, x, width in zip(PILLS, starts, widths, strict=True)]
        columns = [max(widths[i :: self.COLUMNS]) for i in range(self.COLUMNS)]
        starts = [sum(columns[:i]) + i for i in range(self.COLUMNS)]
        return [
            PillSpan(pill, starts[i % self.COLUMNS], i // self.COLUMNS, width)
            for i, (pill, width) in enumerate(zip(PILLS, widths, strict=True))
        ]

    def render(self) -> Text:
        rows = [Text(), Text()]
        for span in self.spans():
            row = rows[span.y]
            row.append(" " * (span.x - row.cell_len))
            row.append_text(self._pill_text(span.pill))
        return Text("\n").join(rows[: 2 if self.has_class("-narrow") else 1])

    def _pill_text(self, pill: Pill) -> Text:
        """ " 1 All 30 ": the key dim, the label in the status's colour, on the pill's background."""
        active = pill is self.active
        urgent = pill is Pill.WAITING_ON_YOU and bool(self.count(pill))
        names = ["pill-bar--pill"]
        if pill is self._hovered:
            names.append("pill-bar--hover")
        if active:
            names.append("pill-bar--active")
        if urgent:
            names.append("pill-bar--urgent")
        base = self._style_of(names)
        # Only the key is dim; on the chosen pill the label keeps the pill's own colours (the
        # status's may not read on $primary); "Waiting on you" is a chip only while something waits.
        plain = active or (pill is Pill.WAITING_ON_YOU and not urgent)
        label_style = base if plain else base + pill_style(pill, palette_for(self.app.current_theme))
        count = self.count(pill)
        return Text.assemble(
            (" ", base),
            (f"{pill_key(pill)} ", base + Style(dim=True)),
            (pill.label, label_style),
            (f" {'…' if count is None else count}", base),
            (" ", base),
        )

    def _style_of(self, names: list[str]) -> Style:
        """The pill's colours as Textual would paint a widget with these classes (the last
        one's rule wins): its background over the bar's, `auto` text against it."""
        under = self.background_colors[1]
        background, color, text_style = under, Color.from_rich_color(self.rich_style.color), Style()
        for name in names:
            styles = self.get_component_styles(name)
            if styles.has_rule("background"):
                background = under + styles.background
            if styles.has_rule("color"):
                color = styles.color
            if styles.has_rule("text_style"):
                text_style = styles.text_style
        if self.get_component_styles(names[-1]).auto_color:
            color = background.get_contrast_text(color.a)
        return Style(color=(background + color).rich_color, bgcolor=background.rich_color) + text_style

    def _pill_at(self, x: int, y: int) -> Pill | None:
        return next((span.pill for span in self.spans() if span.holds(x, y)), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hovered = self._pill_at(event.x, event.y)

    def on_leave(self) -> None:
        self._hovered = None

    def on_click(self, event: events.Click) -> None:
        pill = self._pill_at(event.x, event.y)
        if pill is not None:
            self.post_message(self.Chosen(pill))


def hidden_matches(counts: dict[Pill, int], pill: Pill) -> int:
    """How many of a search's matches the chosen pill leaves out (all of them are under All)."""
    return 0 if pill is Pill.ALL else max(0, counts.get(Pill.ALL, 0) - counts.get(pill, 0))


def more_under_all(hidden: int) -> str:
    return f"{hidden} more under All"


class MoreUnderAll(Static):
    """Under the table while a search has matches the chosen pill hides: "N more under All"."""

    _hidden = 0

    DEFAULT_CSS = """
    MoreUnderAll { display: none; height: 1; padding: 0 1; color: $text-muted; text-style: italic; }
    MoreUnderAll.-shown { display: block; }
    """

    def show_hidden(self, hidden: int) -> None:
        self.set_class(hidden > 0, "-shown")
        if hidden != self._hidden:  # a line of its own: the same words need no painting, nor a layout
            self._hidden = hidden
            self.update(f"… {more_under_all(hidden)}." if hidden else "", layout=False)
