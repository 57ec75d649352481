"""What the user has half-written (a new ticket, a comment): kept in the outbox file as they
type, so it survives `esc` and a crash, until the write it becomes is queued — and then removed
in that same transaction (`discard`, called by cache/outbox.py), never both or neither."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from cache.apply import now_text
from portal.sqlite import write_transaction


def discard(conn: sqlite3.Connection, name: str) -> None:
    """Remove draft `name` inside the caller's transaction."""
    conn.execute("DELETE FROM outbox.drafts WHERE name = ?", (name,))


class Drafts:
    """The drafts table of the outbox file, through `connection` (this thread's connection
    to the mirror with the outbox attached)."""

    def __init__(self, connection: Callable[[], sqlite3.Connection]) -> None:
        self._connection = connection

    def save(self, name: str, fields: dict[str, str]) -> None:
        with write_transaction(self._connection()) as conn:
            conn.execute(
                "INSERT INTO outbox.drafts (name, fields, saved_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET fields = excluded.fields, saved_at = excluded.saved_at",
                (name, json.dumps(fields), now_text()),
            )

    def load(self, name: str) -> dict[str, str] | None:
        row = self._connection().execute("SELECT fields FROM outbox.drafts WHERE name = ?", (name,)).fetchone()
        return json.loads(row[0]) if row else None

    def count(self) -> int:
        return self._connection().execute("SELECT count(*) FROM outbox.drafts").fetchone()[0]

    def clear(self, name: str) -> None:
        with write_transaction(self._connection()) as conn:
            discard(conn, name)
