"""What the CLI prints: readable text for people, one stable JSON document per command for scripts.

Everything the CLI writes to stdout or stderr goes out through `write` and `say`, which pass it
through the one gate (`portal.visible_text.visible`): ticket text, names, the portal's error
sentences and the user's own input alike. A control character cannot reach the terminal raw
even from a sentence nobody thought of as portal text. JSON is escaped by `to_json` first, so
the gate leaves it unchanged and it stays valid.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime
from typing import Any

from cache.model import (
    SortColumn,
    SyncStatus,
    TicketRow,
    TicketView,
    TimelineItem,
    assignment_words,
    rating_words,
    status_change_words,
)
from portal.visible_text import visible as _visible
from portal.vocabulary import CATEGORY_LABELS, PRIORITY_LABELS, STATUS_LABELS, EventKind
from widgets.when import age, date_and_time

# json.dumps escapes C0 controls but leaves DEL and C1 raw, and a terminal acts on C1 (CSI).
_C1_AND_DEL = re.compile(r"[\x7f-\x9f]")


def visible(text: str | None) -> str:
    """Text safe to print: control characters spelled out, line breaks and tabs kept."""
    return _visible(text or "")


def write(text: str) -> None:
    """Data, to stdout, through the gate."""
    print(visible(text), file=sys.stdout)


def say(message: str) -> None:
    """A message, to stderr, through the gate."""
    print(visible(message), file=sys.stderr)


def one_line(text: str | None) -> str:
    return visible((text or "").replace("\r", " ").replace("\n", " ").replace("\t", " "))


def to_json(document: Any) -> str:
    """JSON with non-ASCII text readable, but DEL and C1 controls escaped (json leaves them raw)."""
    text = json.dumps(document, ensure_ascii=False, indent=2, default=_json_default)
    return _C1_AND_DEL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def ticket_ref(ticket_id: int) -> str:
    """How a ticket is named to a person: its number, or `pN` while only the outbox has it."""
    return str(ticket_id) if ticket_id > 0 else f"p{-ticket_id}"


def row_document(row: TicketRow) -> dict[str, Any]:
    return {
        "id": row.id if row.id > 0 else None,
        "ref": ticket_ref(row.id),
        "subject": row.subject,
        "category": row.category.value,
        "priority": row.priority.value,
        "status": row.status.value,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "submitted_by": {"id": row.submitted_by_id, "name": row.submitted_by_name},
        "assignee": row.assignee,
        "psa_ticket_id": row.psa_ticket_id,
        "pending": row.pending,
        "changed": row.changed,
        "needs_attention": row.needs_attention,
    }


def event_document(item: TimelineItem) -> dict[str, Any]:
    document = item._asdict()
    document.update(
        id=item.id if item.id > 0 else None,
        kind=item.kind.value,
        author_role=item.author_role.value,
        from_status=item.from_status.value if item.from_status else None,
        to_status=item.to_status.value if item.to_status else None,
    )
    return document


def view_document(view: TicketView) -> dict[str, Any]:
    return {
        **row_document(view.row),
        "description": view.description,
        "rating": view.rating,
        "rating_comment": view.rating_comment,
        "timeline": [event_document(item) for item in view.timeline],
        "can_confirm": view.can_confirm,
        "can_reopen": view.can_reopen,
        "can_rate": view.can_rate,
    }


def status_document(status: SyncStatus) -> dict[str, Any]:
    return status._asdict()


def when(moment: datetime | None) -> str:
    """A time in local time, as the board writes it; "never" for none."""
    return date_and_time(moment) if moment else "never"


def rows_table(
    rows: list[TicketRow], *, with_submitter: bool, sort: SortColumn | None = None, now: datetime | None = None
) -> str:
    """One line a ticket. Sorted by when it was updated or by its age, the list shows that too."""
    now = now or datetime.now(UTC)
    extra = {
        SortColumn.UPDATED: ("UPDATED", lambda row: when(row.updated_at)),
        SortColumn.AGE: ("AGE", lambda row: age((now - row.age_from).total_seconds())),
    }.get(sort)
    header = ["ID", "STATUS", "PRIORITY", "CATEGORY", "CREATED", *([extra[0]] if extra else []), "SUBJECT"]
    if with_submitter:
        header.insert(-1, "BY")
    lines = [header]
    for row in rows:
        marks = ("*" if row.changed else "") + (" (pending)" if row.pending else "")
        cells = [
            ticket_ref(row.id),
            STATUS_LABELS[row.status],
            PRIORITY_LABELS[row.priority],
            CATEGORY_LABELS[row.category],
            when(row.created_at),
            *([extra[1](row)] if extra else []),
            one_line(row.subject) + marks,
        ]
        if with_submitter:
            cells.insert(-1, one_line(row.submitted_by_name))
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[-1] for line in lines
    )


def _event_line(item: TimelineItem) -> str:
    stamp = when(item.created_at)
    who = f"{one_line(item.author_name)} ({item.author_role.value})"
    pending = " [pending]" if item.pending else ""
    if item.kind is EventKind.COMMENT:
        body = visible(item.body).replace("\n", "\n    ")
        return f"{stamp}  {who} commented{pending}:\n    {body}"
    # The same words as the board's timeline and the activity view (cache/model.py).
    if item.kind is EventKind.STATUS_CHANGE:
        return f"{stamp}  {who}: {status_change_words(item.from_status, item.to_status)}{pending}"
    if item.kind is EventKind.ASSIGNMENT:
        return f"{stamp}  {who}: {assignment_words(one_line(item.assignee) or None)}{pending}"
    comment = f" — {one_line(item.body)}" if item.body else ""
    return f"{stamp}  {who}: {rating_words(item.score)}{comment}{pending}"


def view_text(view: TicketView) -> str:
    row = view.row
    fields = [
        ("Ticket", ticket_ref(row.id) + ("  (pending: not yet sent to the portal)" if row.pending else "")),
        ("Subject", one_line(row.subject)),
        ("Status", STATUS_LABELS[row.status]),
        ("Priority", PRIORITY_LABELS[row.priority]),
        ("Category", CATEGORY_LABELS[row.category]),
        ("Submitted", f"{when(row.created_at)} by {one_line(row.submitted_by_name)}"),
        ("Assignee", one_line(row.assignee) or "not assigned yet"),
        ("PSA ticket", one_line(row.psa_ticket_id) or "not synced to the PSA yet"),
    ]
    if view.rating:
        fields.append(("Rating", f"{view.rating}/5 {one_line(view.rating_comment)}".rstrip()))
    if row.needs_attention:
        fields.append(("Needs attention", one_line(row.needs_attention)))
    width = max(len(name) for name, _ in fields)
    lines = [f"{name.ljust(width)}  {value}" for name, value in fields]
    lines += ["", visible(view.description), "", "Timeline:"]
    lines += [_event_line(item) for item in view.timeline] or ["  (nothing yet)"]
    return "\n".join(lines)
