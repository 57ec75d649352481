"""A timeline event names its author by user id, not only by name (issue 12: names are not
unique, so a client asks "was it me?" of the id): a client's event carries the id, the MSP's
none, on every endpoint that gives events; a database from before is upgraded, its events given
their author where the name says who unambiguously."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from portal.schema import AccessLevel, AuthorRole
from portal.server import storage
from portal.server.storage import Storage
from tests.portal.api import Api, psa_cycles
from tests.support.portal import World


def _user_id(api: Api) -> int:
    return api.http.get("/me").json()["id"]


def test_a_clients_event_carries_its_authors_id_and_the_msps_none(module_world: World):
    api = Api.signed_in(module_world.portal, module_world.accounts["a_company"])
    try:
        me = _user_id(api)
        ticket = api.create("Who wrote this?")
        assert api.comment(ticket.id, "Mine").author_id == me
        psa_cycles(module_world.portal, 3)
        timeline = api.detail(ticket.id).timeline
        by_role = {role: {event.author_id for event in timeline if event.author_role is role} for role in AuthorRole}
        assert by_role[AuthorRole.CLIENT] == {me}
        assert by_role[AuthorRole.MSP] == {None}, "the PSA acted on it, as no portal user"
        fed = [change.event for page in api.feed_pages(limit=500) for change in page.changes if change.event]
        assert {event.id: event.author_id for event in fed if event.ticket_id == ticket.id} == {
            event.id: event.author_id for event in timeline
        }
    finally:
        api.close()


def test_a_database_from_before_is_upgraded_and_guesses_no_author(tmp_path: Path):
    path = tmp_path / "portal.db"
    db = Storage(path)
    with db.write() as conn:
        company = storage.add_company(conn, "Alpha Ltd", "ALP")
        users = {
            email: storage.add_user(
                conn, company_id=company, email=email, name=name, access_level=AccessLevel(level), password_hash="x"
            )
            for email, name, level in [
                ("ann@a.example", "Ann", "company"),
                ("sam1@a.example", "Sam", "company"),
                ("sam2@a.example", "Sam", "own"),
            ]
        }
        ann = storage.user_by_email(conn, "ann@a.example")
        ticket = storage.insert_ticket(
            conn, ann, subject="s", category="general", priority="low", description="d", client_ref=None, now="t"
        )
        for name in ("Ann", "Sam"):
            storage.insert_event(conn, ticket, kind="comment", author_role="client", author_name=name, now="t")
        storage.insert_event(conn, ticket, kind="comment", author_role="msp", author_name="Ann", now="t")
    db.close()
    # The file as the version before wrote it: its events without the column.
    old = sqlite3.connect(path, isolation_level=None)
    old.execute("ALTER TABLE events DROP COLUMN author_id")
    old.execute("PRAGMA user_version = 2")
    old.close()

    db = Storage(path)
    try:
        with db.read() as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == len(storage.MIGRATIONS)
            authors = {(e["author_role"], e["author_name"]): e["author_id"] for e in storage.timeline(conn, ticket)}
        assert authors == {
            ("client", "Ann"): users["ann@a.example"],  # the only Ann of the company
            ("client", "Sam"): None,  # two Sams: not guessed
            ("msp", "Ann"): None,  # a technician named like a client is no portal user
        }
        with db.write() as conn:
            later = storage.insert_event(
                conn,
                ticket,
                kind="comment",
                author_role="client",
                author_name="Sam",
                author_id=users["sam2@a.example"],
                now="u",
            )
            assert storage.events_by_id(conn, [later])[later]["author_id"] == users["sam2@a.example"]
    finally:
        db.close()
