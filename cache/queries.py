"""The mirror's SQL: every query the screens need is one statement.

Lists are a compound SELECT of two arms — the mirrored tickets and the tickets waiting in the
outbox — under one ORDER BY, so SQLite merges two ordered streams and each arm walks its own
index: a page costs its rows, not the table. Searches lead with the FTS subquery
(`+t.id IN (SELECT rowid FROM fts WHERE fts MATCH ...)`): FTS finds the matching tickets once,
as a set, and the sort index is walked against it until the page is full. On 100,000 tickets
that costs 1-25 ms whatever the word; looking the matches up one by one and sorting them costs
up to 60 ms for a word in most tickets, and asking FTS about each row in turn (a correlated
MATCH) about 1 s. bench/mirror.py prints the figures beside a plain join. A count (the
table's total, the pills while searching) has no order to walk: it looks the matches up by id
(1 ms rather than 32 ms for a word in 1 % of tickets, 67 rather than 84 ms for one in most).
A one-word search that names a ticket (its number, its PSA id) adds that ticket to the set.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple

from cache.model import SortColumn, TicketQuery
from portal.sqlite import LIKE_ESCAPE, like_containing
from portal.vocabulary import Category, Priority, Status

TICKET_COLUMNS = (
    "id subject category priority description status created_at updated_at submitted_by_id "
    "submitted_by_name company_id assignee psa_ticket_id rating rating_comment client_ref"
).split()
EVENT_COLUMNS = (
    "id ticket_id kind author_role author_name author_id body from_status to_status assignee score created_at"
).split()


def _upsert(table: str, columns: list[str]) -> str:
    names = ", ".join(columns)
    values = ", ".join(f":{c}" for c in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
    return f"INSERT INTO {table} ({names}) VALUES ({values}) ON CONFLICT(id) DO UPDATE SET {updates}"


def last_turn_to_waiting(ticket_id: str) -> str:
    """When the ticket `ticket_id` (an SQL expression) last turned to waiting on the client."""
    return (
        f"SELECT max(e.created_at) FROM events e WHERE e.ticket_id = {ticket_id} "
        "AND e.kind = 'status_change' AND e.to_status = 'waiting_on_client'"
    )


# A ticket first seen after its events (back in view after an access change) still knows when
# the MSP last touched it, and when it last turned to waiting on the client.
INSERT_TICKET = (
    f"INSERT INTO tickets ({', '.join(TICKET_COLUMNS)}, last_msp_change_at, waiting_since) "
    f"VALUES ({', '.join(':' + c for c in TICKET_COLUMNS)}, "
    "(SELECT max(created_at) FROM events WHERE ticket_id = :id AND author_role = 'msp'), "
    f"({last_turn_to_waiting(':id')}))"
)
SELECT_TICKET_COLUMNS = f"SELECT {', '.join(TICKET_COLUMNS)} FROM tickets WHERE id = ?"
UPSERT_EVENT = _upsert("events", EVENT_COLUMNS)
NOTE_MSP_CHANGE = (
    "UPDATE tickets SET last_msp_change_at = :created_at WHERE id = :ticket_id "
    "AND (last_msp_change_at IS NULL OR last_msp_change_at < :created_at)"
)
NOTE_TURN_TO_WAITING = (
    "UPDATE tickets SET waiting_since = :created_at WHERE id = :ticket_id "
    "AND (waiting_since IS NULL OR waiting_since < :created_at)"
)
BASELINE_OPENED = "UPDATE tickets SET opened_at = COALESCE(last_msp_change_at, '') WHERE opened_at IS NULL"
_INDEX_TEXT = """
    INSERT INTO fts (rowid, subject, description, comments)
    SELECT t.id, t.subject, t.description,
           (SELECT group_concat(e.body, char(10)) FROM events e
            WHERE e.ticket_id = t.id AND e.kind = 'comment')
    FROM tickets t
"""
INDEX_ALL_TICKETS = _INDEX_TEXT
INDEX_TICKETS = _INDEX_TEXT + "WHERE t.id IN (SELECT value FROM json_each(?))"
REMOVE_TICKET = (
    "DELETE FROM tickets WHERE id = ?",
    "DELETE FROM events WHERE ticket_id = ?",
    "DELETE FROM fts WHERE rowid = ?",
)
WIPE = (
    "DELETE FROM tickets",
    "DELETE FROM events",
    "DELETE FROM fts",
    "UPDATE sync_state SET cursor = NULL, full_sync_complete = 0",
)

SYNC_STATUS = """
    SELECT s.*,
        (SELECT count(*) FROM outbox.outbox WHERE state = 'pending') AS waiting,
        (SELECT count(*) FROM outbox.outbox WHERE state = 'needs_attention') AS attention
    FROM sync_state s
"""

_PENDING_TICKETS = "outbox.outbox o WHERE o.kind = 'ticket' AND o.state != 'done'"


def pill_counts(mine_only: bool) -> str:
    """Counts per pill in one statement: one index range per status (the (status, submitter)
    index covers both scopes), All as their sum; pending tickets count as open."""
    scope = " AND t.submitted_by_id = :me" if mine_only else ""
    per_status = ",\n".join(
        f"(SELECT count(*) FROM tickets t WHERE t.status = '{s.value}'{scope}) AS {s.value}" for s in Status
    )
    every_status = " + ".join(s.value for s in Status)
    return f"""
        WITH counted AS (SELECT {per_status}),
             pending AS (SELECT count(*) AS n FROM {_PENDING_TICKETS})
        SELECT {every_status} + pending.n AS "all", open + pending.n AS open, in_progress,
            waiting_on_client, resolved, closed
        FROM counted, pending
    """


def matching_pill_counts(where: Filter) -> tuple[str, dict[str, Any]]:
    """How many tickets of each status match a search (and scope): the pills while searching.
    The search narrows first, so this costs the matches, not the table."""
    arms, params = _arms(TicketQuery(sort=SortColumn.ID), where._replace(status=None), walk_sort_index=False)
    return f"SELECT status, count(*) AS n FROM ({arms}) GROUP BY status", params


# --- lists ----------------------------------------------------------------------------------------

_CHANGED = "(t.last_msp_change_at IS NOT NULL AND (t.opened_at IS NULL OR t.last_msp_change_at > t.opened_at))"
_MIRRORED_ROW = f"""
    t.id, t.subject, t.category, t.priority, t.status, t.created_at, t.updated_at,
    t.submitted_by_id, t.submitted_by_name, t.assignee, t.psa_ticket_id,
    0 AS pending, {_CHANGED} AS changed, NULL AS own_attention, t.waiting_since
"""
_PENDING_ROW = """
    -o.id AS id, json_extract(o.payload, '$.subject') AS subject,
    json_extract(o.payload, '$.category') AS category,
    json_extract(o.payload, '$.priority') AS priority, 'open' AS status,
    o.created_at AS created_at, o.created_at AS updated_at,
    COALESCE(o.author_id, 0) AS submitted_by_id, o.author_name AS submitted_by_name,
    NULL AS assignee, NULL AS psa_ticket_id, 1 AS pending, 0 AS changed,
    o.attention_message AS own_attention, NULL AS waiting_since
"""


def _outbox_overlay(row: str) -> str:
    """What the outbox says about the rows of `row`: the portal's refusal of something queued
    on the ticket, and the status a queued confirm or reopen will give it. Applied after the
    LIMIT, so a page pays for its own rows only."""
    return f"""
        COALESCE({row}.own_attention,
            (SELECT a.attention_message FROM outbox.outbox a WHERE a.ticket_ref = {row}.id
             AND a.state = 'needs_attention' ORDER BY a.id DESC LIMIT 1)) AS needs_attention,
        (SELECT CASE p.kind WHEN 'confirm' THEN 'closed' ELSE 'open' END FROM outbox.outbox p
         WHERE p.ticket_ref = {row}.id AND p.kind IN ('confirm', 'reopen')
         AND p.state = 'pending' ORDER BY p.id DESC LIMIT 1) AS pending_status
    """


def rank_of(expression: str, order: type[StrEnum]) -> str:
    """`expression`'s place in `order`, from 1: severity for a priority, the workflow for a status."""
    places = " ".join(f"WHEN '{member.value}' THEN {place}" for place, member in enumerate(order, 1))
    return f"CASE {expression} {places} END"


# The mirror's tickets carry these as generated, indexed columns (cache/schema.py).
PRIORITY_RANK = rank_of("priority", Priority)
STATUS_RANK = rank_of("status", Status)
# What the board's Age counts from: the last update, or on a ticket waiting on the client its
# last turn to waiting.
AGE_FROM = "CASE WHEN status = 'waiting_on_client' THEN COALESCE(waiting_since, updated_at) ELSE updated_at END"

_PRIORITY_RANK_OF_PENDING = rank_of("json_extract(o.payload, '$.priority')", Priority)
# Sort column -> (key in the mirrored arm, key in the pending arm, collation).
SORT_KEYS: dict[SortColumn, tuple[str, str, str]] = {
    SortColumn.ID: ("t.id", "-o.id", "BINARY"),
    SortColumn.SUBJECT: ("t.subject", "json_extract(o.payload, '$.subject')", "NOCASE"),
    SortColumn.CATEGORY: ("t.category", "json_extract(o.payload, '$.category')", "BINARY"),
    SortColumn.PRIORITY: ("t.priority_rank", _PRIORITY_RANK_OF_PENDING, "BINARY"),
    SortColumn.CREATED: ("t.created_at", "o.created_at", "BINARY"),
    SortColumn.UPDATED: ("t.updated_at", "o.created_at", "BINARY"),
    SortColumn.STATUS: ("t.status_rank", "1", "BINARY"),
    SortColumn.SUBMITTED_BY: ("t.submitted_by_name", "o.author_name", "NOCASE"),
    SortColumn.AGE: ("t.age_from", "o.created_at", "BINARY"),
}
# Sorted by a time an age is counted from: the longer the age, the earlier that time.
COUNTED_BACK = frozenset({SortColumn.AGE})


class Filter(NamedTuple):
    status: Status | None
    priority: Priority | None
    category: Category | None
    words: tuple[str, ...]  # as typed, for the few pending tickets (not in FTS)
    match: str | None  # the FTS5 expression; None with words means no text can match
    mine_only: bool
    me: int | None
    number: int | None = None  # a ticket number the search names (cache/search.py)
    psa_id: str | None = None  # a PSA id the search may be


def _matching_ids(where: Filter, params: dict[str, Any]) -> str | None:
    """The ids a search matches, as one subquery: FTS's, and the ticket its word names."""
    sources = []
    if where.match is not None:
        sources.append("SELECT rowid FROM fts WHERE fts MATCH :match")
        params["match"] = where.match
    if where.number is not None:
        sources.append("SELECT :number")
        params["number"] = where.number
    if where.psa_id is not None:
        sources.append("SELECT id FROM tickets WHERE psa_ticket_id = :psa_id COLLATE NOCASE")
        params["psa_id"] = where.psa_id
    return " UNION ALL ".join(sources) or None


def _arms(query: TicketQuery, where: Filter, *, walk_sort_index: bool = True) -> tuple[str, dict[str, Any]]:
    """The two arms of a ticket list, each with its sort key as column `sort_key`.
    `walk_sort_index=False` when the order does not matter (a count): the matches are then
    looked up by id rather than tested while the whole table is walked."""
    mirrored_key, pending_key, _ = SORT_KEYS[query.sort]
    params: dict[str, Any] = {}
    mirrored = ["1"]
    pending = [_PENDING_TICKETS.split(" WHERE ", 1)[1]]
    if where.status is not None:
        mirrored.append("t.status = :status")
        params["status"] = where.status.value
        if where.status is not Status.OPEN:
            pending.append("0")
    for column in ("priority", "category"):
        value = getattr(where, column)
        if value is not None:
            mirrored.append(f"t.{column} = :{column}")
            pending.append(f"json_extract(o.payload, '$.{column}') = :{column}")
            params[column] = value.value
    if where.words:
        # The text, or the ticket the word names: its number or PSA id.
        ids = _matching_ids(where, params)
        # `+t.id`: the matches are a set to test rows against while the sort index is
        # walked, never rows to look up one by one and then sort (60 ms for a word in
        # most tickets, against 25 ms at worst this way; see the module docstring).
        mirrored.append(f"{'+' if walk_sort_index else ''}t.id IN ({ids})" if ids else "0")
        if where.match is None:
            pending.append("0")
        else:
            for n, word in enumerate(where.words):
                pending.append(
                    "(json_extract(o.payload, '$.subject') || ' ' || "
                    f"json_extract(o.payload, '$.description')) LIKE :word{n} {LIKE_ESCAPE}"
                )
                params[f"word{n}"] = like_containing(word)
    if where.mine_only:
        mirrored.append("t.submitted_by_id = :me")
        params["me"] = where.me
    sql = (
        f"SELECT {_MIRRORED_ROW}, {mirrored_key} AS sort_key FROM tickets t "
        f"WHERE {' AND '.join(mirrored)} "
        f"UNION ALL "
        f"SELECT {_PENDING_ROW}, {pending_key} AS sort_key FROM outbox.outbox o "
        f"WHERE {' AND '.join(pending)}"
    )
    return sql, params


def _order(query: TicketQuery) -> str:
    _, _, collation = SORT_KEYS[query.sort]
    direction = "DESC" if query.descending != (query.sort in COUNTED_BACK) else "ASC"
    return f"sort_key COLLATE {collation} {direction}, id {direction}"


def ticket_page(query: TicketQuery, where: Filter) -> tuple[str, dict[str, Any]]:
    arms, params = _arms(query, where)
    order = _order(query)
    return (
        f"SELECT page.*, {_outbox_overlay('page')} FROM "
        f"({arms} ORDER BY {order} LIMIT :limit OFFSET :offset) AS page ORDER BY {order}",
        params,
    )


def ticket_total(where: Filter) -> tuple[str, dict[str, Any]]:
    arms, params = _arms(TicketQuery(sort=SortColumn.ID), where, walk_sort_index=False)
    return f"SELECT count(*) FROM ({arms})", params


def ticket_position(query: TicketQuery, where: Filter) -> tuple[str, dict[str, Any]]:
    arms, params = _arms(query, where)
    return (
        f"SELECT position FROM (SELECT id, row_number() OVER (ORDER BY {_order(query)}) - 1 "
        f"AS position FROM ({arms})) WHERE id = :ticket_id",
        params,
    )


# --- one ticket with its timeline -----------------------------------------------------------------

TICKET_WITH_TIMELINE = f"""
    WITH ticket AS (
        SELECT found.*, {_outbox_overlay("found")} FROM (
            SELECT {_MIRRORED_ROW}, t.description, t.rating, t.rating_comment
            FROM tickets t WHERE t.id = :id
            UNION ALL
            SELECT {_PENDING_ROW}, json_extract(o.payload, '$.description') AS description,
                NULL AS rating, NULL AS rating_comment
            FROM outbox.outbox o WHERE o.id = -:id AND o.kind = 'ticket' AND o.state != 'done'
        ) AS found
    ),
    timeline AS (
        SELECT e.id AS ev_id, e.kind AS ev_kind, e.author_role AS ev_author_role,
            e.author_name AS ev_author_name, e.body AS ev_body,
            e.from_status AS ev_from_status, e.to_status AS ev_to_status,
            e.assignee AS ev_assignee, e.score AS ev_score, e.created_at AS ev_created_at,
            0 AS ev_pending, NULL AS ev_attention
        FROM events e WHERE e.ticket_id = :id
        UNION ALL
        SELECT -o.id,
            CASE o.kind WHEN 'comment' THEN 'comment' WHEN 'rating' THEN 'rating'
                ELSE 'status_change' END,
            'client', o.author_name,
            CASE o.kind WHEN 'comment' THEN json_extract(o.payload, '$.body')
                WHEN 'rating' THEN json_extract(o.payload, '$.rating_comment') END,
            CASE WHEN o.kind IN ('confirm', 'reopen') THEN 'resolved' END,
            CASE o.kind WHEN 'confirm' THEN 'closed' WHEN 'reopen' THEN 'open' END,
            NULL,
            CASE o.kind WHEN 'rating' THEN json_extract(o.payload, '$.score') END,
            o.created_at, 1, o.attention_message
        FROM outbox.outbox o
        WHERE o.ticket_ref = :id AND o.kind != 'ticket' AND o.state != 'done'
    )
    SELECT ticket.*, timeline.* FROM ticket LEFT JOIN timeline ON 1
    ORDER BY timeline.ev_pending, timeline.ev_created_at, timeline.ev_id
"""
