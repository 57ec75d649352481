"""Saved views on the board: `V` ("Save view…") names the board as it is now, `v` lists the
views to recall one (a digit, or enter on the highlighted one). The board reads and writes them
through its `ViewShelf` (the config file), off the event loop."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cache.views import View, check_view_name
from widgets.guarded import Guarded
from widgets.key_bar import KeyBar
from widgets.plain import visible
from widgets.text_entry import TextInput

DIGITS = "123456789"


def _quoted(name: str) -> str:
    return f"“{visible(name, one_line=True)}”"


class SaveViewScreen(Guarded, ModalScreen[str | None]):
    """Asks the name; dismissed with it (checked, and a view of that name confirmed to be
    replaced), None on esc. A name that cannot be used says why, and what was typed stays."""

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Don't save", id="save_view.cancel")]

    def __init__(self, view: View, known: set[str]) -> None:
        super().__init__()
        self.view = view
        self.known = known
        self._replacing: str | None = None  # the existing name a second enter replaces

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="save-view"):
            yield Static("Save view — the board as it is now, under a name", classes="dialog-title")
            yield Static(Text(visible(self.view.in_words(), one_line=True), style="italic"))
            yield TextInput(placeholder="A name, such as urgent — enter saves, esc does not", id="view-name")
            yield Static("", id="view-name-problem", classes="problem")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#view-name", Input).focus()

    def _problem(self, sentence: str) -> None:
        self.query_one("#view-name-problem", Static).update(Text(sentence))

    @on(Input.Changed, "#view-name")
    def _typed(self) -> None:
        self._replacing = None
        self._problem("")

    @on(Input.Submitted, "#view-name")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            name = check_view_name(event.value)
        except ValueError as error:
            self._problem(str(error))
            return
        if name in self.known and name != self._replacing:
            self._replacing = name
            self._problem(
                f"There is a view {_quoted(name)} already: enter again replaces it, "
                "another name keeps both, esc saves nothing."
            )
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ViewsScreen(Guarded, ModalScreen[str | None]):
    """The saved views, numbered: dismissed with the name chosen (its digit, or enter on it),
    None on esc."""

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="views.close"),
    ]

    def __init__(self, views: dict[str, View]) -> None:
        super().__init__()
        self.names = list(views)
        self.views = views

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="views"):
            yield Static("Views — a digit or enter recalls one · esc closes", classes="dialog-title")
            yield OptionList(*(self._option(n, name) for n, name in enumerate(self.names)), id="view-list")
        yield KeyBar()

    def _option(self, index: int, name: str) -> Option:
        key = DIGITS[index] if index < len(DIGITS) else " "
        words = visible(self.views[name].in_words(), one_line=True)
        return Option(Text.assemble((f"{key} ", "dim"), (visible(name, one_line=True), "bold"), f"  {words}"))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        """1–9: the view of that number (positional, like the pills' digits)."""
        if event.character and event.character in DIGITS:
            event.stop()
            index = DIGITS.index(event.character)
            if index < len(self.names):
                self.dismiss(self.names[index])

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.names[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
