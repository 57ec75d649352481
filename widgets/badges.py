"""Priority, status and marker badges: each colour-coded AND written out in words.

The words carry the meaning, the colour only helps: under NO_COLOR or on a monochrome terminal
bold and the chips (a badge with its own background) survive, so "Waiting on you" still stands
out. The colours come from the theme's palette (widgets/colours.py).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from cache.model import Pill
from portal.vocabulary import PRIORITY_LABELS, STATUS_LABELS, STATUS_SHORT_LABELS, Priority, Status
from widgets.colours import WHITE_ON_RED, Palette, chip

WAITING_ON_YOU = STATUS_LABELS[Status.WAITING_ON_CLIENT]
MARK_WAITING = "!"
MARK_CHANGED = "●"
MARK_PENDING = "pending"
MARK_ATTENTION = "needs attention"
MARK_ATTENTION_SHORT = "attention"  # in a narrow Status column, beside STATUS_SHORT_LABELS
# The same in every theme: chips with their own background read on any.
PENDING_STYLE = chip("#FFFFFF", "#5F5F5F", italic=True)
ATTENTION_STYLE = WHITE_ON_RED


def status_label(status: Status, *, short: bool = False) -> str:
    return (STATUS_SHORT_LABELS if short else STATUS_LABELS)[status]


def priority_label(priority: Priority) -> str:
    return PRIORITY_LABELS[priority]


def status_badge(status: Status, palette: Palette) -> Text:
    if status is Status.WAITING_ON_CLIENT:
        # A chip, and marked, so it still stands out with no colour at all.
        return Text(f"{MARK_WAITING} {WAITING_ON_YOU}", style=palette.status[status])
    return Text(status_label(status), style=palette.status[status])


def priority_badge(priority: Priority, palette: Palette) -> Text:
    return Text(priority_label(priority), style=palette.priority[priority])


def pill_style(pill: Pill, palette: Palette) -> Style:
    return palette.status[pill.status] if pill.status is not None else Style()
