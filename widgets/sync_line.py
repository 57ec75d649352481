"""The status line: how fresh the board is, whether the portal is reachable, what waits to go."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.geometry import Region
from textual.widget import Widget

from cache.model import SyncStatus
from widgets.badges import ATTENTION_STYLE
from widgets.plain import visible
from widgets.when import ago_by_minute, clock_time, countdown, until_ago_changes

LEGEND_SEPARATOR = " · "
# Marks the words that change by the second (the countdown, or the clock time that stands in for
# it when the app is left alone): the line paints them apart from what goes before.
TICKING = Style(meta={"ticking": True})


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def describe_sync(
    status: SyncStatus,
    now: datetime,
    *,
    syncing: bool = False,
    busy: str | None = None,
    unread: int = 0,
    undo: str | None = None,
    left_alone: bool = False,
) -> Text:
    """`busy` names what waits for a local file another program holds; `unread` counts the
    activity lines not yet seen (`a` lists them); `undo` says what may be undone, first. The next
    sync is a countdown while someone uses the app; `left_alone`, its clock time (which needs no
    tick and is never stale). Apart from the undo's seconds (just after a key), nothing else changes
    by itself more than once a minute."""
    text = Text(end="")
    if undo:
        text.append(undo, style="bold")
        text.append(" · ")
    if busy:
        text.append(f"local files busy — retrying ({visible(busy, one_line=True)})", style=ATTENTION_STYLE)
        text.append(" · ")
    if status.offline_since is not None:
        text.append(f"offline since {clock_time(status.offline_since)} — showing cached data", style=ATTENTION_STYLE)
    elif status.last_synced_at is None:
        text.append("not synced yet")
    else:
        text.append(f"synced {ago_by_minute(status.last_synced_at, now)}")
    if status.last_error and status.offline_since is None:
        text.append(" · last sync failed: ", style=ATTENTION_STYLE)
        text.append(visible(status.last_error, one_line=True))
    if syncing:
        text.append(" · syncing…")
    elif status.next_sync_at is not None:
        text.append(" · next ")
        when = f"at {clock_time(status.next_sync_at)}" if left_alone else countdown(status.next_sync_at, now)
        text.append(when, style=TICKING)
    if status.waiting_to_send:
        text.append(" · " + _plural(status.waiting_to_send, "change", "changes") + " waiting to send")
    if status.needs_attention:
        text.append(" · ")
        text.append(
            f"{status.needs_attention} need{'s' if status.needs_attention == 1 else ''} attention",
            style=ATTENTION_STYLE,
        )
    if unread:
        text.append(" · ")
        text.append(_plural(unread, "change", "changes") + " · a to see", style="bold")
    return text


def until_words_change(status: SyncStatus, now: datetime) -> float | None:
    """Seconds until `describe_sync` of a board left alone says something else by itself ("synced
    3 min ago" at its next minute); None: not before the status changes."""
    if status.offline_since is not None or status.last_synced_at is None:
        return None
    return until_ago_changes(status.last_synced_at, now)


class Stretch(Widget):
    """One stretch of the status line, painted from its own left edge."""

    def __init__(self) -> None:
        super().__init__()
        self.text = Text(end="")

    def render(self) -> Text:
        return self.text


class SyncLine(Widget):
    """Shows the app's `sync_text` reactive (the app computes it once for every screen). Only the
    cells whose look changed are painted again. The line is two stretches side by side, split
    where its ticking words begin (`TICKING`): Textual writes a changed stretch from that
    stretch's left edge, so a tick of the countdown writes its own few cells, not the line up to
    them."""

    DEFAULT_CSS = """
    SyncLine {
        layout: horizontal; height: 1; width: 1fr; padding: 0 1; background: $panel; color: $text-muted;
    }
    SyncLine > Stretch { height: 1; text-wrap: nowrap; }
    SyncLine > Stretch.steady { width: 0; }
    /* one line: a long status is cut, not wrapped away */
    SyncLine > Stretch.ticking { width: 1fr; text-overflow: ellipsis; }
    """

    def __init__(self, *, legend: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.legend = legend  # shown after the status when the line has room for it
        self._text = Text(end="")
        self._split = 0  # the cell where the ticking stretch begins
        self._steady, self._ticking = Stretch(), Stretch()
        self._steady.add_class("steady")
        self._ticking.add_class("ticking")

    @property
    def text(self) -> Text:
        """What the line shows."""
        return self._text

    def compose(self) -> ComposeResult:
        yield self._steady
        yield self._ticking

    def on_mount(self) -> None:
        if hasattr(self.app, "sync_text"):
            self.watch(self.app, "sync_text", self._show)

    def _show(self, text: Text) -> None:
        """The legend goes after the status, " · " between them, only whole (`size` is the
        line's room inside its padding)."""
        legend = Text(LEGEND_SEPARATOR + self.legend, style="dim", end="")
        if self.legend and text.cell_len + legend.cell_len <= self.size.width:
            text = Text.assemble(text, legend, end="")
        old, self._text = self._text, text
        at = _ticking_start(text)
        split = cell_len(text.plain[:at])
        if split >= self.size.width:  # the line ends before its ticking words: one stretch
            at = split = 0
        self._steady.text, self._ticking.text = text[:at], text[at:]
        if split != self._split:  # the stretches move (a new layout): both are painted again
            self._split = split
            self._steady.styles.width = split
            self._steady.refresh()
            self._ticking.refresh()
            return
        start, end = changed_cells(old, text)
        if start < min(end, split):
            self._steady.refresh(Region(start, 0, min(end, split) - start, 1))
        if end > max(start, split):
            start = max(start, split)
            self._ticking.refresh(Region(start - split, 0, end - start, 1))

    def on_resize(self) -> None:
        if hasattr(self.app, "sync_text"):
            self._show(self.app.sync_text)
        self.refresh()


def changed_cells(old: Text, new: Text) -> tuple[int, int]:
    """The cells [start, end) outside of which `old` and `new` look the same (same characters,
    same styles): what a change of the text needs painted again. Where the change alters the
    width, what follows it has moved: it is painted again up to the end of the longer text."""
    before, after = _styled_characters(old), _styled_characters(new)
    same_start = 0
    for a, b in zip(before, after):
        if a != b:
            break
        same_start += 1
    same_end = 0
    for a, b in zip(reversed(before[same_start:]), reversed(after[same_start:])):
        if a != b:
            break
        same_end += 1
    if same_start == len(before) == len(after):
        return 0, 0
    start = cell_len(new.plain[:same_start])
    old_width, new_width = cell_len(old.plain), cell_len(new.plain)
    if old_width != new_width:
        return start, max(old_width, new_width)
    return start, cell_len(new.plain[: len(after) - same_end])


def _ticking_start(text: Text) -> int:
    """Where the words that change by the second begin (0: nowhere)."""
    return min((span.start for span in text.spans if span.style == TICKING), default=0)


def _styled_characters(text: Text) -> list[tuple[str, str]]:
    styles = [""] * len(text.plain)
    for span in text.spans:
        for index in range(span.start, min(span.end, len(styles))):
            styles[index] += f"|{span.style}"
    return list(zip(text.plain, styles))
