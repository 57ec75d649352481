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
from screens.go_to import GoToScreen
from screens.new_ticket import NewTicketScreen
from screens.rating import RatingScreen
from widgets.badges import MARK_CHANGED, MARK_WAITING
from widgets.guarded import Guarded
from widgets.scroll_keys import SCROLL_BINDINGS, KeyedScroll
from widgets.ticket_table import TicketTable

MARKER_LEGEND = (
    (MARK_CHANGED, "the MSP changed it since you last opened it (a lists what changed)"),
    (MARK_WAITING, "waiting on you"),
    ("✗", "the portal refused something you wrote: it needs attention"),
    (f"{MARK_WAITING}{MARK_CHANGED}", f"both: {MARK_WAITING} (or ✗) first, then {MARK_CHANGED}"),
)
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
            ("Confirm resolved?", _bindings(ConfirmResolvedScreen.BINDINGS)),
            ("Reopen?", _bindings(ReopenScreen.BINDINGS)),
            ("Activity (a)", _bindings(ActivityScreen.BINDINGS)),
            ("New ticket", _bindings(NewTicketScreen.BINDINGS)),
            ("Comment", _bindings(CommentScreen.BINDINGS)),
            ("Rating", _bindings(RatingScreen.BINDINGS)),
        ]

    def compose(self) -> ComposeResult:
        with KeyedScroll(classes="dialog", id="help"):
            yield Static(
                Text("Keys — the mouse works too: click pills, rows, column headings and buttons", style="bold")
            )
            yield Static(self._table())

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for title, bindings in self.sections:
            table.add_row("")
            table.add_row(Text(title, style="bold underline"), "")
            for binding in bindings:
                table.add_row(key_names(key_in_force(binding, self.keymap)), binding.tooltip or binding.description)
        table.add_row("")
        table.add_row(Text("Markers on the board", style="bold underline"), "")
        for mark, meaning in MARKER_LEGEND:
            table.add_row(mark, meaning)
        return table
