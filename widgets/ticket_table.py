"""The virtual ticket table: renders only the rows on screen, fetching pages from the mirror.

Like Textualize/toolong's `LogLines`, it is a `ScrollView` on the Line API: its virtual height
is the number of matching tickets (plus the header line), and `render_line` asks a small LRU of
pages, filled from `TicketSource.page()` on demand. 100,000 tickets cost what 100 cost.

The table never reads on the event loop: every read goes through `reads` (the screens' one path
to the local files), and a line whose page is not read yet paints as a placeholder until it is.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, ClassVar, NamedTuple, Protocol, Self

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.binding import Binding, BindingType
from textual.dom import NoScreen
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cache.model import SortColumn, TicketQuery, TicketRow
from portal.vocabulary import CATEGORY_LABELS, Status
from widgets.badges import (
    ATTENTION_STYLE,
    MARK_ATTENTION,
    MARK_ATTENTION_SHORT,
    MARK_CHANGED,
    MARK_PENDING,
    MARK_WAITING,
    PENDING_STYLE,
    priority_label,
    status_label,
)
from widgets.colours import Palette, palette_for
from widgets.guarded import Guarded
from widgets.plain import visible
from widgets.when import age, date_only, short_date

PAGE_SIZE = 100
PAGES_KEPT = 16


class TicketSource(Protocol):
    """What the table reads: `cache.mirror.Mirror` is one."""

    def page(self, query: TicketQuery, offset: int, limit: int) -> list[TicketRow]: ...
    def total(self, query: TicketQuery) -> int: ...
    def position(self, query: TicketQuery, ticket_id: int) -> int | None: ...


Reads = Callable[..., Awaitable[Any]]
"""`await reads(job, *args)`: `job(*args)` run off the event loop."""


async def _on_a_thread(job: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.to_thread(job, *args)


Text = tuple[str, Style]
# A cell is a text fitted to its column, or texts side by side (the markers), the last fitted to
# what the others leave.
Cell = Text | list[Text]


class Column(NamedTuple):
    title: str
    sort: SortColumn | None
    width: int  # 0: takes the room the others leave
    cell: Callable[[TicketRow, Palette, datetime], Cell]  # (row, palette, now)


Layout = tuple[tuple[Column, int], ...]
"""The columns shown and the width of each."""


class Paint(NamedTuple):
    """What the lines of one paint share."""

    width: int
    layout: Layout
    base: Style  # the table's own style
    palette: Palette
    now: datetime


NO_MARK: Text = (" ", Style())


def _marker(row: TicketRow, palette: Palette, _now: datetime) -> Cell:
    """Two slots of one cell each, so a row shows both marks and its text never shifts: what
    the row asks of the user (✗ a refused write, else ! waiting on you), and ● the MSP changed
    it since the user last opened it."""
    asks = NO_MARK
    if row.needs_attention:
        asks = ("✗", ATTENTION_STYLE)
    elif row.status is Status.WAITING_ON_CLIENT:
        asks = (MARK_WAITING, palette.status[row.status])
    return [asks, (MARK_CHANGED, palette.changed) if row.changed else NO_MARK]


def _ticket_id(row: TicketRow, _palette: Palette, _now: datetime) -> tuple[str, Style]:
    return ("new" if row.pending else f"#{row.id}"), (PENDING_STYLE if row.pending else Style())


def _age(row: TicketRow, palette: Palette, now: datetime) -> tuple[str, Style]:
    """Since the last activity; on a row waiting on the user, how long it has waited."""
    waited = row.status is Status.WAITING_ON_CLIENT and not row.pending
    return age((now - row.age_from).total_seconds()), palette.status[row.status] if waited else Style()


def _status(row: TicketRow, palette: Palette, _now: datetime, *, short: bool = False) -> tuple[str, Style]:
    if row.needs_attention:
        return (MARK_ATTENTION_SHORT if short else MARK_ATTENTION), ATTENTION_STYLE
    if row.pending:
        return MARK_PENDING, PENDING_STYLE
    return status_label(row.status, short=short), palette.status[row.status]


def _short_status(row: TicketRow, palette: Palette, now: datetime) -> tuple[str, Style]:
    return _status(row, palette, now, short=True)


MARKER = Column("", None, 2, _marker)
ID = Column("ID", SortColumn.ID, 7, _ticket_id)
SUBJECT = Column("Subject", SortColumn.SUBJECT, 0, lambda r, _p, _n: (visible(r.subject, one_line=True), Style()))
CATEGORY = Column("Category", SortColumn.CATEGORY, 8, lambda r, _p, _n: (CATEGORY_LABELS[r.category], Style()))
PRIORITY = Column(
    "Priority",
    SortColumn.PRIORITY,
    8,
    lambda r, palette, _n: (priority_label(r.priority), palette.priority[r.priority]),
)
CREATED = Column("Created", SortColumn.CREATED, 10, lambda r, _p, _n: (date_only(r.created_at), Style()))
UPDATED = Column("Updated", SortColumn.UPDATED, 10, lambda r, _p, _n: (date_only(r.updated_at), Style()))
CREATED_SHORT = Column("Created", SortColumn.CREATED, 7, lambda r, _p, now: (short_date(r.created_at, now), Style()))
UPDATED_SHORT = Column("Updated", SortColumn.UPDATED, 7, lambda r, _p, now: (short_date(r.updated_at, now), Style()))
AGE = Column("Age", SortColumn.AGE, 6, _age)
STATUS = Column("Status", SortColumn.STATUS, 17, _status)
STATUS_SHORT = Column("Status", SortColumn.STATUS, 9, _short_status)
SUBMITTED_BY = Column(
    "Submitted by",
    SortColumn.SUBMITTED_BY,
    14,
    lambda r, _p, _n: (visible(r.submitted_by_name, one_line=True), Style()),
)
SUBMITTER_SQUEEZED = 9
SUBJECT_MIN = 30  # the other columns give way, in GIVING_WAY's order, until the subject has this
GAP = 1

# What gives way on a narrow terminal, least useful first: a column made narrower (a width, or a
# narrower column in its place) or gone (None). The ticket number, subject and status stay, and
# so does the column the rows are sorted by (its ▲/▼ shows the order).
GIVING_WAY: tuple[tuple[Column, Column | int | None], ...] = (
    (SUBMITTED_BY, SUBMITTER_SQUEEZED),
    (AGE, None),
    (STATUS, STATUS_SHORT),
    (SUBMITTED_BY, None),
    (CREATED, CREATED_SHORT),
    (UPDATED, UPDATED_SHORT),
    (CREATED_SHORT, None),
    (UPDATED_SHORT, None),
    (CATEGORY, None),
    (PRIORITY, None),
)


# Cached: each line the table paints asks (a focus change paints the whole table again).
@lru_cache(maxsize=64)
def columns_for(width: int, with_submitter: bool, sort: SortColumn | None = None) -> Layout:
    """The columns and their widths for a table `width` cells wide; the subject gets the rest.
    Sorted by when they were updated, the tickets show that date in the place of the created
    one: the order is then visible."""
    date = UPDATED if sort is SortColumn.UPDATED else CREATED
    shown = [MARKER, ID, SUBJECT, CATEGORY, PRIORITY, date, AGE, STATUS] + [SUBMITTED_BY] * with_submitter
    widths = {column: column.width for column in shown}

    def room() -> int:
        return width - sum(widths[column] for column in shown) - GAP * (len(shown) - 1)

    def sorts(column: Column) -> bool:
        return sort is not None and column.sort is sort

    for column, narrower in GIVING_WAY:
        if room() >= SUBJECT_MIN:
            break
        if column not in shown or (narrower is None and sorts(column)):
            continue
        if narrower is None:
            shown.remove(column)
        elif isinstance(narrower, Column):
            shown[shown.index(column)] = narrower
            widths[narrower] = narrower.width
        else:
            widths[column] = narrower
    sorted_by = next((column for column in shown if sorts(column)), None)
    if sorted_by is not None and sorted_by is not SUBJECT:  # its title and ▲/▼ whole, if the subject can spare it
        wanted = cell_len(sorted_by.title) + 1 - widths[sorted_by]
        if wanted > 0 and room() - wanted >= SUBJECT_MIN:
            widths[sorted_by] += wanted
    subject = max(SUBJECT_MIN // 3, room())
    return tuple((column, widths[column] or subject) for column in shown)


class TicketTable(Guarded, ScrollView, can_focus=True):
    """Rows of tickets from a `TicketSource` for one `TicketQuery`, with a cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", tooltip="Open the ticket under the cursor", show=True, id="table.open"),
        Binding("up,k", "cursor(-1)", "Up", show=False, system=True, id="table.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, system=True, id="table.down"),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False, system=True, id="table.page_up"),
        Binding("pagedown,space,ctrl+d", "page(1)", "Page down", show=False, system=True, id="table.page_down"),
        Binding("home,g", "first", "First", show=False, system=True, id="table.first"),
        Binding("end,G", "last", "Last", show=False, system=True, id="table.last"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "ticket-table--header",
        "ticket-table--cursor",
        "ticket-table--cursor-blurred",
        "ticket-table--empty",
    }
    DEFAULT_CSS = """
    TicketTable { overflow-x: hidden; scrollbar-size-vertical: 1; }
    TicketTable > .ticket-table--header { text-style: bold; background: $panel; }
    TicketTable > .ticket-table--cursor { color: $block-cursor-foreground; background: $block-cursor-background; }
    TicketTable > .ticket-table--cursor-blurred {
        color: $block-cursor-foreground;
        background: $block-cursor-blurred-background;
    }
    TicketTable > .ticket-table--empty { color: $text-muted; text-style: italic; }
    """

    cursor = reactive(0, always_update=True, repaint=False)

    class Opened(Message):
        """The user chose a ticket (enter, or a click on the cursor row)."""

        def __init__(self, ticket_id: int) -> None:
            self.ticket_id = ticket_id
            super().__init__()

    class RowsShown(Message):
        """The rows of a query (or that it has none) are shown: the first time, the app's first
        paint is done."""

    class SortClicked(Message):
        def __init__(self, sort: SortColumn) -> None:
            self.sort = sort
            super().__init__()

    def __init__(
        self,
        source: TicketSource,
        query: TicketQuery = TicketQuery(),
        *,
        reads: Reads = _on_a_thread,
        with_submitter: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.source = source
        self._reads = reads
        self._query = query  # the query asked for
        self._shown = query  # the query whose rows are on screen (the same once counted)
        self._fetching: set[int] = set()  # pages being read for the lines on screen
        self._with_submitter = with_submitter
        self._pages: OrderedDict[int, list[TicketRow]] = OrderedDict()
        self._total = 0
        self._counted = False
        self._open_when_shown = False  # `enter` came while another query's rows were on screen
        self.empty_message = "No tickets here."
        self._painted: dict[int, Strip] = {}  # each line as last painted
        self._paint: Paint | None = None  # during a paint, what its lines share

    # --- the data ---------------------------------------------------------------------------

    @property
    def ticket_query(self) -> TicketQuery:
        """The query asked for last (its rows show as soon as they are counted). Not `query`:
        that is Textual's DOM query, which Textual itself calls (a double-click selects)."""
        return self._query

    @property
    def shown_query(self) -> TicketQuery:
        """The query whose rows are on screen: `ticket_query` once its count has come back."""
        return self._shown

    @property
    def total(self) -> int:
        return self._total

    @property
    def with_submitter(self) -> bool:
        return self._with_submitter

    def show(self, query: TicketQuery, *, with_submitter: bool | None = None, keep: int | None = None) -> None:
        """Show another query's tickets, from the top (or, keep=-1, on the same ticket)."""
        self._query = query
        if with_submitter is not None:
            self._with_submitter = with_submitter
        self.reload(keep=keep)

    def show_rows(self, query: TicketQuery, rows: list[TicketRow], *, with_submitter: bool) -> None:
        """Show `query` from its first `rows`, read by the caller (the board's opening, before
        the app started), at the next paint; `count_rows` counts them (after that paint:
        counting 100,000 rows on another thread would slow it)."""
        self._query = query
        self._with_submitter = with_submitter
        self._show_rows(query, len(rows), rows, 0)

    def count_rows(self) -> None:
        """Count the rows of the query shown by `show_rows`, if its first page was full."""
        if self._total == PAGE_SIZE and self._shown == self._query:
            self._count_after_first_page(self._query)

    def reload(self, *, keep: int | None = -1) -> None:
        """Re-read the source (after a sync). The cursor stays on ticket `keep` (default: the
        one it is on) wherever that ticket has moved, else at the same index.

        The reading runs off the event loop (`reads`), and the rows shown stay until the new
        ones are ready. A new query paints its first page as soon as it is read; counting
        (which can take a while on a big mirror: a one-letter search) follows."""
        keep_id = self.current_id() if keep == -1 else keep
        self._load(self._query, keep_id)

    @property
    def settled(self) -> bool:
        """The rows on screen are those of the query asked for."""
        return self._shown == self._query

    @property
    def opening(self) -> bool:
        """An `enter` waits for the new rows: keys typed after it are for the ticket it opens."""
        return self._open_when_shown

    @work(exclusive=True, group="ticket-table", name="reading the ticket list", exit_on_error=False)
    async def _load(self, query: TicketQuery, keep_id: int | None) -> None:
        try:
            await self._read_rows(query, keep_id)
        finally:
            if query == self._query:  # a failed read drops the open; a newer load settles it
                self._settle_open()

    async def _read_rows(self, query: TicketQuery, keep_id: int | None) -> None:
        index = 0
        if keep_id is not None:
            index = await self._read(query, self.source.position, query, keep_id)
        first_page = await self._read(query, self.source.page, query, 0, PAGE_SIZE)
        if first_page is None or query != self._query:
            return  # a newer query replaced this one while it was read
        if len(first_page) < PAGE_SIZE:
            self._show_rows(query, len(first_page), first_page, index)  # that is all of them
            return
        # Until counted: a new query has at least this page; a re-read keeps its old length.
        provisional = max(self._total, PAGE_SIZE) if keep_id is not None else PAGE_SIZE
        self._show_rows(query, provisional, first_page, index)
        await self._count(query, index)

    @work(exclusive=True, group="ticket-table", name="counting the ticket list", exit_on_error=False)
    async def _count_after_first_page(self, query: TicketQuery) -> None:
        await self._count(query, None)

    async def _read(self, query: TicketQuery, method, *args):
        """`method(*args)` off the event loop; None if `query` was replaced meanwhile."""
        return await self._reads(self._unless_replaced, query, method, *args)

    async def _count(self, query: TicketQuery, index: int | None) -> None:
        """The rows of the query shown, counted; then its last page read ahead."""
        total = await self._read(query, self.source.total, query)
        if total is None or query != self._query:
            return
        self._total = total
        self.virtual_size = Size(0, total + 1)
        self.move_cursor(index if index is not None else self.cursor)
        # `end` is the jump people make: its page (a deep OFFSET in the mirror) is read now,
        # in the background, rather than when the key is pressed.
        last = (total - 1) // PAGE_SIZE
        page = await self._read(query, self.source.page, query, last * PAGE_SIZE, PAGE_SIZE)
        if page is not None and query == self._shown:
            self._pages[last] = page

    def _unless_replaced(self, query: TicketQuery, method, *args):
        """On the reader thread: skip a read for a query the user has already moved on from."""
        return None if query != self._query else method(*args)

    def _show_rows(self, query: TicketQuery, total: int, first_page: list[TicketRow], index: int | None) -> None:
        same = self._counted and query == self._shown and total == self._total and first_page == self._pages.get(0)
        self._shown = query
        self._counted = True
        self._pages.clear()
        self._fetching.clear()
        self._pages[0] = first_page
        self._total = total
        self.virtual_size = Size(0, total + 1)
        self.move_cursor(index if index is not None else self.cursor)
        if same:
            self._repaint_changed_lines()
        else:
            self.refresh()
        # Posted from the table's own turn: one made in its screen's handler (the board's opening)
        # would stop at the screen, Textual's rule for a message whose sender is the parent.
        self.call_later(lambda: self.post_message(self.RowsShown()))
        self._settle_open()

    def row_at(self, index: int) -> TicketRow | None:
        """The row at `index` of the query shown, if its page has been read; if not, the page
        is asked for (the line paints as a placeholder until it comes)."""
        if not 0 <= index < self._total:
            return None
        number, within = divmod(index, PAGE_SIZE)
        page = self._pages.get(number)
        if page is None:
            self._fetch(number)
            return None
        self._pages.move_to_end(number)
        return page[within] if within < len(page) else None

    def _fetch(self, number: int) -> None:
        if number in self._fetching:
            return
        self._fetching.add(number)
        self.run_worker(
            self._read_page(self._shown, number),
            name="reading the ticket list",
            group="ticket-table-page",
            exit_on_error=False,
        )

    async def _read_page(self, query: TicketQuery, number: int) -> None:
        try:
            page = await self._reads(
                self._unless_replaced, query, self.source.page, query, number * PAGE_SIZE, PAGE_SIZE
            )
        finally:
            if query == self._shown:
                self._fetching.discard(number)
        if page is None or query != self._shown:
            return
        self._pages[number] = page
        if len(self._pages) > PAGES_KEPT:
            self._pages.popitem(last=False)
        self.refresh()

    def current(self) -> TicketRow | None:
        return self.row_at(self.cursor)

    def current_id(self) -> int | None:
        row = self.current()
        return row.id if row else None

    # --- the cursor -------------------------------------------------------------------------

    @property
    def rows_visible(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def move_cursor(self, index: int) -> None:
        self.cursor = max(0, min(index, self._total - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        top = round(self.scroll_y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + self.rows_visible:
            self.scroll_to(y=new - self.rows_visible + 1, animate=False, immediate=True)
        else:
            # Not scrolled: only the two rows whose look changed are painted again (over SSH a
            # cursor move then costs two lines, not the screen).
            for index in {old, new}:
                self.refresh_row(index)
            return
        self.refresh()

    # A focus change paints again only the cursor's row, the one line that looks different:
    # its look follows the focus in code rather than by a `:blur` rule (a change of the table's
    # styles paints every line), and Textual's own `focus` and focus handlers, which paint the
    # whole widget, are replaced by these (bench.keys: `/`, and `enter` back from the search).
    def _cursor_look(self) -> str:
        return "ticket-table--cursor" if self.has_focus else "ticket-table--cursor-blurred"

    def focus(self, scroll_visible: bool = True) -> Self:
        self.app.call_later(self._take_focus, scroll_visible)
        return self

    def _take_focus(self, scroll_visible: bool) -> None:
        with contextlib.suppress(NoScreen):
            self.screen.set_focus(self, scroll_visible=scroll_visible)

    def _on_focus(self, event: events.Focus) -> None:
        self._focus_changed(event, True, events.DescendantFocus)

    def _on_blur(self, event: events.Blur) -> None:
        self._focus_changed(event, False, events.DescendantBlur)

    def _focus_changed(
        self, event: events.Event, focused: bool, tell_parent: type[events.DescendantFocus | events.DescendantBlur]
    ) -> None:
        event.prevent_default()  # Textual's handler, which paints every line
        self.has_focus = focused
        self.refresh_row(self.cursor)
        if self.parent is not None:
            self.parent.post_message(tell_parent(self))

    def refresh_row(self, index: int) -> None:
        """Paint again the line that shows row `index` (nothing if it is not on the screen)."""
        line = index - round(self.scroll_y) + 1  # below the header
        if 1 <= line <= self.rows_visible:
            self.refresh(Region(0, line, self.size.width, 1))

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor + direction * self.rows_visible)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self._total - 1)

    def action_open(self) -> None:
        """Open the ticket under the cursor; right after a pill or sort change (`5` then
        `enter` in one burst), the one under the cursor once the new rows are in, never a row
        of the list being replaced."""
        if not self.settled:
            self._open_when_shown = True
            return
        row = self.current()
        if row is not None:
            self.post_message(self.Opened(row.id))

    def _settle_open(self) -> None:
        pending, self._open_when_shown = self._open_when_shown, False
        if pending and self.settled:
            self.action_open()

    def on_click(self, event: events.Click) -> None:
        line = event.y
        if line == 0:
            self._click_header(event.x)
            return
        index = round(self.scroll_y) + line - 1
        if not 0 <= index < self._total:
            return
        if index == self.cursor or event.chain >= 2:
            self.move_cursor(index)
            self.action_open()
        else:
            self.move_cursor(index)

    def _click_header(self, x: int) -> None:
        left = 0
        for column, width in self._layout():
            if left <= x < left + width + GAP and column.sort is not None:
                self.post_message(self.SortClicked(column.sort))
                return
            left += width + GAP

    # --- painting ---------------------------------------------------------------------------

    def _layout(self) -> Layout:
        return columns_for(self.scrollable_content_region.width, self._with_submitter, self._shown.sort)

    def sortable(self) -> list[SortColumn]:
        """The columns a sort may use: those shown, and Updated and Age (each shows itself once
        chosen)."""
        shown = [column.sort for column, _ in self._layout() if column.sort is not None]
        return shown + [sort for sort in (SortColumn.UPDATED, SortColumn.AGE) if sort not in shown]

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line of one paint shares, worked out once for all of them (a focus change
        # or a scroll paints them all).
        self._paint = self._paint_context()
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def _paint_context(self) -> Paint:
        width = self.scrollable_content_region.width
        clock = getattr(self.app, "clock", None)
        return Paint(
            width,
            columns_for(width, self._with_submitter, self._shown.sort),
            self.rich_style,
            palette_for(self.app.current_theme),
            datetime.fromtimestamp(clock(), tz=UTC) if clock else datetime.now(UTC),
        )

    def render_line(self, y: int) -> Strip:
        strip = self._painted[y] = self._line(y, self._paint or self._paint_context())
        return strip

    def _repaint_changed_lines(self) -> None:
        """Paint again only the lines that would look different now (after a reload that brought
        the same rows, an age that moved on): a sync that changed nothing writes nothing."""
        width, paint = self.size.width, self._paint_context()
        for y in range(self.size.height):
            if self._line(y, paint) != self._painted.get(y):
                self.refresh(Region(0, y, width, 1))

    def show_empty_message(self, message: str) -> None:
        """What the table says when it has no rows (painted again only if it shows)."""
        if message != self.empty_message:
            self.empty_message = message
            self._repaint_changed_lines()

    def _line(self, y: int, paint: Paint) -> Strip:
        width = paint.width
        if y == 0:
            return self._header_strip(paint)
        index = round(self.scroll_y) + y - 1
        row = self.row_at(index)
        if row is None:
            if y == 1 and self._total == 0:
                style = self.get_component_rich_style("ticket-table--empty")
                message = self.empty_message if self._counted else "Loading…"
                return Strip([Segment(set_cell_size(f" {message}", width), style)], width)
            if 0 <= index < self._total:  # its page is on the way
                style = self.get_component_rich_style("ticket-table--empty")
                return Strip([Segment(set_cell_size(" …", width), style)], width)
            return Strip.blank(width, paint.base)
        extra = self.get_component_rich_style(self._cursor_look()) if index == self.cursor else None
        return self._row_strip(row, paint, extra)

    def _cells(self, layout: Layout, cells: list[Cell], width: int, base: Style, extra: Style | None) -> Strip:
        """On the cursor row (`extra`) the badges keep their words and weight but take the
        cursor's colours, which are made to read together."""
        segments: list[Segment] = []
        gap = Segment(" " * GAP, base + extra if extra else base)
        for (_column, cell_width), cell in zip(layout, cells):
            if segments:
                segments.append(gap)
            parts = cell if isinstance(cell, list) else [cell]
            room = cell_width - sum(cell_len(text) for text, _ in parts[:-1])
            for n, (text, style) in enumerate(parts):
                fitted = _fit(text, room) if n == len(parts) - 1 else text
                segments.append(Segment(fitted, base + style.without_color + extra if extra else base + style))
        return Strip(segments).adjust_cell_length(width, base + extra if extra else base)

    def _row_strip(self, row: TicketRow, paint: Paint, extra: Style | None) -> Strip:
        texts = [column.cell(row, paint.palette, paint.now) for column, _ in paint.layout]
        return self._cells(paint.layout, texts, paint.width, paint.base, extra)

    def _header_strip(self, paint: Paint) -> Strip:
        texts = []
        for column, cell_width in paint.layout:
            title = column.title
            if column.sort is not None and column.sort is self._shown.sort:
                # The arrow stays when a narrow column cuts its title (by a letter: no "…").
                title = set_cell_size(title, cell_width - 1).rstrip() + ("▼" if self._shown.descending else "▲")
            texts.append((title, Style()))
        base = paint.base + self.get_component_rich_style("ticket-table--header")
        return self._cells(paint.layout, texts, paint.width, base, None)


def _fit(text: str, width: int) -> str:
    """Pad or cut to exactly `width` cells, with an ellipsis where the text was cut."""
    if cell_len(text) > width and width > 1:
        text = set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)
