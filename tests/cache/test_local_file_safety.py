"""Issue 9, items 3 and 5 at the mirror: a submit and the removal of its draft are one
transaction; the mirror notices its file deleted, replaced, cut short or overwritten under it,
and rebuilds it without touching the outbox."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cache.mirror import Mirror
from portal.schema import Category, Priority, TicketCreate
from tui.paths import profile_paths

DRAFT = "new-ticket"


@pytest.fixture
def mirror(tmp_path: Path):
    opened = Mirror.open(profile_paths("test", "https://portal.example", "ann@example.com", {"HOME": str(tmp_path)}))
    try:
        yield opened
    finally:
        opened.close()


def ticket(subject: str = "Printer jams") -> TicketCreate:
    return TicketCreate(subject=subject, category=Category.HARDWARE, priority=Priority.LOW, description="On tray 2.")


def outbox_rows(mirror: Mirror) -> list[tuple[str, str]]:
    conn = sqlite3.connect(mirror.paths.outbox_db)
    try:
        return conn.execute("SELECT kind, payload FROM outbox ORDER BY id").fetchall()
    finally:
        conn.close()


def test_a_submit_takes_its_draft_with_it(mirror: Mirror) -> None:
    mirror.drafts.save(DRAFT, {"subject": "Printer jams"})
    mirror.outbox.submit_ticket(ticket(), replacing_draft=DRAFT)
    assert mirror.drafts.load(DRAFT) is None
    assert [kind for kind, _ in outbox_rows(mirror)] == ["ticket"]


def test_a_comment_takes_its_draft_with_it(mirror: Mirror) -> None:
    mirror.drafts.save("comment:7", {"body": "Still jammed"})
    mirror.outbox.add_comment(7, "Still jammed", replacing_draft="comment:7")
    assert mirror.drafts.load("comment:7") is None
    assert [kind for kind, _ in outbox_rows(mirror)] == ["comment"]


def test_a_submit_that_fails_keeps_the_draft(mirror: Mirror) -> None:
    """The queueing fails after the draft's DELETE ran, inside the transaction: both roll back."""
    mirror.drafts.save(DRAFT, {"subject": "Printer jams"})
    conn = sqlite3.connect(mirror.paths.outbox_db, isolation_level=None)
    conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    conn.close()
    with pytest.raises(sqlite3.IntegrityError, match="disk says no"):
        mirror.outbox.submit_ticket(ticket(), replacing_draft=DRAFT)
    assert mirror.drafts.load(DRAFT) == {"subject": "Printer jams"}
    assert outbox_rows(mirror) == []


@pytest.mark.parametrize("damage", ["deleted", "replaced", "truncated", "overwritten"])
def test_damage_to_the_file_is_noticed_and_rebuilt(mirror: Mirror, damage: str) -> None:
    mirror.drafts.save(DRAFT, {"subject": "Kept"})
    assert mirror.file_intact()
    cache = mirror.paths.cache_db
    if damage == "deleted":
        cache.unlink()
    elif damage == "replaced":
        cache.rename(cache.with_name("elsewhere.db"))
        cache.write_bytes(cache.with_name("elsewhere.db").read_bytes())
    elif damage == "truncated":
        with cache.open("r+b") as file:
            file.truncate(100)
    else:
        with cache.open("r+b") as file:
            file.write(b"\0" * 100)
    assert not mirror.file_intact()
    mirror.rebuild()
    assert mirror.file_intact()
    assert mirror.cursor() is None and not mirror.full_sync_complete()
    assert mirror.drafts.load(DRAFT) == {"subject": "Kept"}, "the outbox is untouched"


def test_a_growing_file_is_intact(mirror: Mirror) -> None:
    for n in range(50):
        mirror.drafts.save(f"d{n}", {"subject": "x" * 10_000})
        mirror.update_sync_state(last_error="y" * 10_000)
    assert mirror.file_intact()
