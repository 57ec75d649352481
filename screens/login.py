"""A logged-out start: portal address, email and password, instead of failing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static, Switch

from widgets.guarded import Guarded
from widgets.key_bar import KeyBar
from widgets.plain import visible
from widgets.text_entry import TextInput


@dataclass(frozen=True)
class LoginDetails:
    portal_url: str
    email: str
    password: str = field(repr=False)  # a crash report must not print it
    insecure_storage: bool = False


class LoginRefused(Exception):
    """Why the login did not work, in a sentence; `field` is the input to fix, if one is."""

    def __init__(self, message: str, field: str | None = None, *, offer_insecure_storage: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.offer_insecure_storage = offer_insecure_storage


class LoginScreen(Guarded, Screen[None]):
    CSS_PATH = "login.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "log_in", "Log in", priority=True)]

    def __init__(
        self, attempt: Callable[[LoginDetails], Awaitable[None]], *, portal_url: str = "", email: str = ""
    ) -> None:
        super().__init__()
        self.attempt = attempt
        self._portal_url = portal_url
        self._email = email

    def compose(self) -> ComposeResult:
        with Vertical(id="login"):
            yield Static("Log in to your MSP's portal", id="login-title")
            yield Label("Portal address")
            yield TextInput(self._portal_url, placeholder="https://portal.example.com", id="portal_url")
            yield Label("Email")
            yield TextInput(self._email, placeholder="you@example.com", id="email")
            yield Label("Password")
            yield Input(placeholder="password", password=True, id="password")
            with Horizontal(id="insecure-row"):
                yield Switch(False, id="insecure_storage")
                yield Label("Keep the token in a file only you can read")
            yield Static("", id="login-problem", classes="problem")
            yield Button("Log in", variant="primary", id="log-in")
        yield KeyBar()

    def on_mount(self) -> None:
        empty = next((i for i in self.query(Input) if not i.value), None)
        (empty or self.query_one("#password", Input)).focus()

    def _details(self) -> LoginDetails:
        return LoginDetails(
            portal_url=self.query_one("#portal_url", Input).value.strip(),
            email=self.query_one("#email", Input).value.strip(),
            password=self.query_one("#password", Input).value,
            insecure_storage=self.query_one("#insecure_storage", Switch).value,
        )

    @on(Button.Pressed, "#log-in")
    @on(Input.Submitted)
    def action_log_in(self) -> None:
        details = self._details()
        for name, value in (
            ("portal_url", details.portal_url),
            ("email", details.email),
            ("password", details.password),
        ):
            if not value:
                label = {"portal_url": "portal address", "email": "email", "password": "password"}[name]
                self._refused(LoginRefused(f"Enter your {label}.", name))
                return
        self._log_in(details)

    @work(exclusive=True, group="login", name="logging in", exit_on_error=False)
    async def _log_in(self, details: LoginDetails) -> None:
        problem = self.query_one("#login-problem", Static)
        problem.update(Text("Logging in…"))
        try:
            await self.attempt(details)
        except LoginRefused as refusal:
            self._refused(refusal)

    def _refused(self, refusal: LoginRefused) -> None:
        self.query_one("#login-problem", Static).update(Text(visible(str(refusal))))
        if refusal.offer_insecure_storage:
            self.query_one("#insecure-row").add_class("-shown")
        if refusal.field:
            self.query_one(f"#{refusal.field}").focus()
