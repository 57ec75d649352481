"""`?`: every key, grouped by where it works, read from the bindings themselves, with the keys
the config file's [keymap] moved them to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Static

from screens.activity import ActivityScreen
from screens.board import BoardScreen
from screens.careful import ConfirmResolvedScreen, ReopenScreen
from screens.comment import CommentScreen
from screens.detail import DetailScreen
from screens.filters import FilterScreen
from screens.go_to import GoToScreen
from screens.new_ticket import NewTicketScreen
from screens.rating import RatingScreen
from screens.views import SaveViewScreen, ViewsScreen
from widgets.badges import MARK_CHANGED, MARK_WAITING, WAITING_ON_YOU
from widgets.choice import ChoiceField
from widgets.guarded import Guarded
from widgets.key_bar import KeyBar
from widgets.scroll_keys import SCROLL_BINDINGS, KeyedScroll
from widgets.text_entry import EDITOR_BINDING
from widgets.ticket_table import TicketTable

MARKER_LEGEND = (
    (MARK_CHANGED, "the MSP changed it since you last opened it (a lists what changed)"),
    (MARK_WAITING, WAITING_ON_YOU.lower()),
    ("✗", "the portal refused something you wrote: it needs attention"),
    (f"{MARK_WAITING}{MARK_CHANGED}", f"both: {MARK_WAITING} (or ✗) first, then {MARK_CHANGED}"),
)
# Keys a screen reads itself rather than through a binding (positional, like the pills' digits).
KEYS_WITHOUT_BINDINGS = {
    "Filter (f)": [
        ("letters", "jump to the choice with a word starting so (ven: Waiting on vendor)"),
        ("tab", "the next field"),
        ("⏎", "apply (as ctrl+s)"),
    ],
    "Save view (V)": [("⏎", "save under the name typed (a name in use: asks first)")],
    "Views (v)": [("1–9, enter", "recall that view (its number, or the highlighted one)")],
}
NAMED_KEYS = {"escape": "esc", "pageup": "pgup", "pagedown": "pgdn"}


def key_names(keys: str) -> str:
    return ", ".join(NAMED_KEYS.get(key, format_key(key)) for key in keys.split(","))


def _bindings(bindings: Iterable[BindingType]) -> list[Binding]:
    return [b for b in bindings if isinstance(b, Binding) and b.description]


def key_in_force(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The keys of `binding` after the keymap: the keymap's, when it names the binding's id."""
    return keymap.get(binding.id, binding.key) if binding.id else binding.key


class HelpScreen(Guarded, ModalScreen[None]):
    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close")
    ]

    def __init__(self, everywhere: Iterable[BindingType], keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.keymap = dict(keymap or {})
        self.sections: list[tuple[str, list[Binding]]] = [
            ("Everywhere", _bindings(everywhere)),
            ("Board", _bindings(BoardScreen.BINDINGS)),
            ("Ticket table", _bindings(TicketTable.BINDINGS)),
            ("Ticket detail", _bindings(DetailScreen.BINDINGS)),
            ("Scrolling", _bindings(SCROLL_BINDINGS)),
            ("Go to ticket", _bindings(GoToScreen.BINDINGS)),
            ("Filter (f)", _bindings(FilterScreen.BINDINGS) + _bindings(ChoiceField.BINDINGS)),
            ("Save view (V)", _bindings(SaveViewScreen.BINDINGS)),
            ("Views (v)", _bindings(ViewsScreen.BINDINGS)),
            ("Confirm resolved?", _bindings(ConfirmResolvedScreen.BINDINGS)),
            ("Reopen?", _bindings(ReopenScreen.BINDINGS)),
            ("Activity (a)", _bindings(ActivityScreen.BINDINGS)),
            ("New ticket", _bindings(NewTicketScreen.BINDINGS)),
            ("Comment", _bindings(CommentScreen.BINDINGS)),
            ("Comment, description, reason", [EDITOR_BINDING]),
            ("Rating", _bindings(RatingScreen.BINDINGS)),
        ]

    def compose(self) -> ComposeResult:
        with KeyedScroll(classes="dialog", id="help"):
            yield Static(
                Text("Keys — the mouse works too: click pills, rows, column headings and buttons", style="bold")
            )
            yield Static(self._table())
        yield KeyBar()

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for title, bindings in self.sections:
            table.add_row("")
            table.add_row(Text(title, style="bold underline"), "")
            for binding in bindings:
                table.add_row(key_names(key_in_force(binding, self.keymap)), binding.tooltip or binding.description)
            for keys, meaning in KEYS_WITHOUT_BINDINGS.get(title, ()):
                table.add_row(keys, meaning)
        table.add_row("")
        table.add_row(Text("Markers on the board", style="bold underline"), "")
        for mark, meaning in MARKER_LEGEND:
            table.add_row(mark, meaning)
        return table
