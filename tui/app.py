"""The app shell: the board first, sync in a worker on the portal's cadence, notifications,
the status line, help, the command palette and the login screen for a logged-out start."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timezone
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer

from cache.model import SyncResult, TicketChange
from cache.store import OutboxUnusable
from portal.client import PortalError, Unauthorized
from screens.board import BoardScreen
from screens.common import MirrorChanged, Services, SyncRequested
from screens.help import HelpScreen
from screens.login import LoginDetails, LoginRefused, LoginScreen
from tui.palette import ActionsProvider
from tui import login as login_service
from tui.config import ConfigError, Profile
from tui.credentials import TokenStore
from tui.theme_setting import save_theme, saved_theme
from tui.session import Session, WrongAccount, identify, open_session
from widgets.colours import DEFAULT_THEME, THEMES
from widgets.plain import visible
from widgets.sync_line import describe_sync

STATUS_TICK_SECONDS = 15
LOGIN_REFUSED = "The portal no longer accepts your saved login; please log in again."
NOTIFICATIONS_AT_MOST = 3


class Synced(Message):
    def __init__(self, result: SyncResult) -> None:
        self.result = result
        super().__init__()


class EngineNews(Message):
    """Something the sync engine reported (started, offline…): the status line may change."""


class TicketsApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "msp-tickets"
    COMMANDS = App.COMMANDS | {ActionsProvider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "sync", "Sync now"),
        Binding("question_mark", "help", "Help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False),
        Binding("ctrl+q", "quit", "Quit", show=False),
    ]

    sync_text: reactive[Text] = reactive(Text(""), always_update=True)

    def __init__(
        self,
        session: Session | None,
        *,
        clock: Callable[[], float] = time.time,
        sync_on_start: bool = True,
        login: Callable[[LoginDetails], Awaitable[Session]] | None = None,
        profile: Profile | None = None,
        close_session_on_exit: bool = False,
        theme: str | None = None,
        remember_theme: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        for known in THEMES:
            self.register_theme(known)
        self._unknown_theme = theme if theme and theme not in self.available_themes else None
        self._remember_theme: Callable[[str], None] | None = None  # not the theme it starts with
        self.theme = theme if theme and not self._unknown_theme else DEFAULT_THEME
        self._remember_theme = remember_theme
        self.session = session
        self.clock = clock
        self.sync_on_start = sync_on_start
        self._login = login
        self._profile = profile
        self._close_session_on_exit = close_session_on_exit
        self._sync_timer: Timer | None = None
        self._sync_again = False
        self.syncing = False

    # --- start and stop -----------------------------------------------------------------------

    def on_mount(self) -> None:
        self.set_interval(STATUS_TICK_SECONDS, self._show_sync_status)
        if self._unknown_theme:
            self.notify(f"There is no theme “{visible(self._unknown_theme)}”; showing {DEFAULT_THEME}. Ctrl+P, Theme, lists them.", severity="warning", markup=False)
        if self.session is None:
            self._ask_to_log_in()
        else:
            self._open_board(check_token=True)

    def watch_theme(self, theme: str) -> None:
        """A theme chosen in the command palette is kept for the next start."""
        if self._remember_theme is None:
            return
        try:
            self._remember_theme(theme)
        except (OSError, ConfigError) as error:
            self.notify(f"The theme could not be saved: {visible(str(error))}", severity="warning", markup=False)

    async def on_unmount(self) -> None:
        if self.session is not None and self._close_session_on_exit:
            await self.session.aclose()

    def _open_board(self, *, check_token: bool) -> None:
        session = self.session
        assert session is not None
        session.engine.subscribe(lambda _event: self.post_message(EngineNews()))
        self.services = Services(session.mirror)
        self.push_screen(BoardScreen(self.services))
        self._show_sync_status()
        if check_token and self._login is not None:
            self._check_token()
        elif self.sync_on_start:
            self.sync_now()

    @work(exclusive=True, group="check-token")
    async def _check_token(self) -> None:
        """A stored token the portal refuses means a login, not an error; an unreachable
        portal means the cached board, offline."""
        try:
            await self.session.client.me()
        except Unauthorized:
            self.notify(LOGIN_REFUSED, severity="warning", markup=False)
            self._ask_to_log_in()
            return
        except PortalError:
            pass
        if self.sync_on_start:
            self.sync_now()

    def _ask_to_log_in(self) -> None:
        profile = self._profile
        self.push_screen(LoginScreen(self._attempt_login, portal_url=(profile.portal_url or "") if profile else "", email=(profile.email or "") if profile else ""))

    async def _attempt_login(self, details: LoginDetails) -> None:
        if self._login is None:
            raise LoginRefused("This app was started without a way to log in.")
        session = await self._login(details)
        # Runs in the login screen's worker, which ends with that screen: switch from the app.
        self.call_later(self._logged_in, session)

    async def _logged_in(self, session: Session) -> None:
        if self.session is not None:
            await self.session.aclose()
        self.session = session
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        self._open_board(check_token=False)

    # --- sync -----------------------------------------------------------------------------------

    def action_sync(self) -> None:
        if self.session is None:
            return
        if self.syncing:
            self.notify("Already syncing.", timeout=2)
            return
        self.sync_now()

    @on(SyncRequested)
    def _sync_requested(self) -> None:
        """A write is waiting: send it now, or right after the sync under way."""
        self._show_sync_status()
        if self.syncing:
            self._sync_again = True
        else:
            self.sync_now()

    @work(exclusive=True, group="sync")
    async def sync_now(self) -> None:
        if self._sync_timer is not None:
            self._sync_timer.stop()
        self.syncing = True
        self._show_sync_status()
        try:
            result = await self.session.engine.sync_now()
        finally:
            self.syncing = False
        self.post_message(Synced(result))

    @on(Synced)
    def _synced(self, message: Synced) -> None:
        if message.result.auth_failed and self._login is not None:
            self.notify(LOGIN_REFUSED, severity="warning", markup=False)
            self._ask_to_log_in()
            return
        for screen in self.screen_stack:
            screen.post_message(MirrorChanged())
        self._announce(message.result)
        self._show_sync_status()
        if self._sync_again:
            self._sync_again = False
            self.sync_now()
            return
        self._sync_timer = self.set_timer(self.session.engine.seconds_until_next_sync(), self.sync_now)

    @on(EngineNews)
    def _show_sync_status(self) -> None:
        if self.session is None:
            return
        now = datetime.fromtimestamp(self.clock(), tz=timezone.utc)
        self.sync_text = describe_sync(self.session.mirror.sync_status(), now, syncing=self.syncing)

    def _announce(self, result: SyncResult) -> None:
        """One notification per ticket others changed, naming it; then what the portal refused."""
        by_ticket: dict[int, list[TicketChange]] = {}
        for change in result.by_others:
            by_ticket.setdefault(change.ticket_id, []).append(change)
        # The user's own tickets first: those are the replies they are waiting for.
        me = self.session.mirror.me()
        mine = {t for t in by_ticket if me and (view := self.session.mirror.ticket(t)) and view.row.submitted_by_id == me.id}
        ordered = sorted(by_ticket.items(), key=lambda item: item[0] not in mine)
        for ticket_id, changes in ordered[:NOTIFICATIONS_AT_MOST]:
            what = ", ".join(dict.fromkeys(visible(c.what, one_line=True) for c in changes))
            self.notify(f"#{ticket_id} {visible(changes[0].subject, one_line=True)}: {what}", title="Updated by your MSP", markup=False, timeout=8)
        if len(by_ticket) > NOTIFICATIONS_AT_MOST:
            self.notify(f"…and {len(by_ticket) - NOTIFICATIONS_AT_MOST} more tickets changed.", title="Updated by your MSP", markup=False)
        if result.rebuilt:
            self.notify(visible(result.rebuilt), title="Mirror rebuilt", severity="warning", markup=False, timeout=15)
        for problem in result.needs_attention:
            self.notify(visible(problem), title="Needs attention", severity="error", markup=False, timeout=15)

    # --- help -------------------------------------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.BINDINGS))


# --- the entry point the `msp-tickets` command calls ----------------------------------------------


def run_tui(profile: Profile, tokens: TokenStore) -> int:
    """The TUI for `profile`: the board when logged in, else the login screen first."""
    token = tokens.get(profile) if profile.complete else None
    session = _session_for(profile, token) if token else None

    async def login(details: LoginDetails) -> Session:
        return await log_in(profile, tokens, details, os.environ)

    app = TicketsApp(session, login=login, profile=profile, close_session_on_exit=True, theme=saved_theme(), remember_theme=save_theme)
    app.run()
    return app.return_code or 0


def _session_for(profile: Profile, token: str) -> Session | None:
    """The stored token's session; None (the login screen) when the portal refuses it."""
    try:
        identity = asyncio.run(identify(profile, token))
    except Unauthorized:
        return None
    except PortalError as error:
        raise SessionUnavailable(
            f"Could not find out whose the stored token is: {error.message} "
            "(the board opens offline once this profile has synced here)."
        ) from None
    return open_session(profile, identity, token)


class SessionUnavailable(Exception):
    """The board cannot open: the sentence says why."""


async def log_in(profile: Profile, tokens: TokenStore, details: LoginDetails, env: Mapping[str, str]) -> Session:
    """The login screen's attempt: the shared login (tui/login.py), then the session."""
    try:
        done = await login_service.log_in(
            profile.name, details.portal_url, details.email, details.password,
            tokens=tokens, insecure_storage=details.insecure_storage, env=env,
        )
    except login_service.LoginFailed as failure:
        raise _refusal(failure, tokens) from None
    try:
        return await asyncio.to_thread(open_session, done.profile, done.identity, done.token, env)
    except (ConfigError, OutboxUnusable, OSError, sqlite3.Error, WrongAccount) as error:
        # A sentence on the login screen, not a crash report that would show this frame's locals.
        raise LoginRefused(f"Logged in, but the local files could not be opened: {error}") from None


def _refusal(failure: login_service.LoginFailed, tokens: TokenStore) -> LoginRefused:
    Why = login_service.Why
    if failure.reason is Why.NO_KEYRING:
        return LoginRefused(
            "No system keyring is available here (usual in an SSH session), so the token was not "
            f"stored. Switch on the file option above to keep it in {tokens.folder} (mode 0600, "
            "only you can read it), or set MSP_TICKETS_TOKEN in the environment.",
            offer_insecure_storage=True,
        )
    field = {Why.BAD_ADDRESS: "portal_url", Why.UNREACHABLE: "portal_url", Why.REFUSED: "password"}
    return LoginRefused(failure.message, field.get(failure.reason))
