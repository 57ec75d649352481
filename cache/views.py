"""A saved view: the board's pill (a status), search, filters and sort, kept under a name.

Plain values, no I/O: the config file holds them (tui/config.py reads and writes them), the
board saves and recalls them, and `msp-tickets list --view NAME` lists with one.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

from cache.model import SORT_LABELS, Pill, Scope, SortColumn, TicketQuery
from portal.vocabulary import CATEGORY_LABELS, PRIORITY_LABELS, STATUS_LABELS, Category, Priority, Status

# Newest, latest, longest waited and most urgent first; the rest A to Z (the board's `s` too).
DESCENDING_FIRST = frozenset({SortColumn.CREATED, SortColumn.UPDATED, SortColumn.AGE, SortColumn.PRIORITY})
NAME_MAX_LENGTH = 40  # a name the palette's "View: NAME" and the views list show whole


class View(NamedTuple):
    """A saved board: the pill (a status, None for All), search, filters and sort."""

    status: Status | None = None
    search: str = ""
    priority: Priority | None = None
    category: Category | None = None
    sort: SortColumn | None = None
    descending: bool | None = None
    scope: Scope | None = None

    @classmethod
    def of(cls, query: TicketQuery) -> View:
        """The board as `query` shows it, every part said (recalled, it is that board again)."""
        return cls(
            status=query.wanted_status,
            search=query.search if query.search.strip() else "",
            priority=query.priority,
            category=query.category,
            sort=query.sort,
            descending=query.descending,
            scope=query.scope,
        )

    def applied_to(self, query: TicketQuery) -> TicketQuery:
        """`query` narrowed as the view says; what the view leaves out stays as it was. A
        status with a pill selects the pill (the board shows it); another is a status filter."""
        changes: dict = {k: getattr(self, k) for k in ("priority", "category", "scope") if getattr(self, k)}
        if self.search:
            changes["search"] = self.search
        if self.sort is not None:
            changes["sort"] = self.sort
            changes["descending"] = self.sort in DESCENDING_FIRST
        if self.descending is not None:
            changes["descending"] = self.descending
        query = query._replace(**changes)
        return showing_status(query, self.status) if self.status is not None else query

    def in_words(self) -> str:
        """ "In Progress · “printer” · Priority High · by Updated ▼ · Mine": what it shows."""
        parts = [STATUS_LABELS[self.status] if self.status else "All"]
        if self.search:
            parts.append(f"“{self.search}”")
        parts += filter_words(None, self.priority, self.category)
        if self.sort is not None:
            descending = self.sort in DESCENDING_FIRST if self.descending is None else self.descending
            parts.append(f"by {SORT_LABELS[self.sort]} {'▼' if descending else '▲'}")
        if self.scope is not None:
            parts.append(self.scope.value.capitalize())
        return " · ".join(parts)


def showing_status(query: TicketQuery, status: Status | None) -> TicketQuery:
    """`query` showing the tickets of `status`: a status with a pill selects the pill (the board
    shows it), one without (waiting on vendor) is a status filter, None is All."""
    pill = next((p for p in Pill if p.status is status), Pill.ALL)
    return query._replace(pill=pill, status=None if pill.status is status else status)


def filter_words(status: Status | None, priority: Priority | None, category: Category | None) -> list[str]:
    """The filters in the board's words: ["Status Waiting on vendor", "Priority High"]."""
    parts = (
        ("Status", STATUS_LABELS, status),
        ("Priority", PRIORITY_LABELS, priority),
        ("Category", CATEGORY_LABELS, category),
    )
    return [f"{kind} {labels[value]}" for kind, labels, value in parts if value is not None]


def check_view_name(name: str) -> str:
    """`name` without the spaces around it, if it can name a view; else ValueError with a
    sentence saying what is wrong with it."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("The view's name is not valid text (it holds bytes that are not UTF-8).") from None
    name = name.strip()
    if not name:
        raise ValueError("The view needs a name, such as urgent.")
    if len(name) > NAME_MAX_LENGTH:
        raise ValueError(f"A view's name has at most {NAME_MAX_LENGTH} characters; this one has {len(name)}.")
    if any(unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp") for character in name):
        raise ValueError("A view's name cannot hold control characters (a tab, an escape, a line break…).")
    return name
