"""The board's status pills, each with its live count; keys 1–6 or a click choose one."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
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


class PillButton(Guarded, Static):
    DEFAULT_CSS = """
    PillButton { width: auto; height: 1; padding: 0 1; margin: 0 1 0 0; background: $boost; }
    PillButton:hover { background: $primary 40%; }
    PillButton.-active { background: $primary; color: $text; text-style: bold; }
    PillButton.-urgent { text-style: bold; }
    """

    count: reactive[int | None] = reactive(None, layout=True)

    def __init__(self, pill: Pill) -> None:
        super().__init__(id=f"pill-{pill.value}")
        self.pill = pill

    def render(self) -> Text:
        count = "…" if self.count is None else str(self.count)
        # Only the key is dim (`Text(..., style=)` would dim the whole pill, its label too).
        return Text.assemble((f"{pill_key(self.pill)} ", "dim"), (self.pill.label, self._label_style()), f" {count}")

    def _label_style(self) -> Style:
        """The status's colour; on the chosen pill the pill's own colours (the status's may not
        read on $primary); "Waiting on you" is a chip only while something is waiting."""
        if self.has_class("-active"):
            return Style()
        if self.pill is Pill.WAITING_ON_YOU and not self.has_class("-urgent"):
            return Style()
        return pill_style(self.pill, palette_for(self.app.current_theme))

    def watch_count(self, count: int | None) -> None:
        # "Waiting on you" shouts when there is something waiting.
        self.set_class(self.pill is Pill.WAITING_ON_YOU and bool(count), "-urgent")
        self.refresh()

    def on_click(self) -> None:
        self.post_message(PillBar.Chosen(self.pill))


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


class PillBar(Guarded, Horizontal):
    """One row of pills; on a terminal too narrow for that, two rows of three."""

    DEFAULT_CSS = """
    PillBar { height: 1; width: 1fr; }
    PillBar.-narrow { layout: grid; grid-size: 3 2; grid-columns: auto auto auto; grid-gutter: 0 1; height: 2; }
    PillBar.-narrow PillButton { margin: 0; }
    """
    ONE_ROW_WIDTH = 100

    class Chosen(Message):
        def __init__(self, pill: Pill) -> None:
            self.pill = pill
            super().__init__()

    active = reactive(Pill.ALL)

    def compose(self) -> ComposeResult:
        for pill in PILLS:
            yield PillButton(pill)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < self.ONE_ROW_WIDTH, "-narrow")

    def watch_active(self, active: Pill) -> None:
        for button in self.query(PillButton):
            button.set_class(button.pill is active, "-active")
            button.refresh()

    def set_counts(self, counts: dict[Pill, int]) -> None:
        for button in self.query(PillButton):
            button.count = counts.get(button.pill, 0)


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
