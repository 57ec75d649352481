"""Add a comment to a ticket: a text area, its problem shown as typed, ctrl+s sends."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from portal.vocabulary import comment_problem
from screens.common import Services
from screens.drafts import DraftKeeper
from screens.writes import write_then
from widgets.guarded import Guarded
from widgets.key_bar import KeyBar
from widgets.text_entry_area import TextEntryArea


def draft_name(ticket_id: int) -> str:
    return f"comment:{ticket_id}"


class CommentScreen(Guarded, ModalScreen[int | None]):
    """Dismissed with the new (pending) event id, or None when the user backs out."""

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send comment", priority=True),
        Binding("escape", "cancel", "Back (keeps the draft)"),
    ]

    def __init__(self, services: Services, ticket_id: int, saved: dict[str, str]) -> None:
        """`saved`: the draft as read before the dialog opens (see `drafts.open_with_draft`)."""
        super().__init__()
        self.services = services
        self.ticket_id = ticket_id
        self.draft = DraftKeeper(self, services.files, draft_name(ticket_id), self._fields, saved)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                f"Comment on ticket {'(new)' if self.ticket_id < 0 else '#' + str(self.ticket_id)}",
                classes="dialog-title",
            )
            yield TextEntryArea(self.draft.load().get("body", ""), id="body", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="body-problem", classes="problem")
        yield KeyBar()

    def _fields(self) -> dict[str, str]:
        return {"body": self.query_one("#body", TextArea).text}

    def on_mount(self) -> None:
        self.query_one("#body", TextArea).focus()

    @on(TextArea.Changed, "#body")
    def _typed(self) -> None:
        self.draft.changed()
        self.query_one("#body-problem", Static).update("")

    def action_send(self) -> None:
        body = self._fields()["body"]
        problem = comment_problem(body)
        if problem:
            self.query_one("#body-problem", Static).update(Text(f"The comment {problem}."))
            return
        ticket_id, mirror, name = self.ticket_id, self.services.mirror, self.draft.name
        self.draft.forget()  # the comment removes the draft in its own transaction
        write_then(
            self,
            self.services,
            lambda: mirror.outbox.add_comment(ticket_id, body.strip(), replacing_draft=name),
            self.dismiss,
            what="sending the comment",
            not_done=self.draft.resume,
        )

    def action_cancel(self) -> None:
        self.draft.save_now()
        self.dismiss(None)
