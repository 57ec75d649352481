"""`:` or `#`: a small prompt that names a ticket by its number or its PSA id."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from widgets.guarded import Guarded
from widgets.key_bar import KeyBar
from widgets.text_entry import TextInput


class GoToScreen(Guarded, ModalScreen[str | None]):
    """Dismissed with what was typed (stripped; None when left empty or cancelled)."""

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="go_to.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="go-to"):
            yield Static("Go to ticket — its number (143, #143) or PSA id (ACM-1143)", classes="dialog-title")
            yield TextInput(placeholder="143", id="go-to-reference")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#go-to-reference", Input).focus()

    @on(Input.Submitted, "#go-to-reference")
    def _chosen(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
