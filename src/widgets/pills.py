"""The board's status pills, each with its live count; keys 1–6 or a click choose one."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from cache.model import Pill, Scope
from widgets.badges import pill_style

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


class PillButton(Static):
    DEFAULT_CSS = """
    PillButton { width: auto; height: 1; padding: 0 1; margin: 0 1 0 0; background: $boost; }
    PillButton:hover { background: $primary 40%; }
    PillButton.-active { background: $primary; color: $text; text-style: bold; }
    PillButton.-urgent { text-style: bold reverse; }
    PillButton.-active.-urgent { text-style: bold reverse; background: $primary; }
    """

    count: reactive[int | None] = reactive(None)

    def __init__(self, pill: Pill) -> None:
        super().__init__(id=f"pill-{pill.value}")
        self.pill = pill

    def render(self) -> Text:
        count = "…" if self.count is None else str(self.count)
        text = Text(f"{pill_key(self.pill)} ", style="dim")
        text.append(self.pill.label, style=pill_style(self.pill))
        text.append(f" {count}")
        return text

    def watch_count(self, count: int | None) -> None:
        # "Waiting on you" shouts when there is something waiting.
        self.set_class(self.pill is Pill.WAITING_ON_YOU and bool(count), "-urgent")

    def on_click(self) -> None:
        self.post_message(PillBar.Chosen(self.pill))


class ScopeToggle(Static):
    """Mine / Company, for users who see the company's tickets; click or `m` flips it."""

    DEFAULT_CSS = """
    ScopeToggle { width: auto; height: 1; padding: 0 1; background: $boost; dock: right; }
    ScopeToggle:hover { background: $primary 40%; }
    """

    scope = reactive(Scope.COMPANY)

    def render(self) -> Text:
        text = Text("m ", style="dim")
        for scope in Scope:
            chosen = scope is self.scope
            text.append(f"[{scope.value.capitalize()}]" if chosen else f" {scope.value.capitalize()} ", style="bold" if chosen else "dim")
        return text

    def on_click(self) -> None:
        self.post_message(PillBar.ScopeFlipped())


class PillBar(Horizontal):
    DEFAULT_CSS = """
    PillBar { height: 1; width: 1fr; }
    """

    class Chosen(Message):
        def __init__(self, pill: Pill) -> None:
            self.pill = pill
            super().__init__()

    class ScopeFlipped(Message):
        pass

    active = reactive(Pill.ALL)

    def __init__(self, *, with_scope: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.with_scope = with_scope

    def compose(self) -> ComposeResult:
        for pill in PILLS:
            yield PillButton(pill)
        if self.with_scope:
            yield ScopeToggle()

    def watch_active(self, active: Pill) -> None:
        for button in self.query(PillButton):
            button.set_class(button.pill is active, "-active")

    def set_counts(self, counts: dict[Pill, int]) -> None:
        for button in self.query(PillButton):
            button.count = counts.get(button.pill, 0)

    def set_scope(self, scope: Scope) -> None:
        for toggle in self.query(ScopeToggle):
            toggle.scope = scope
