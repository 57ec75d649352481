"""A ticket's timeline, oldest first: each kind of event in its own colour and with its label,
as blocks for a `DocumentView`."""

from __future__ import annotations

from rich.style import Style

from cache.model import TimelineItem, assignment_words, status_change_words
from portal.vocabulary import AuthorRole, EventKind
from widgets.badges import ATTENTION_STYLE, MARK_PENDING, PENDING_STYLE
from widgets.colours import Palette
from widgets.document import PLAIN, Anchor, Block, Para, Spans
from widgets.plain import visible
from widgets.when import date_and_time

DIM = Style(dim=True)
EMPTY_STYLE = Style(dim=True, italic=True)
BODY_INDENT = 3
MARK_OPENED_AT = " ▶ "  # in place of the event's bar: the event the detail was opened at


def event_label(item: TimelineItem) -> str:
    if item.kind is EventKind.COMMENT:
        return "msp comment" if item.author_role is AuthorRole.MSP else "client comment"
    return item.kind.value.replace("_", " ")


def stars(score: int) -> str:
    return "★" * score + "☆" * (5 - score)


def event_summary(item: TimelineItem) -> str:
    """The one-line gist of a non-comment event."""
    if item.kind is EventKind.STATUS_CHANGE:
        return status_change_words(item.from_status, item.to_status)
    if item.kind is EventKind.ASSIGNMENT:
        return assignment_words(visible(item.assignee, one_line=True) if item.assignee else None)
    if item.kind is EventKind.RATING and item.score:
        return f"{stars(item.score)} {item.score}/5"
    return ""


def event_blocks(item: TimelineItem, palette: Palette, *, marked: bool = False) -> list[Block]:
    """`marked`: the event the detail was opened at (a line of the Activity), pointed at."""
    label = event_label(item)
    header: list[tuple[str, Style]] = [
        (MARK_OPENED_AT if marked else " ▌ ", palette.event[label]),
        (label, palette.event[label]),
        (" · ", DIM),
        (visible(item.author_name, one_line=True), PLAIN),
        (" · ", DIM),
        (date_and_time(item.created_at), DIM),
    ]
    if item.pending:
        header.append((f" · {MARK_PENDING}", PENDING_STYLE))
    blocks: list[Block] = [Spans(tuple(header))]
    if item.needs_attention:
        blocks.append(Para(f"needs attention: {visible(item.needs_attention)}", ATTENTION_STYLE, BODY_INDENT))
    summary = event_summary(item)
    if summary:
        blocks.append(Para(summary, PLAIN, BODY_INDENT))
    if item.body:
        blocks.append(Para(visible(item.body), PLAIN, BODY_INDENT))
    return blocks


def event_anchor(item: TimelineItem) -> Anchor:
    """Where the event starts in the document (`DocumentView.scroll_to_anchor`)."""
    return Anchor(("event", item.id))


def timeline_blocks(items: tuple[TimelineItem, ...], palette: Palette, *, marked: int | None = None) -> list[Block]:
    """`marked`: the id of the event to point at, if any."""
    if not items:
        return [Para("Nothing has happened on this ticket yet.", EMPTY_STYLE, BODY_INDENT)]
    blocks: list[Block] = []
    for item in items:
        if blocks:
            blocks.append(Para(""))
        blocks.append(event_anchor(item))
        blocks += event_blocks(item, palette, marked=item.id == marked)
    return blocks
