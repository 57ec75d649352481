"""Priority, status and marker badges: each colour-coded AND written out in words.

The words carry the meaning, the colour only helps: under NO_COLOR or on a monochrome terminal
bold and reverse survive, so "Waiting on you" still stands out.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from cache.model import Pill
from portal.schema import PRIORITY_LABELS, STATUS_LABELS, Priority, Status

PRIORITY_STYLES: dict[Priority, Style] = {
    Priority.LOW: Style(color="green"),
    Priority.MEDIUM: Style(color="yellow"),
    Priority.HIGH: Style(color="dark_orange", bold=True),
    Priority.CRITICAL: Style(color="bright_white", bgcolor="red", bold=True),
}

STATUS_STYLES: dict[Status, Style] = {
    Status.OPEN: Style(color="cyan"),
    Status.IN_PROGRESS: Style(color="blue", bold=True),
    Status.WAITING_ON_CLIENT: Style(color="yellow", bold=True, reverse=True),
    Status.WAITING_ON_VENDOR: Style(color="magenta"),
    Status.RESOLVED: Style(color="green", bold=True),
    Status.CLOSED: Style(dim=True),
}

WAITING_ON_YOU = STATUS_LABELS[Status.WAITING_ON_CLIENT]
MARK_WAITING = "!"
MARK_CHANGED = "●"
MARK_PENDING = "pending"
MARK_ATTENTION = "needs attention"
PENDING_STYLE = Style(italic=True, color="bright_black")
ATTENTION_STYLE = Style(color="red", bold=True)
CHANGED_STYLE = Style(color="bright_cyan", bold=True)


def status_label(status: Status) -> str:
    return STATUS_LABELS[status]


def priority_label(priority: Priority) -> str:
    return PRIORITY_LABELS[priority]


def status_badge(status: Status) -> Text:
    if status is Status.WAITING_ON_CLIENT:
        # Reversed (see STATUS_STYLES), so it still stands out with no colour at all.
        return Text(f"{MARK_WAITING} {WAITING_ON_YOU}", style=STATUS_STYLES[status])
    return Text(status_label(status), style=STATUS_STYLES[status])


def priority_badge(priority: Priority) -> Text:
    return Text(priority_label(priority), style=PRIORITY_STYLES[priority])


def pill_style(pill: Pill) -> Style:
    return STATUS_STYLES[pill.status] if pill.status is not None else Style()
