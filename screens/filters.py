"""`f` on the board: narrow the tickets by status, priority and category, as the CLI's
`--status`, `--priority` and `--category` do. A status with a pill picks that pill; "Waiting on
vendor", which has none, becomes a filter of its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from cache.views import filter_words
from portal.vocabulary import CATEGORY_LABELS, PRIORITY_LABELS, STATUS_LABELS, Category, Priority, Status
from widgets.choice import ChoiceField
from widgets.guarded import Guarded
from widgets.key_bar import KeyBar


@dataclass(frozen=True)
class Filters:
    status: Status | None = None
    priority: Priority | None = None
    category: Category | None = None

    def in_words(self) -> str:
        """ "Priority High · Category Hardware", or "" with none."""
        return " · ".join(filter_words(self.status, self.priority, self.category))


# (the filter's field, its label, the choice meaning "any", its labels)
_CHOICES: tuple[tuple[str, str, str, dict], ...] = (
    ("status", "Status", "Any status", STATUS_LABELS),
    ("priority", "Priority", "Any priority", PRIORITY_LABELS),
    ("category", "Category", "Any category", CATEGORY_LABELS),
)


class FilterScreen(Guarded, ModalScreen[Filters | None]):
    """Dismissed with the filters chosen (ctrl+s, enter or Apply; Clear all: none), None on esc."""

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Apply filters", priority=True, id="filter.apply"),
        Binding("escape", "cancel", "Cancel", id="filter.cancel"),
    ]

    def __init__(self, filters: Filters) -> None:
        super().__init__()
        self.filters = filters

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="filter"):
            yield Static("Filter the tickets", classes="dialog-title")
            yield Static("type to choose (or ←/→) · tab the next · enter or ctrl+s applies · esc cancels")
            for field, label, anything, labels in _CHOICES:
                with Horizontal(classes="filter-row"):
                    yield Label(label)
                    yield ChoiceField(
                        [(anything, None), *((text, value) for value, text in labels.items())],
                        getattr(self.filters, field),
                        id=f"filter-{field}",
                    )
            with Horizontal(id="careful-buttons"):
                yield Button("Apply", id="apply", variant="primary")
                yield Button("Clear all", id="clear")
                yield Button("Cancel", id="cancel")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#filter-status", ChoiceField).focus()

    def chosen(self) -> Filters:
        return Filters(**{field: self.query_one(f"#filter-{field}", ChoiceField).value for field, *_ in _CHOICES})

    def on_key(self, event: events.Key) -> None:
        """enter on a choice applies (on a button, the button's own)."""
        if event.key == "enter" and isinstance(self.focused, ChoiceField):
            event.stop()
            self.action_apply()

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        self.dismiss(self.chosen())

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        self.dismiss(Filters())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
