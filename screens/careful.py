"""Asking once before an action that changes a ticket's state on the portal: confirming that a
ticket is resolved (it closes), reopening one (with an optional reason, posted as a comment)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from widgets.guarded import Guarded
from widgets.key_bar import KeyBar
from widgets.text_entry import LongTextInput


class ConfirmResolvedScreen(Guarded, ModalScreen[bool]):
    """Dismissed with True for yes (y, enter, the button), False for no (n, esc)."""

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="careful.yes"),
        Binding("n,escape", "answer(False)", "No", id="careful.no"),
    ]

    def __init__(self, ticket_name: str) -> None:
        super().__init__()
        self.ticket_name = ticket_name  # already made visible

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-resolved"):
            yield Static(f"Confirm that {self.ticket_name} is resolved?", classes="dialog-title")
            yield Static("Your MSP closes it; you can rate it then. y yes · n or esc no")
            with Horizontal(id="careful-buttons"):
                yield Button("Yes, close it", id="yes", variant="primary")
                yield Button("No", id="no")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ReopenScreen(Guarded, ModalScreen[str | None]):
    """Dismissed with the reason (\"\" for none) on enter, None on esc (not reopened)."""

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Don't reopen", id="careful.cancel")]

    def __init__(self, ticket_name: str) -> None:
        super().__init__()
        self.ticket_name = ticket_name  # already made visible

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="reopen"):
            yield Static(f"Reopen {self.ticket_name}?", classes="dialog-title")
            yield Static("Why, if you like (posted as a comment) — enter reopens, esc does not.")
            yield LongTextInput(placeholder="The reason (optional; ctrl+e for your editor)", id="reopen-reason")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#reopen-reason", Input).focus()

    @on(Input.Submitted, "#reopen-reason")
    def _reopen(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
