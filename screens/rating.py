"""Rate a resolved or closed ticket: 1–5 stars and an optional comment."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from portal.vocabulary import RATING_COMMENT_MAX_LENGTH
from screens.common import Services
from screens.writes import write_then
from widgets.guarded import Guarded
from widgets.key_bar import KeyBar
from widgets.text_entry import TextInput
from widgets.timeline import stars


class RatingScreen(Guarded, ModalScreen[bool]):
    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"score({n})", f"{n} star{'s' if n > 1 else ''}", show=False) for n in range(1, 6)),
        Binding("ctrl+s", "send", "Send rating", priority=True),
        Binding("escape", "cancel", "Back"),
    ]

    score: reactive[int | None] = reactive(None)

    def __init__(self, services: Services, ticket_id: int, current: int | None) -> None:
        super().__init__()
        self.services = services
        self.ticket_id = ticket_id
        self._initial = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Rate the service on ticket #{self.ticket_id}", classes="dialog-title")
            yield Static("", id="stars")
            with Horizontal(id="score-buttons"):
                for n in range(1, 6):
                    yield Button(f"{n} ★", id=f"score-{n}", compact=True)
            yield Label("Comment (optional)")
            yield TextInput(
                placeholder="What went well, what could be better",
                id="rating-comment",
                max_length=RATING_COMMENT_MAX_LENGTH,
            )
            yield Static("", id="score-problem", classes="problem")
        yield KeyBar()

    def on_mount(self) -> None:
        self.score = self._initial
        if self._initial is not None:
            self.query_one(f"#score-{self._initial}", Button).focus()

    def watch_score(self, score: int | None) -> None:
        shown = f"{stars(score)}  {score}/5" if score else "Press 1–5 or click a score."
        self.query_one("#stars", Static).update(shown)
        self.query_one("#score-problem", Static).update("")
        # The chosen score is the one that stands out, not whichever button has the focus.
        for button in self.query("#score-buttons Button").results(Button):
            button.variant = "primary" if button.id == f"score-{score}" else "default"

    def action_score(self, score: int) -> None:
        self.score = score
        # The focus follows a score chosen by key, so the highlighted button is the chosen one.
        self.query_one(f"#score-{score}", Button).focus()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        self.score = int(str(event.button.id).removeprefix("score-"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Digits typed into the comment are text, not a score.
        if action == "score" and self.query_one("#rating-comment", Input).has_focus:
            return False
        return True

    @on(Input.Submitted, "#rating-comment")
    def action_send(self) -> None:
        if self.score is None:
            self.query_one("#score-problem", Static).update("Choose a score from 1 to 5 first.")
            return
        comment = self.query_one("#rating-comment", Input).value.strip() or None
        score, ticket_id = self.score, self.ticket_id
        mirror = self.services.mirror
        write_then(
            self,
            self.services,
            lambda: mirror.outbox.rate(ticket_id, score, comment),
            lambda _: self.dismiss(True),
            what="sending the rating",
        )

    def action_cancel(self) -> None:
        self.dismiss(False)
