"""The new-ticket form: subject (with a live count to 500), category, priority, description.

Each problem shows beside its field as the user types, with the same rules the portal applies
(`portal.schema`). The draft is saved as they type; submitting queues the ticket in the outbox
and the screen is dismissed with its pending id, so its detail opens at once.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from portal.schema import TicketCreate
from portal.vocabulary import (
    CATEGORY_LABELS,
    PRIORITY_LABELS,
    PRIORITY_USE_WHEN,
    SUBJECT_MAX_LENGTH,
    Category,
    Priority,
    description_problem,
    subject_problem,
)
from screens.common import Services
from screens.drafts import DraftKeeper
from screens.writes import write_then
from widgets.guarded import Guarded
from widgets.key_bar import KeyBar
from widgets.text_entry import TextInput
from widgets.text_entry_area import TextEntryArea

DRAFT_NAME = "new-ticket"
CATEGORY_CHOICES = [(CATEGORY_LABELS[c], c.value) for c in Category]
PRIORITY_CHOICES = [(PRIORITY_LABELS[p], p.value) for p in Priority]
CRITICAL_WARNING = " Mark tickets as Critical only for genuine emergencies."


def _valid(saved: str | None, choices: type[Category] | type[Priority], default: Category | Priority) -> str:
    """A saved choice if it is still one of the choices, else the default."""
    return saved if saved in {c.value for c in choices} else default.value


class NewTicketScreen(Guarded, Screen[int | None]):
    CSS_PATH = "new_ticket.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Submit ticket", priority=True),
        Binding("escape", "cancel", "Back (keeps the draft)"),
    ]

    def __init__(self, services: Services, saved: dict[str, str]) -> None:
        """`saved`: the draft as read before the form opens (see `drafts.open_with_draft`)."""
        super().__init__()
        self.services = services
        self.draft = DraftKeeper(self, services.files, DRAFT_NAME, self._fields, saved)
        self._touched: set[str] = set()

    def compose(self) -> ComposeResult:
        saved = self.draft.load()
        with VerticalScroll(id="form"):
            yield Static("New ticket", id="form-title")
            with Horizontal(classes="field-label"):
                yield Label("Subject", classes="label")
                yield Static("", id="subject-count", classes="count")
            yield TextInput(saved.get("subject", ""), placeholder="A concise description of the issue", id="subject")
            yield Static("", id="subject-problem", classes="problem")
            with Horizontal(id="choices"):
                with Vertical():
                    yield Label("Category", classes="label")
                    yield Select(
                        CATEGORY_CHOICES,
                        value=_valid(saved.get("category"), Category, Category.GENERAL),
                        allow_blank=False,
                        id="category",
                    )
                with Vertical():
                    yield Label("Priority", classes="label")
                    yield Select(
                        PRIORITY_CHOICES,
                        value=_valid(saved.get("priority"), Priority, Priority.MEDIUM),
                        allow_blank=False,
                        id="priority",
                    )
                    yield Static("", id="priority-hint", classes="hint")
            yield Label("Description", classes="label")
            yield Static("Error messages verbatim, steps to reproduce, the devices and users affected.", classes="hint")
            yield TextEntryArea(saved.get("description", ""), id="description", soft_wrap=True)
            yield Static("", id="description-problem", classes="problem")
            with Horizontal(id="buttons"):
                yield Button("Submit ticket", variant="primary", id="submit")
                yield Button("Back", id="cancel")
        yield KeyBar()

    def on_mount(self) -> None:
        self._touched = {name for name, value in self.draft.load().items() if value.strip()}
        self._check()
        self.query_one("#subject", Input).focus()

    def _fields(self) -> dict[str, str]:
        return {
            "subject": self.query_one("#subject", Input).value,
            "category": str(self.query_one("#category", Select).value),
            "priority": str(self.query_one("#priority", Select).value),
            "description": self.query_one("#description", TextArea).text,
        }

    def _problems(self) -> dict[str, str | None]:
        fields = self._fields()
        return {
            "subject": subject_problem(fields["subject"]),
            "description": description_problem(fields["description"]),
        }

    def _check(self, *, all_fields: bool = False) -> bool:
        """Show each problem beside its field (only once the field was typed in, unless
        `all_fields`); True when there is none."""
        problems = self._problems()
        for name, problem in problems.items():
            shown = problem and (all_fields or name in self._touched)
            self.query_one(f"#{name}-problem", Static).update(Text(f"The {name} {problem}." if shown else ""))
            self.query_one(f"#{name}").set_class(bool(shown), "-invalid")
        priority = Priority(self._fields()["priority"])
        hint = PRIORITY_USE_WHEN[priority] + (CRITICAL_WARNING if priority is Priority.CRITICAL else "")
        self.query_one("#priority-hint", Static).update(Text(hint))
        length = len(self.query_one("#subject", Input).value)
        count = self.query_one("#subject-count", Static)
        count.update(Text(f"{length}/{SUBJECT_MAX_LENGTH}"))
        count.set_class(length > SUBJECT_MAX_LENGTH, "-over")
        return not any(problems.values())

    @on(Input.Changed, "#subject")
    @on(TextArea.Changed, "#description")
    @on(Select.Changed)
    def _typed(self, event: Input.Changed | TextArea.Changed | Select.Changed) -> None:
        if event.control.id:
            self._touched.add(event.control.id)
        self._check()
        self.draft.changed()

    @on(Button.Pressed, "#submit")
    @on(Input.Submitted, "#subject")
    def action_submit(self) -> None:
        if not self._check(all_fields=True):
            self.notify("The ticket was not submitted: fix the fields marked in red.", severity="error")
            return
        fields = self._fields()
        draft = TicketCreate(
            subject=fields["subject"],
            category=Category(fields["category"]),
            priority=Priority(fields["priority"]),
            description=fields["description"],
        )
        self.draft.forget()  # the submit removes the draft in its own transaction
        mirror = self.services.mirror
        write_then(
            self,
            self.services,
            lambda: mirror.outbox.submit_ticket(draft, replacing_draft=DRAFT_NAME),
            self.dismiss,
            what="submitting the ticket",
            not_done=self.draft.resume,
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.draft.save_now()
        self.dismiss(None)
