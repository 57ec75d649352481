"""The board: status pills with live counts, search as you type, and the virtual ticket table."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import AwaitMount
from textual.widgets import Input, Static

from cache.model import Pill, Scope, SortColumn, TicketQuery, TicketRow, Viewer
from cache.views import DESCENDING_FIRST, View, showing_status
from portal.vocabulary import AccessLevel
from screens.common import MirrorChanged, Services
from screens.copy_reference import copy_reference
from screens.drafts import OPEN_FORM_GROUP
from screens.writes import WRITE_GROUP
from widgets.badges import MARK_CHANGED, MARK_WAITING, WAITING_ON_YOU
from widgets.guarded import Guarded
from widgets.key_bar import KeyBar
from widgets.pills import PILLS, MoreUnderAll, PillBar, ScopeToggle, hidden_matches, more_under_all
from widgets.plain import visible
from widgets.sync_line import SyncLine
from widgets.ticket_table import PAGE_SIZE, TicketTable

if TYPE_CHECKING:
    from screens.filters import Filters

SORT_ORDER: tuple[SortColumn, ...] = (
    SortColumn.CREATED,
    SortColumn.UPDATED,
    SortColumn.AGE,
    SortColumn.PRIORITY,
    SortColumn.STATUS,
    SortColumn.ID,
    SortColumn.SUBJECT,
    SortColumn.CATEGORY,
    SortColumn.SUBMITTED_BY,
)

COUNT_AFTER_TYPING_PAUSE = 0.15  # seconds
# While the app starts, its first refreshes are batched and Textual's output thread writes the
# frame: work that follows the first paint (counting, loading the portal's client) waits this
# long more, so as not to hold that frame back (bench/launch.py).
SETTLE_AFTER_FIRST_PAINT_SECONDS = 0.1


NOT_SYNCED_YET = "Loading your tickets from the portal…"
SEARCH_PLACEHOLDER = "Search words, a ticket number (#143) or a PSA id — enter or esc to go back to the table"
NO_TICKETS = "No tickets here."


MARKER_LEGEND = f"{MARK_CHANGED} changed  {MARK_WAITING} {WAITING_ON_YOU.lower()}"


class Opening(NamedTuple):
    """What the board shows first: whom it is for, and the first rows of its first query. Read
    before the app starts (`read_opening`), so that they are in its first paint."""

    viewer: Viewer | None
    first_page: list[TicketRow]


def read_opening(mirror) -> Opening:
    """The board's opening, from the mirror (its first query is the default one)."""
    return Opening(mirror.viewer(), mirror.page(TicketQuery(), 0, PAGE_SIZE))


class BoardScreen(Guarded, Screen):
    CSS_PATH = "board.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"pill({n - 1})", pill.label, show=False) for n, pill in enumerate(PILLS, 1)),
        Binding("slash", "search", "Search", id="board.search"),
        Binding("n", "new_ticket", "New", tooltip="New ticket", id="board.new_ticket"),
        Binding("s", "sort", "Sort", id="board.sort"),
        Binding("S", "flip_sort", "Sort direction", show=False, id="board.flip_sort"),
        Binding("m", "scope", "Mine/Co", tooltip="Mine / company tickets", id="board.scope"),
        Binding("t", "stats", "Stats", show=False, id="board.stats"),
        Binding(
            "f", "filter", "Filter…", show=False, tooltip="Filter by status, priority, category…", id="board.filter"
        ),
        Binding("V", "save_view", "Save view…", show=False, id="board.save_view"),
        Binding("v", "views", "Views…", show=False, tooltip="Views… (recall a saved view)", id="board.views"),
        Binding("y", "copy_reference", "Copy reference", show=False, id="board.copy"),
        Binding("escape", "clear_search", "Clear search", show=False, id="board.clear_search"),
        # Typed into the search field, q is a letter: the field takes it before this binding.
        Binding("q", "app.quit", "Quit", id="board.quit"),
    ]

    def __init__(self, services: Services, opening: Opening | None = None) -> None:
        """`opening`: the first rows, read before the app started (else read at mount)."""
        super().__init__()
        self.services = services
        self._opening = opening
        self.me: Viewer | None = None  # as last read from the mirror
        self._resumed = False
        self._count_timer: Timer | None = None
        self._counted: tuple[tuple, dict[Pill, int]] | None = None  # the latest counts, and what of
        self._mounting_hidden: list[AwaitMount] | None = None

    @property
    def company_wide(self) -> bool:
        return self.me is not None and self.me.access_level is not AccessLevel.OWN

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Static(self._title(), id="title")
            yield ScopeToggle()
        yield PillBar(id="pills")
        # The filters line, the search box and "N more under All" come after the first frame
        # (`_hidden_lines`): hidden until used, they take no row, so nothing moves when they come.
        # The status line and the key bar come right after the first frame (`_bottom_lines`):
        # the rows are what that frame is for. Their two lines are kept for them meanwhile, so
        # the rows neither move nor change when they come.
        table = TicketTable(self.services.mirror, reads=self._table_reads, id="tickets", classes="-room-below")
        table.empty_message = NOT_SYNCED_YET  # until the mirror knows who the user is
        yield table

    def _bottom_lines(self) -> None:
        with self.app.batch_update():
            # The board has the most keys: short descriptions, so that quit and the palette fit at 80.
            self.mount(SyncLine(legend=MARKER_LEGEND, id="sync-line"), KeyBar())
            self.table.remove_class("-room-below")

    def _hidden_lines(self) -> list[AwaitMount]:
        """The lines hidden at first, mounted once: after the first frame (three widgets, the
        search box's Input among them, cost it ~15 ms, bench/launch.py), or at once if a key
        needs one sooner. They are in the DOM as soon as this returns; awaiting it, mounted."""
        if self._mounting_hidden is None:
            from widgets.text_entry import TextInput

            search = TextInput(placeholder=SEARCH_PLACEHOLDER, id="search")
            self._mounting_hidden = [
                self.mount(Static("", id="filters"), search, before=self.table),
                self.mount(MoreUnderAll(id="more-under-all"), after=self.table),
            ]
        return self._mounting_hidden

    def _table_reads(self, job, *args):
        return self.services.files.call(job, *args, what="reading the ticket list")

    def _title(self) -> Text:
        me = self.me
        who = f" — {visible(me.name, one_line=True)}, {visible(me.company, one_line=True)}" if me else ""
        return Text(f"Tickets{who}")

    @property
    def table(self) -> TicketTable:
        return self.query_one(TicketTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.call_after_refresh(self._bottom_lines)
        if self._opening is not None:
            self._show_opening(self._opening)  # before the first paint: the rows are in it
            return
        files = self.services.files

        async def read() -> None:
            self._show_opening(await files.call(read_opening, files.mirror, what="reading the board"))

        files.spawn(self, read, what="reading the board", group="board-opening")

    def _show_opening(self, opening: Opening) -> None:
        """The first rows, with the columns and title of whom they are for (who decides the
        columns: no column is added a moment later); counted after their paint."""
        self._show_viewer(opening.viewer)
        if self.table.ticket_query == TicketQuery():  # else a key already asked for other rows
            self.table.show_rows(TicketQuery(), opening.first_page, with_submitter=self.company_wide)
        self.call_after_refresh(lambda: self.set_timer(SETTLE_AFTER_FIRST_PAINT_SECONDS, self._count_opening))

    def _count_opening(self) -> None:
        self._hidden_lines()
        self.table.count_rows()
        self.refresh_facts()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if self._resumed:
            # After the board is painted back as it was: the reads on their threads would hold
            # up that frame (bench.keys: `esc` back to the board).
            self.call_after_refresh(self.refresh_from_mirror)
        else:
            # The first comes with the push, just after the mount styled every widget: Screen's
            # own handler, which runs after this one, would style them all again (some 2 ms of
            # the launch, bench/launch.py).
            event.refresh_styles = False
        self._resumed = True

    @on(MirrorChanged)
    def refresh_from_mirror(self) -> None:
        """After a sync: who I am may be known only now, and the tickets have moved."""
        self.table.reload()
        self.refresh_facts()

    def refresh_facts(self) -> None:
        """Who the user is, the scope they may see and the pills' counts, read again."""
        files = self.services.files
        files.run(
            self,
            _board_facts,
            files.mirror,
            self.table.ticket_query,
            then=self._facts_read,
            what="reading the board",
            group="board-facts",
            latest=True,
        )

    def _show_viewer(self, viewer: Viewer | None) -> None:
        """Who the user is, in the title (painted again only if it changed)."""
        changed = viewer != self.me
        self.me = viewer
        self._say_when_empty(hidden=0)
        if changed:
            self.query_one("#title", Static).update(self._title(), layout=False)
        self.query_one(ScopeToggle).display = self.company_wide

    def _facts_read(self, facts: tuple[Viewer | None, TicketQuery, dict[Pill, int]]) -> None:
        viewer, counted, counts = facts
        scope = counted.scope
        self._show_viewer(viewer)
        with_submitter = self.company_wide and scope is Scope.COMPANY
        if scope is not self.table.ticket_query.scope or with_submitter != self.table.with_submitter:
            self.table.show(self.table.ticket_query._replace(scope=scope), with_submitter=with_submitter, keep=-1)
        self._counts_ready(_counting(counted), counts)

    def _show_counts(self) -> None:
        """The pills' counts: of the scope's tickets, or while searching of the matches, counted
        after a pause in the typing (a burst of keys counts once, and the table repaints first:
        counting every key of 'p…' slowed each repaint by ~30 ms, bench.tui)."""
        if self._count_timer is not None:
            self._count_timer.stop()
        if self.table.ticket_query.search.strip():
            self._count_timer = self.set_timer(COUNT_AFTER_TYPING_PAUSE, self._count)
        else:
            self._count()

    def _count(self) -> None:
        query = self.table.ticket_query
        files = self.services.files
        files.run(
            self,
            _pill_counts,
            files.mirror,
            query,
            then=lambda counts: self._counts_ready(_counting(query), counts),
            what="counting the tickets",
            group="pill-counts",
            latest=True,
        )

    def _counts_ready(self, counted: tuple, counts: dict[Pill, int]) -> None:
        query = self.table.ticket_query
        if _counting(query) != counted:
            return  # counted for a query no longer asked for: its successor is on its way
        self._counted = (counted, counts)
        self.query_one(PillBar).set_counts(counts)
        narrowed = query.search.strip() or query.priority or query.category
        hidden = hidden_matches(counts, query.pill) if narrowed else 0
        shown_here = counts.get(query.pill, 0)
        self._say_when_empty(hidden)
        self._hidden_lines()
        self.query_one(MoreUnderAll).show_hidden(hidden if shown_here else 0)

    def _say_when_empty(self, hidden: int) -> None:
        """What an empty table says: loading (never synced), or where the `hidden` matches are."""
        if self.me is None:
            message = NOT_SYNCED_YET
        else:
            message = f"No tickets here — {more_under_all(hidden)}." if hidden else NO_TICKETS
        self.table.show_empty_message(message)

    def _change_query(self, **changes) -> None:
        self._show_query(self.table.ticket_query._replace(**changes))

    def _show_query(self, query: TicketQuery) -> None:
        before = self.table.ticket_query
        self.table.show(query, with_submitter=self.company_wide and query.scope is Scope.COMPANY)
        self.query_one(PillBar).active = query.pill
        for toggle in self.query(ScopeToggle):
            toggle.scope = query.scope
        self._show_filters(query)
        if _counting(before) != _counting(query):
            self._show_counts()
        elif before.pill is not query.pill and self._counted is not None:
            self._counts_ready(*self._counted)  # same matches, another pill: "N more under All"

    # --- actions ----------------------------------------------------------------------------

    def _show_filters(self, query: TicketQuery) -> None:
        """The filters in force, on a line of their own under the pills (none: no line). A
        status filter is one without a pill (waiting on vendor); the pills show the others."""
        from screens.filters import Filters  # the filter dialog's module: not for the first paint

        words = Filters(query.status, query.priority, query.category).in_words()
        self._hidden_lines()
        line = self.query_one("#filters", Static)
        line.update(Text(f"Filtered: {words} — f changes them" if words else ""))
        line.set_class(bool(words), "-shown")

    def action_pill(self, index: int) -> None:
        self._change_query(pill=PILLS[index], status=None)

    @on(PillBar.Chosen)
    def _pill_clicked(self, event: PillBar.Chosen) -> None:
        self._change_query(pill=event.pill, status=None)

    def action_filter(self) -> None:
        from screens.filters import Filters, FilterScreen

        query = self.table.ticket_query
        filters = Filters(query.wanted_status, query.priority, query.category)
        self.app.push_screen(FilterScreen(filters), callback=self._filtered)

    def _filtered(self, filters: Filters | None) -> None:
        if filters is None:
            return
        query = self.table.ticket_query._replace(priority=filters.priority, category=filters.category)
        query = showing_status(query, filters.status)
        self._change_query(pill=query.pill, status=query.status, priority=query.priority, category=query.category)

    def action_scope(self) -> None:
        if not self.company_wide:
            self.notify("You see only your own tickets, so there is no company view.", severity="warning")
            return
        scope = Scope.MINE if self.table.ticket_query.scope is Scope.COMPANY else Scope.COMPANY
        self._change_query(scope=scope)

    @on(ScopeToggle.Flipped)
    def _scope_clicked(self) -> None:
        self.action_scope()

    def action_sort(self) -> None:
        """The next column in SORT_ORDER that the table shows (Updated shows itself once chosen)."""
        order = [column for column in SORT_ORDER if column in self.table.sortable()]
        current = self.table.ticket_query.sort
        following = order[(order.index(current) + 1) % len(order)] if current in order else order[0]
        self._change_query(
            sort=following,
            descending=following in DESCENDING_FIRST,
        )

    def action_flip_sort(self) -> None:
        self._change_query(descending=not self.table.ticket_query.descending)

    @on(TicketTable.SortClicked)
    def _header_clicked(self, event: TicketTable.SortClicked) -> None:
        if event.sort is self.table.ticket_query.sort:
            self.action_flip_sort()
        else:
            self._change_query(sort=event.sort)

    def action_search(self) -> None:
        self._hidden_lines()  # a `/` before they come: the box now (its focus follows its mount)
        search = self.query_one("#search", Input)
        search.add_class("-shown")
        search.focus()

    @on(Input.Changed, "#search")
    def _search_typed(self, event: Input.Changed) -> None:
        self._change_query(search=event.value)

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.table.focus()

    def action_clear_search(self) -> None:
        self._hidden_lines()
        search = self.query_one("#search", Input)
        if search.has_focus and search.value:
            self.table.focus()
            return
        search.value = ""
        search.remove_class("-shown")
        self.table.focus()

    # --- saved views -----------------------------------------------------------------------------

    def action_save_view(self) -> None:
        from screens.views import SaveViewScreen

        view = View.of(self.table.ticket_query)
        self._with_views(
            lambda views: self.app.push_screen(
                SaveViewScreen(view, set(views)), callback=partial(self._save_view, view)
            )
        )

    def action_views(self) -> None:
        self._with_views(self._choose_view)

    def _choose_view(self, views: dict[str, View]) -> None:
        if not views:
            self.notify("No saved views yet: V saves the board as it is now as one.", markup=False)
            return
        from screens.views import ViewsScreen

        self.app.push_screen(
            ViewsScreen(views), callback=lambda name: self.recall_view(name, views[name]) if name else None
        )

    def _with_views(self, then: Callable[[dict[str, View]], object]) -> None:
        """Read the saved views (a file: off the event loop), then `then(views)`. Keys typed
        meanwhile wait for the screen `then` opens (OPEN_FORM_GROUP)."""
        shelf = self.services.views
        if shelf is None:
            self.notify("Views are kept in the config file, and this board has none.", severity="warning")
            return

        async def read() -> None:
            try:
                views = await asyncio.to_thread(shelf.load)
            except (ValueError, OSError) as error:  # the config file's sentence says how to fix it
                self.notify(visible(str(error)), title="Views", severity="error", markup=False)
                return
            then(views)

        self.run_worker(read, name="reading the saved views", group=OPEN_FORM_GROUP, exit_on_error=False)

    def _save_view(self, view: View, name: str | None) -> None:
        """Write `view` under `name` (None: the dialog was left with esc)."""
        shelf = self.services.views
        if name is None or shelf is None:
            return

        async def save() -> None:
            try:
                await asyncio.to_thread(shelf.save, name, view)
            except (ValueError, OSError) as error:
                self.notify(visible(str(error)), title="The view was not saved", severity="error", markup=False)
                return
            self.notify(
                f"Saved the view “{visible(name, one_line=True)}”: v recalls it, as does `msp-tickets list --view`.",
                markup=False,
            )

        # Keys typed after the name wait until the view is in the file (WRITE_GROUP).
        self.run_worker(save, name="saving the view", group=WRITE_GROUP, exit_on_error=False)

    def recall_view(self, name: str, view: View) -> None:
        """The board as the view says: its pill, search, filters and sort; the rest as new."""
        query = view.applied_to(TicketQuery(scope=self.table.ticket_query.scope))
        if not self.company_wide:
            query = query._replace(scope=Scope.COMPANY)
        self._hidden_lines()
        search = self.query_one("#search", Input)
        with search.prevent(Input.Changed):
            search.value = query.search
        search.set_class(bool(query.search), "-shown")
        self._show_query(query)
        self.notify(
            f"View “{visible(name, one_line=True)}”: {visible(view.in_words(), one_line=True)}", markup=False, timeout=3
        )

    # The other screens are loaded when first opened: the board's first paint does not need them.

    @on(TicketTable.Opened)
    def _open(self, event: TicketTable.Opened) -> None:
        from screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(self.services, event.ticket_id))

    def action_copy_reference(self) -> None:
        copy_reference(self.app, self.table.current())

    def action_stats(self) -> None:
        from screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.services))

    def action_new_ticket(self) -> None:
        from screens.drafts import open_with_draft
        from screens.new_ticket import DRAFT_NAME, NewTicketScreen

        open_with_draft(
            self,
            self.services.files,
            DRAFT_NAME,
            lambda saved: self.app.push_screen(NewTicketScreen(self.services, saved), callback=self._created),
        )

    def _created(self, ticket_id: int | None) -> None:
        """After the form: the new ticket's detail (and, either way, the board refreshed)."""
        if ticket_id is not None:
            from screens.detail import DetailScreen

            self.app.push_screen(DetailScreen(self.services, ticket_id))


def _counting(query: TicketQuery) -> tuple:
    """What the pills' counts depend on: the scope, the search and the filters (not the pill)."""
    return query.scope, query.search, query.priority, query.category


def _pill_counts(mirror, query: TicketQuery) -> dict[Pill, int]:
    return mirror.pill_counts(query.scope, query.search, priority=query.priority, category=query.category)


def _board_facts(mirror, query: TicketQuery) -> tuple[Viewer | None, TicketQuery, dict[Pill, int]]:
    """On the reader thread: who the user is (without pydantic), the query in the scope they
    may see, and its pill counts."""
    me = mirror.viewer()
    if me is None or me.access_level is AccessLevel.OWN:
        query = query._replace(scope=Scope.COMPANY)
    return me, query, _pill_counts(mirror, query)
