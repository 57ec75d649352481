"""A ticket's timeline, oldest first: each kind of event in its own colour and with its label."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from cache.model import TimelineItem
from portal.schema import AuthorRole, EventKind
from widgets.badges import ATTENTION_STYLE, MARK_PENDING, PENDING_STYLE, status_label
from widgets.plain import visible
from widgets.when import date_and_time

KIND_STYLES: dict[str, Style] = {
    "msp comment": Style(color="cyan", bold=True),
    "client comment": Style(color="green", bold=True),
    "status change": Style(color="yellow", bold=True),
    "assignment": Style(color="magenta", bold=True),
    "rating": Style(color="bright_yellow", bold=True),
}


def event_label(item: TimelineItem) -> str:
    if item.kind is EventKind.COMMENT:
        return "msp comment" if item.author_role is AuthorRole.MSP else "client comment"
    return item.kind.value.replace("_", " ")


def stars(score: int) -> str:
    return "★" * score + "☆" * (5 - score)


def event_summary(item: TimelineItem) -> str:
    """The one-line gist of a non-comment event."""
    if item.kind is EventKind.STATUS_CHANGE:
        before = status_label(item.from_status) if item.from_status else "—"
        after = status_label(item.to_status) if item.to_status else "—"
        return f"{before} → {after}"
    if item.kind is EventKind.ASSIGNMENT:
        return f"assigned to {item.assignee}" if item.assignee else "unassigned"
    if item.kind is EventKind.RATING and item.score:
        return f"{stars(item.score)} {item.score}/5"
    return ""


def event_text(item: TimelineItem) -> Text:
    label = event_label(item)
    text = Text("▌ ", style=KIND_STYLES[label], end="")
    text.append(label, style=KIND_STYLES[label])
    text.append(" · ", style="dim")
    text.append(visible(item.author_name, one_line=True))
    text.append(" · ", style="dim")
    text.append(date_and_time(item.created_at), style="dim")
    if item.pending:
        text.append(f" · {MARK_PENDING}", style=PENDING_STYLE)
    if item.needs_attention:
        text.append(f"\n  needs attention: {visible(item.needs_attention)}", style=ATTENTION_STYLE)
    summary = event_summary(item)
    if summary:
        text.append("\n  " + summary)
    if item.body:
        text.append("\n")
        body = visible(item.body)
        text.append("\n".join("  " + line for line in body.split("\n")))
    return text


def timeline_text(items: tuple[TimelineItem, ...]) -> Text:
    if not items:
        return Text("Nothing has happened on this ticket yet.", style="dim italic")
    return Text("\n\n", end="").join(event_text(item) for item in items)


class Timeline(Static):
    """The timeline as one block of text; the detail screen scrolls it."""

    DEFAULT_CSS = """
    Timeline { height: auto; padding: 0 1; }
    """

    def show(self, items: tuple[TimelineItem, ...]) -> None:
        self.update(timeline_text(items))
