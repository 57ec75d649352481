"""The change feed: what changed for this user since their cursor, in the database's seq order.

Feed rows carry no payload: each page serves the ticket or event as it is now, filtered by what
the user may see now. A cursor holds the last seq served, the user's access epoch, the portal's
identity and the serving run that issued it; a cursor from before an access change, older than
the retained floor, from another portal, or from this portal's future has expired (410), and
the client rebuilds from the start. "Its future": a seq past the last one given, or a run this
database does not remember, or a seq past where that run ended here — the database was
restored from an older backup, and it gives those seqs again to other changes.
"""

from __future__ import annotations

from portal.schema import Change, ChangeKind, ChangePage
from portal.server import cursors, storage
from portal.server.errors import cursor_expired
from portal.server.storage import Storage, User

CHANGES_LIMIT_DEFAULT = 500
CHANGES_LIMIT_MAX = 1000
FEED_FLOOR_KEY = "feed_floor"


class Feed:
    def __init__(self, db: Storage) -> None:
        self._db = db
        with db.write() as conn:
            self._run = storage.start_run(conn)

    def page(self, user: User, cursor: str | None, limit: int | None) -> ChangePage:
        limit = limit or CHANGES_LIMIT_DEFAULT
        after = 0
        with self._db.read() as db:
            portal_id = storage.portal_id(db)
            if cursor is not None:
                after = self._position(db, user, cursor, portal_id)
            rows = storage.changes_for(db, user, after, limit + 1)
            page, more = rows[:limit], len(rows) > limit
            tickets = storage.tickets_by_id(db, [row.ticket_id for row in page if row.kind is ChangeKind.TICKET])
            events = storage.events_by_id(db, [row.event_id for row in page if row.kind is ChangeKind.EVENT])
            # Every row up to the snapshot's last seq was considered, so the next sync starts
            # past it even when none of those rows were this user's.
            end = page[-1].seq if more else storage.last_seq(db)
        changes = [
            Change(
                seq=row.seq,
                kind=row.kind,
                ticket_id=row.ticket_id,
                ticket=tickets.get(row.ticket_id) if row.kind is ChangeKind.TICKET else None,
                event=events.get(row.event_id) if row.kind is ChangeKind.EVENT else None,
            )
            for row in page
        ]
        return ChangePage(
            changes=changes,
            next_cursor=cursors.encode(
                {
                    "seq": end,
                    "epoch": user.access_epoch,
                    "user": user.id,
                    "portal": portal_id,
                    "run": self._run,
                }
            ),
            has_more=more,
        )

    def _position(self, db, user: User, cursor: str, portal_id: str) -> int:
        fields = cursors.decode(
            cursor,
            {"seq": int, "epoch": int, "user": int, "portal": str, "run": str},
            issuer=("portal", portal_id),
        )
        floor = int(storage.get_state(db, FEED_FLOOR_KEY) or 0)
        # Someone else's cursor is as good as none: it would skip what this user has not seen.
        stale = fields["epoch"] != user.access_epoch or fields["user"] != user.id
        if stale or fields["seq"] < floor:
            raise cursor_expired()
        if fields["run"] == self._run:
            issued_up_to = storage.last_seq(db)
        else:
            issued_up_to = storage.last_seq_of_run(db, fields["run"])
        if issued_up_to is None or fields["seq"] > issued_up_to:
            # Served by a run this database does not remember, or past where that run ended
            # here: this database was restored from an older backup, and what the client
            # holds after the backup never happened here (its seqs are being given again).
            raise cursor_expired("is ahead of this portal's change feed (restored from a backup?)")
        return fields["seq"]
