"""The app shell: the board first, sync in a worker on the portal's cadence, notifications,
the status line, help, the command palette and the login screen for a logged-out start."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import PurePath
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.actions import SkipAction
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState

from cache.model import Pill, Scope, SyncResult, SyncStatus, TicketChange
from cache.store import OutboxUnusable
from portal.errors import PortalError, Unauthorized
from screens import styles
from screens.board import SETTLE_AFTER_FIRST_PAINT_SECONDS, BoardScreen, Opening, read_opening
from screens.common import ActivityRead, HeldWrite, LocalFiles, MirrorChanged, Services, SyncRequested, ViewShelf
from screens.input_ready import takes_keys
from tui import collector
from tui.config import DEFAULT_UNDO_SECONDS, ConfigError, ConfigViews, Profile, load_keymap
from tui.credentials import TokenStore
from tui.failures import describe_failure
from tui.input_order import InputOrder
from tui.notify import NotifyMode, notification, window_title
from tui.palette import ActionsProvider, ViewsProvider
from tui.presence import Presence
from tui.process_guard import ProcessGuard
from tui.session import Session, WrongAccount, identify, open_session, remembered_identity
from tui.theme_setting import save_theme, saved_theme
from tui.undo import UndoWindow
from widgets.badges import WAITING_ON_YOU
from widgets.colours import DEFAULT_THEME, THEMES
from widgets.guarded import Guarded
from widgets.plain import visible
from widgets.sync_line import describe_sync, until_words_change
from widgets.ticket_table import TicketTable

if TYPE_CHECKING:
    from screens.login import LoginDetails, LoginRefused
    from widgets.text_entry import EditInEditor

# What the board's first paint does not need is loaded after it: the other screens when they
# open, the portal's client and the sync engine (httpx, pydantic's models) on a thread once the
# first rows are on the screen (`_start_board`).

# While someone uses the app (tui/presence.py), the status line's text is recomputed every second
# (its countdown ticks) from the status last read; the mirror is read again only when a sync or a
# write changes it. Left alone, nothing ticks: the line is recomputed only when its words change.
STATUS_TICK_SECONDS = 1
LOGIN_REFUSED = "The portal no longer accepts your saved login; please log in again."
# Quitting never waits behind keys held for a screen that is not ready (a write stuck on a busy
# file, say): the user can always leave.
QUIT_KEY = "ctrl+q"
SYNC_AGAIN_AFTER_FAILURE_SECONDS = 60
# The board starts syncing once its first rows are painted, or after this long whatever happens.
FIRST_PAINT_WAIT_SECONDS = 1.0


class Synced(Message):
    def __init__(self, result: SyncResult, next_in: float, mine: frozenset[int]) -> None:
        self.result = result
        self.next_in = next_in  # seconds until the next sync
        self.mine = mine  # of the tickets others changed, those the user submitted
        super().__init__()


class EngineNews(Message):
    """Something the sync engine reported (started, offline…): the status line may change."""


class TicketsApp(Guarded, App):
    CSS_PATH: ClassVar[list[str | PurePath]] = ["app.tcss", *styles.AT_START]
    TITLE = "msp-tickets"
    COMMANDS = App.COMMANDS | {ActionsProvider, ViewsProvider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "sync", "Sync", tooltip="Sync now", id="sync"),
        Binding("colon,number_sign", "go_to", "Go to ticket…", show=False, id="go_to"),
        Binding("a", "activity", "Activity", show=False, id="activity"),
        # On the key bar while a write waits to be taken back (check_action hides it otherwise).
        Binding("u", "undo", "Undo", tooltip="Undo the last confirm or reopen while it waits", id="undo"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, system=True, id="command_palette"),
        Binding(QUIT_KEY, "quit", "Quit", show=False, id="quit"),
    ]

    # Not repaint: a change would paint the whole screen again (the countdown's every second);
    # the status lines watching it paint what changed.
    sync_text: reactive[Text] = reactive(Text(""), always_update=True, repaint=False)

    def __init__(
        self,
        session: Session | None,
        *,
        clock: Callable[[], float] = time.time,
        sync_on_start: bool = True,
        login: Callable[[LoginDetails], Awaitable[Session]] | None = None,
        profile: Profile | None = None,
        close_session_on_exit: bool = False,
        exit_on_signals: bool = False,
        theme: str | None = None,
        remember_theme: Callable[[str], None] | None = None,
        keymap: Mapping[str, str] | None = None,
        views: ViewShelf | None = None,
        opening: Opening | None = None,
    ) -> None:
        """`opening`: the board's first rows, read from the session's mirror before the app
        started (`read_opening`), for the first paint."""
        super().__init__()
        self._views = views  # where the saved views are kept (the config file)
        # The config file's [keymap]: binding ids to keys (see tui/config.py).
        self.keymap = dict(keymap or {})
        self.set_keymap(self.keymap)
        for known in THEMES:
            self.register_theme(known)
        self._unknown_theme = theme if theme and theme not in self.available_themes else None
        self._start_in_theme(theme if theme and not self._unknown_theme else DEFAULT_THEME)
        self._remember_theme = remember_theme
        self.session = session
        self.clock = clock
        self.sync_on_start = sync_on_start
        self._login = login
        self._profile = profile
        self._close_session_on_exit = close_session_on_exit
        # Owning the process: SIGTERM/SIGHUP/SIGINT and a vanished terminal end the app, which
        # gives the terminal back as on quit (normal screen, mouse off, cursor shown).
        self._process_guard = ProcessGuard(lambda code: self.exit(return_code=code)) if exit_on_signals else None
        self._sync_timer: Timer | None = None
        self._sync_again = False
        self.syncing = False
        self._input_order = InputOrder(self, takes_keys)
        self.files: LocalFiles | None = None
        self._status: SyncStatus | None = None  # as last read from the mirror
        self._told_busy = False
        self._unread = 0  # activity lines not yet seen
        self._waiting = 0  # the user's tickets waiting on them
        self._notify_mode = profile.notify if profile else NotifyMode.AUTO
        self._undo = UndoWindow(self, send=self._sync_requested, changed=self._undo_changed)
        self._first_paint = asyncio.Event()  # the board's first rows are on the screen
        self._listening_to: Session | None = None  # whose engine's news the status line shows
        self._opening = opening
        self._other_styles_read = False  # screens/styles.py AFTER_FIRST_PAINT
        self._presence = Presence(clock)
        self._status_tick: Timer | None = None  # every second, while someone uses the app
        self._status_wake: Timer | None = None  # left alone: when the line's words next change

    # --- start and stop -----------------------------------------------------------------------

    def _start_in_theme(self, name: str) -> None:
        """The theme it starts with, set before the stylesheet is first parsed: what Textual's
        watcher of `theme` does, but for its refresh of the CSS, which would parse all of it a
        second time and restyle every widget at each launch (bench/launch.py)."""
        self.set_reactive(App.theme, name)
        dark = self.current_theme.dark
        self.update_classes({f"-theme-{name}": True, "-dark-mode": dark, "-light-mode": not dark}, update=False)
        self._refresh_truecolor_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())

    def on_mount(self) -> None:
        if self._process_guard is not None:
            self._process_guard.install()
        self._plan_status_wakes(left_alone=False)
        if self._unknown_theme:
            self.notify(
                f"There is no theme “{visible(self._unknown_theme)}”; showing {DEFAULT_THEME}. Ctrl+P, Theme, lists them.",
                severity="warning",
                markup=False,
            )
        # After Textual's start, which lays out and paints nothing until it is over: a screen
        # pushed during it would have its first frame dropped and repainted a frame later.
        if self.session is None:
            self.call_later(self._ask_to_log_in)
        else:
            self.call_later(self._open_board, check_token=True)

    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes from the terminal go through `InputOrder`, one at a time. Any input
        from the terminal means someone is using the app."""
        if isinstance(event, (events.Key, events.Paste, events.MouseEvent)) and not event.is_forwarded:
            self._used()
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            # A key typed ahead may open a screen before the board has read the other sheets:
            # read now, with the others, rather than by Textual parsing every sheet again.
            self._read_other_styles()
            quitting = isinstance(event, events.Key) and event.key == QUIT_KEY
            if not quitting and self._input_order.hold(event):
                return
            self._input_order.routed(event, self.focused or self.screen)
        await super().on_event(event)

    def watch_theme(self, theme: str) -> None:
        """A theme chosen in the command palette is kept for the next start."""
        if self._remember_theme is None:
            return
        try:
            self._remember_theme(theme)
        except (OSError, ConfigError) as error:
            self.notify(f"The theme could not be saved: {visible(str(error))}", severity="warning", markup=False)

    async def on_unmount(self) -> None:
        self._input_order.stop()
        if self._process_guard is not None:
            self._process_guard.uninstall()
        if self.files is not None:
            self.files.close()
        if self.session is not None and self._close_session_on_exit:
            await self.session.aclose()

    def _open_board(self, *, check_token: bool) -> None:
        session = self.session
        assert session is not None
        if self.files is not None:
            self.files.close()
        self.files = LocalFiles(
            session.mirror, report=self.report_failure, busy_changed=self._busy_changed, rebuilt=self._mirror_rebuilt
        )
        self._status = None
        undo_seconds = self._profile.undo_seconds if self._profile else DEFAULT_UNDO_SECONDS
        self.services = Services(self.files, timedelta(seconds=undo_seconds), self._views)
        self._first_paint.clear()
        opening, self._opening = self._opening, None  # of the first session only
        self.push_screen(BoardScreen(self.services, opening))
        self._start_board(check_token=check_token)

    @on(TicketTable.RowsShown)
    def _rows_shown(self) -> None:
        if not self._first_paint.is_set():
            self.call_after_refresh(lambda: self.set_timer(SETTLE_AFTER_FIRST_PAINT_SECONDS, self._first_paint.set))

    @work(exclusive=True, group="board-start", name="opening the board", exit_on_error=False)
    async def _start_board(self, *, check_token: bool) -> None:
        """Once the board's first rows are painted: the status line and the counts, the mirror's
        quick check, the portal's client and the sync engine (made on a thread), then the
        token's check and the first sync (this worker ends with it)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._first_paint.wait(), FIRST_PAINT_WAIT_SECONDS)
        try:
            self._show_sync_status()
            self._read_counts()
            check = self._check_mirror()
            self._read_other_styles()
            await self._connected()
            # The screens a key opens, loaded now rather than on that key (a first `enter` would
            # otherwise wait for them).
            await asyncio.to_thread(_load_modules, SCREENS_OPENED_BY_KEYS)
        finally:
            collector.started()  # whatever failed on the way: the app goes on, and collects
        refused = check_token and self._login is not None and not await self._token_accepted()
        if self.sync_on_start and not refused:
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await self.sync_now().wait()
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await check.wait()  # the board has started once its mirror is checked too

    def _read_other_styles(self) -> None:
        """The other screens' style sheets, parsed now rather than on the key that opens one
        (screens/styles.py); once."""
        if self._other_styles_read:
            return
        self._other_styles_read = True
        unread = [path for path in styles.AFTER_FIRST_PAINT if not self.stylesheet.has_source(str(path))]
        if unread:
            self.stylesheet.read_all(unread)
            self.stylesheet.parse()

    async def _connected(self) -> Session:
        """The session with its client and engine made (off the event loop, the first time),
        and the engine's news reaching the status line."""
        session = self.session
        assert session is not None
        if not session.connected:
            await asyncio.to_thread(session.connect)
        if self._listening_to is not session:
            self._listening_to = session
            session.engine.subscribe(lambda _event: self.post_message(EngineNews()))
        return session

    def _check_mirror(self) -> Worker[None]:
        """SQLite's quick check of the mirror, which its opening skipped (a third of a second at
        100,000 tickets): a damaged file is rebuilt, as one found damaged by any read."""
        files = self.files
        assert files is not None

        async def check() -> None:
            if not await files.call(files.mirror.quick_check_passes, what="checking the local mirror", aside=True):
                await files.rebuild()

        return files.spawn(self, check, what="checking the local mirror", group="mirror-check", exclusive=True)

    async def _token_accepted(self) -> bool:
        """A stored token the portal refuses means a login, not an error; an unreachable
        portal means the cached board, offline."""
        try:
            await self.session.client.me()
        except Unauthorized:
            self.notify(LOGIN_REFUSED, severity="warning", markup=False)
            self._ask_to_log_in()
            return False
        except PortalError:
            pass
        return True

    def _ask_to_log_in(self) -> None:
        from screens.login import LoginScreen

        collector.started()  # no board to wait for
        self._read_other_styles()
        profile = self._profile
        self.push_screen(
            LoginScreen(
                self._attempt_login,
                portal_url=(profile.portal_url or "") if profile else "",
                email=(profile.email or "") if profile else "",
            )
        )

    async def _attempt_login(self, details: LoginDetails) -> None:
        from screens.login import LoginRefused

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
            # The sync under way may have asked before what the user expects to see: another
            # follows it at once.
            self._sync_again = True
            self.notify("Syncing — once more right after this one.", timeout=2)
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

    @work(exclusive=True, group="sync", name="syncing with the portal", exit_on_error=False)
    async def sync_now(self) -> None:
        if self._sync_timer is not None:
            self._sync_timer.stop()
        self.syncing = True
        self._show_sync_status()
        # Whatever goes wrong below, the next sync stays on the calendar (`_synced` moves it).
        self._sync_timer = self.set_timer(SYNC_AGAIN_AFTER_FAILURE_SECONDS, self.sync_now)
        try:
            result = await (await self._connected()).engine.sync_now()
        finally:
            self.syncing = False
        files, engine = self.files, self.session.engine
        delay = await files.call(engine.seconds_until_next_sync, what="planning the next sync")
        mine = frozenset()
        if result.by_others:
            changed = {change.ticket_id for change in result.by_others}
            mine = await files.call(_submitted_by_me, files.mirror, changed, what="reading the changed tickets")
        self.post_message(Synced(result, delay, mine))

    @on(Synced)
    def _synced(self, message: Synced) -> None:
        if self._sync_timer is not None:
            self._sync_timer.stop()
        if message.result.auth_failed and self._login is not None:
            self.notify(LOGIN_REFUSED, severity="warning", markup=False)
            self._ask_to_log_in()
            return
        self._tell_screens()
        self._announce(message.result, message.mine)
        self._show_sync_status()
        if self._sync_again:
            self._sync_again = False
            self.sync_now()
            return
        self._sync_timer = self.set_timer(message.next_in, self.sync_now)

    def _tell_screens(self) -> None:
        """Every screen on the stack reads the mirror again."""
        for screen in self.screen_stack:
            screen.post_message(MirrorChanged())

    # --- undo -----------------------------------------------------------------------------------

    @on(HeldWrite)
    def _held(self, message: HeldWrite) -> None:
        self._undo.held(message)

    def _undo_changed(self) -> None:
        self.refresh_bindings()  # `u` is offered only while there is something to undo
        self._render_sync_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            return self._undo.open
        return super().check_action(action, parameters)

    def action_undo(self) -> None:
        if self.files is not None:
            self._undo.take_back(self.files, reread=self._undone)

    def _undone(self) -> None:
        self._tell_screens()
        self._show_sync_status()

    @on(EngineNews)
    def _show_sync_status(self) -> None:
        """Read the status from the mirror (off the loop), then show it."""
        if self.files is None:
            return
        self.files.run(
            self,
            self.files.mirror.sync_status,
            then=self._sync_status_read,
            what="reading the sync status",
            group="sync-status",
            latest=True,
        )
        self._render_sync_status()

    def _sync_status_read(self, status: SyncStatus) -> None:
        self._status = status
        self._render_sync_status()

    def _busy_changed(self) -> None:
        """The status line says it while a file is busy; a notice says it once (the forms
        have no status line)."""
        busy = self.files.busy if self.files else None
        if busy and not self._told_busy:
            self.notify(
                visible(f"Another program is using the local files; retrying {busy} until it is free."),
                title="Local files busy — retrying",
                severity="warning",
                markup=False,
                timeout=5,
            )
        self._told_busy = busy is not None
        self._render_sync_status()

    @property
    def left_alone(self) -> bool:
        return self._presence.left_alone(in_front=self.app_focus)

    def _used(self) -> None:
        """The countdown comes back at once."""
        was_left_alone = self.left_alone
        self._presence.used()
        if was_left_alone:
            self._render_sync_status()

    def watch_app_focus(self) -> None:
        """The terminal reported losing focus (left alone at once) or regaining it."""
        if self.app_focus:
            self._presence.used()
        self._render_sync_status()

    def _plan_status_wakes(self, *, left_alone: bool) -> None:
        """The tick runs while someone uses the app (or an undo counts its seconds); left alone,
        one wake when the line's words change ("synced 3 min ago"), if they do."""
        ticking = not left_alone or self._undo.open
        if ticking and self._status_tick is None:
            self._status_tick = self.set_interval(STATUS_TICK_SECONDS, self._render_sync_status)
        elif not ticking and self._status_tick is not None:
            self._status_tick.stop()
            self._status_tick = None
        if self._status_wake is not None:
            self._status_wake.stop()
            self._status_wake = None
        if not ticking and self._status is not None and not self.syncing:
            delay = until_words_change(self._status, datetime.fromtimestamp(self.clock(), tz=UTC))
            if delay is not None:
                self._status_wake = self.set_timer(delay, self._render_sync_status)

    def _render_sync_status(self) -> None:
        left_alone = self.left_alone
        self._plan_status_wakes(left_alone=left_alone)
        if self._status is None or self.files is None:
            return
        from screens.help import key_names  # the help screen's module: loaded after the first paint

        now = datetime.fromtimestamp(self.clock(), tz=UTC)
        undo = self._undo.status(key_names(self.keymap.get("undo", "u").split(",")[0]))
        text = describe_sync(
            self._status,
            now,
            syncing=self.syncing,
            busy=self.files.busy,
            unread=self._unread,
            undo=undo,
            left_alone=left_alone,
        )
        if text != self.sync_text:  # the status line repaints only when its words change
            self.sync_text = text

    # --- the one error path ---------------------------------------------------------------------

    def report_failure(self, what: str, error: BaseException) -> None:
        """A failure anywhere (a handler, a worker, a timer) becomes a notice naming what
        failed and why; the board goes on."""
        if isinstance(error, WorkerFailed):
            error = error.error
        title, sentence = describe_failure(what, error)
        self.notify(visible(sentence), title=title, severity="error", markup=False, timeout=10)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.report_failure(event.worker.name or "a background task", event.worker.error)

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        """Every key binding's action, the screens' and widgets' too, comes through here."""
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except (asyncio.CancelledError, SkipAction):
            raise
        except Exception as error:
            self.report_failure(f"the action {action if isinstance(action, str) else 'of that key'}", error)
            return True

    def _handle_exception(self, error: Exception) -> None:
        """Textual's handler of last resort ends the app; here it is a notice instead (the
        user, not an exception, ends the app)."""
        try:
            self.report_failure("handling that", error)
        except Exception:
            super()._handle_exception(error)

    def _mirror_rebuilt(self) -> None:
        moved = self.files.mirror.moved_aside if self.files else None
        where = f" (what was left of it is in {moved})" if moved else ""
        self.notify(
            visible(
                f"The local copy of your tickets was damaged or removed{where}; it is being rebuilt from the portal. Nothing you wrote is lost."
            ),
            title="Local mirror rebuilt",
            severity="warning",
            markup=False,
            timeout=10,
        )
        self._tell_screens()
        # A sync under way pulls into the old file's cursor: start over with a full one. The
        # cancelled sync may still hold the engine when the new one asks (which is then skipped),
        # so one more follows it.
        self.workers.cancel_group(self, "sync")
        self.syncing = False
        self._sync_again = True
        self.sync_now()

    def _announce(self, result: SyncResult, mine: frozenset[int]) -> None:
        """Others' changes are counted on the status line (`a` lists them), never raised over
        the table; a terminal not in front also gets the bell and a desktop notification. What
        the portal refused and a rebuilt mirror stay notices."""
        self._read_counts()
        if result.changes and not self.app_focus:
            self._write_to_terminal(
                notification(self._notify_mode, self.TITLE, _in_words(result.changes, mine), os.environ)
            )
        if result.rebuilt:
            self.notify(visible(result.rebuilt), title="Mirror rebuilt", severity="warning", markup=False, timeout=15)
        for problem in result.needs_attention:
            self.notify(visible(problem), title="Needs attention", severity="error", markup=False, timeout=15)

    @on(ActivityRead)
    def _read_counts(self) -> None:
        if self.files is not None:
            self.files.run(
                self,
                _counts,
                self.files.mirror,
                then=self._counts_read,
                what="counting what is new",
                group="activity-counts",
                latest=True,
            )

    def _counts_read(self, counts: tuple[int, int]) -> None:
        self._unread, self._waiting = counts
        self._render_sync_status()
        title = title_with_counts(self.TITLE, self._waiting, self._unread)
        if title != self.title:
            self.title = title
            self._write_to_terminal(window_title(title))

    def _write_to_terminal(self, text: str) -> None:
        """Bytes Textual has no API for (bell, OSC): through its driver, in order with the rest."""
        if text and self._driver is not None:
            self._driver.write(text)

    def action_activity(self) -> None:
        from screens.activity import ActivityScreen

        if self.files is not None and not isinstance(self.screen, ActivityScreen):
            self.push_screen(ActivityScreen(self.services))

    def on_edit_in_editor(self, request: EditInEditor) -> None:
        """ctrl+e in a long text field (`EditInEditor`, handled by its name: the fields' module
        is not imported before the first paint): the app owns the terminal, so it hands it over."""
        from tui.editor import edit_in_editor

        edit_in_editor(self, request)

    # --- help -------------------------------------------------------------------------------------

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.BINDINGS, self.keymap))

    # --- go to a ticket ---------------------------------------------------------------------------

    async def action_go_to(self) -> None:
        from screens.go_to import GoToScreen

        if self.files is None or isinstance(self.screen, GoToScreen):
            return
        await self.push_screen(GoToScreen(), callback=self._go_to)

    def _go_to(self, reference: str | None) -> None:
        if reference is None or self.files is None:
            return
        self.files.run(
            self,
            self.files.mirror.find_ticket,
            reference,
            then=lambda found: self._found(reference, found),
            what="finding that ticket",
        )

    def _found(self, reference: str, ticket_id: int | None) -> None:
        from screens.detail import DetailScreen

        if ticket_id is None:
            self.notify(
                f"No ticket “{visible(reference, one_line=True)}” here (a number such as 143, or a PSA id such as ACM-1143).",
                severity="warning",
                markup=False,
            )
            return
        if isinstance(self.screen, DetailScreen) and self.screen.ticket_id == ticket_id:
            return
        self.push_screen(DetailScreen(self.services, ticket_id))

    # --- the command palette: the app's own actions, not Textual's generic ones ---------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Only Theme: Quit, Help and every action come from the bindings (ActionsProvider),
        each once; scrolling and focus moves are keys, not commands."""
        yield SystemCommand("Theme", "Change the colours (kept for the next start)", self.action_change_theme)


SCREENS_OPENED_BY_KEYS = (
    "screens.detail",
    "screens.filters",
    "screens.go_to",
    "screens.help",
    "screens.activity",
    "screens.new_ticket",
)


def _load_modules(names: Iterable[str]) -> None:
    for name in names:
        importlib.import_module(name)


def _counts(mirror) -> tuple[int, int]:
    return mirror.unread_activity(), mirror.pill_counts(Scope.MINE)[Pill.WAITING_ON_YOU]


def title_with_counts(name: str, waiting: int, unread: int) -> str:
    """The window title: "msp-tickets · 2 waiting on you · 3 new" (a part only when not 0)."""
    parts = (
        [name] + ([f"{waiting} {WAITING_ON_YOU.lower()}"] if waiting else []) + ([f"{unread} new"] if unread else [])
    )
    return " · ".join(parts)


def _in_words(changes: tuple[TicketChange, ...], mine: frozenset[int]) -> str:
    """The notification's text: how many, and the first change on the user's own tickets."""
    first = next((c for c in changes if c.ticket_id in mine), changes[0])
    count = f"{len(changes)} changes · " if len(changes) > 1 else ""
    return f"{count}#{first.ticket_id} {first.subject}: {first.what}"


def _submitted_by_me(mirror, ticket_ids: set[int]) -> frozenset[int]:
    me = mirror.me()
    if me is None:
        return frozenset()
    return frozenset(t for t in ticket_ids if (view := mirror.ticket(t)) and view.row.submitted_by_id == me.id)


# --- the entry point the `msp-tickets` command calls ----------------------------------------------


def run_tui(profile: Profile, tokens: TokenStore) -> int:
    """The TUI for `profile`: the board when logged in, else the login screen first."""
    app = board_app(profile, tokens)
    app.run()
    return app.return_code or 0


def board_app(profile: Profile, tokens: TokenStore) -> TicketsApp:
    """The app `msp-tickets` runs for `profile`, its session opened and its first rows read."""
    token = tokens.get(profile) if profile.complete else None
    session = _session_for(profile, token) if token else None
    opening = _opening_of(session) if session else None

    async def login(details: LoginDetails) -> Session:
        return await log_in(profile, tokens, details, os.environ)

    return TicketsApp(
        session,
        login=login,
        profile=profile,
        close_session_on_exit=True,
        exit_on_signals=True,
        theme=saved_theme(),
        remember_theme=save_theme,
        keymap=load_keymap(),
        views=ConfigViews(os.environ),
        opening=opening,
    )


def _session_for(profile: Profile, token: str) -> Session | None:
    """The stored token's session; None (the login screen) when the portal refuses it. The
    mirror's quick check is left to the board, after its first paint."""
    identity = remembered_identity(profile, token)  # no event loop for what is known
    try:
        identity = identity or asyncio.run(identify(profile, token))
    except Unauthorized:
        return None
    except PortalError as error:
        raise SessionUnavailable(
            f"Could not find out whose the stored token is: {error.message} "
            "(the board opens offline once this profile has synced here)."
        ) from None
    return open_session(profile, identity, token, quick_check=False)


def _opening_of(session: Session) -> Opening | None:
    """The board's first rows, read now (no event loop runs yet: nothing waits on it) so that
    they are in the first paint. A mirror that cannot be read is left to the board's own reads,
    which say why and rebuild it."""
    try:
        return read_opening(session.mirror)
    except (sqlite3.Error, OSError, ValueError):
        return None


class SessionUnavailable(Exception):
    """The board cannot open: the sentence says why."""


async def log_in(profile: Profile, tokens: TokenStore, details: LoginDetails, env: Mapping[str, str]) -> Session:
    """The login screen's attempt: the shared login (tui/login.py), then the session."""
    from screens.login import LoginRefused
    from tui import login as login_service

    try:
        done = await login_service.log_in(
            profile.name,
            details.portal_url,
            details.email,
            details.password,
            tokens=tokens,
            insecure_storage=details.insecure_storage,
            env=env,
        )
    except login_service.LoginFailed as failure:
        raise _refusal(failure, tokens) from None
    try:
        return await asyncio.to_thread(open_session, done.profile, done.identity, done.token, env)
    except (ConfigError, OutboxUnusable, OSError, sqlite3.Error, WrongAccount) as error:
        # A sentence on the login screen, not a crash report that would show this frame's locals.
        raise LoginRefused(f"Logged in, but the local files could not be opened: {error}") from None


def _refusal(failure, tokens: TokenStore) -> LoginRefused:
    """What the login screen says about a `tui.login.LoginFailed`."""
    from screens.login import LoginRefused
    from tui.login import Why

    if failure.reason is Why.NO_KEYRING:
        return LoginRefused(
            "No system keyring is available here (usual in an SSH session), so the token was not "
            f"stored. Switch on the file option above to keep it in {tokens.folder} (mode 0600, "
            "only you can read it), or set MSP_TICKETS_TOKEN in the environment.",
            offer_insecure_storage=True,
        )
    field = {Why.BAD_ADDRESS: "portal_url", Why.UNREACHABLE: "portal_url", Why.REFUSED: "password"}
    return LoginRefused(failure.message, field.get(failure.reason))
