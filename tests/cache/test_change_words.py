"""Changes are data; their words come from one place, with the labels of the schema."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cache.model import NewsKind, SyncResult, TicketChange
from portal.schema import AuthorRole, Status

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def change(kind: NewsKind, role: AuthorRole = AuthorRole.MSP, **fields) -> TicketChange:
    return TicketChange(7, "Printer", kind, role, fields.pop("author_name", "Ana Ruiz"), AT, **fields)


@pytest.mark.parametrize(
    ("the_change", "words"),
    [
        (
            change(NewsKind.STATUS_CHANGE, from_status=Status.IN_PROGRESS, to_status=Status.WAITING_ON_CLIENT),
            "In Progress → Waiting on you",
        ),
        (change(NewsKind.COMMENT, body="Fixed it.\nDetails below"), "MSP: Fixed it."),
        (change(NewsKind.COMMENT, AuthorRole.CLIENT, author_name="Jordan Lee", body="Thanks"), "Jordan Lee: Thanks"),
        (change(NewsKind.ASSIGNMENT, assignee="Ana Ruiz"), "assigned to Ana Ruiz"),
        (change(NewsKind.ASSIGNMENT), "unassigned"),
        (change(NewsKind.RATING, AuthorRole.CLIENT, author_name="Sam Taylor", score=4), "rated 4/5 by Sam Taylor"),
        (change(NewsKind.NEW_TICKET, AuthorRole.CLIENT, author_name="Sam Taylor"), "new ticket from Sam Taylor"),
    ],
)
def test_each_kind_of_change_in_words(the_change: TicketChange, words: str) -> None:
    assert the_change.what == words


def test_a_sync_result_splits_new_tickets_from_changes_to_known_ones() -> None:
    new = change(NewsKind.NEW_TICKET, AuthorRole.CLIENT)
    reply = change(NewsKind.COMMENT, body="On it")
    result = SyncResult(changes=(new, reply))
    assert result.new_tickets == (new,) and result.by_others == (reply,)
