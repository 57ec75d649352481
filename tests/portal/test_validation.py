"""Point 3: bad input is refused with 422 VALIDATION_ERROR naming the field in `details`, with
a sentence a person can act on, and the database is left exactly as it was."""

from __future__ import annotations

import uuid

import pytest

from portal.schema import Status
from tests.portal.api import Api, db_snapshot, refusal, ticket_in_status
from tests.support.portal import World

GOOD = {"subject": "Printer jams", "category": "hardware", "priority": "low", "description": "x"}

BAD_TICKETS = [
    pytest.param({**GOOD, "subject": "s" * 501}, "subject", "501 characters", id="501-char subject"),
    pytest.param({**GOOD, "subject": ""}, "subject", "required", id="empty subject"),
    pytest.param({**GOOD, "subject": " \t\n "}, "subject", "white space", id="blank subject"),
    pytest.param({**GOOD, "description": ""}, "description", "required", id="empty description"),
    pytest.param({**GOOD, "description": "  \n"}, "description", "white space", id="blank description"),
    pytest.param(
        {k: v for k, v in GOOD.items() if k != "description"}, "description", "required", id="missing description"
    ),
    pytest.param({**GOOD, "category": "printers"}, "category", "general", id="unknown category"),
    pytest.param({**GOOD, "priority": "urgent"}, "priority", "critical", id="urgent priority"),
    pytest.param({**GOOD, "subject": "a\x00b"}, "subject", "NUL", id="NUL in subject"),
    pytest.param({**GOOD, "assignee": "me"}, "assignee", "unknown field", id="unknown field"),
]


@pytest.fixture(scope="module")
def own(module_world: World):
    api = Api.signed_in(module_world.portal, module_world.accounts["a_own"])
    yield api
    api.close()


@pytest.mark.parametrize(("payload", "field", "hint"), BAD_TICKETS)
def test_a_bad_ticket_is_refused_and_nothing_is_written(own: Api, payload, field, hint):
    before = db_snapshot(own.portal.db)
    key = f"bad-{uuid.uuid4()}"
    response = own.http.post("/tickets", json=payload, headers={"Idempotency-Key": key})
    body = refusal(response, 422, "VALIDATION_ERROR")
    assert list(body.details) == [field]
    assert hint in body.details[field]
    assert field in body.error
    assert db_snapshot(own.portal.db) == before
    # The key was not spent on the refusal: the corrected request goes through with it.
    fixed = own.http.post("/tickets", json=GOOD, headers={"Idempotency-Key": key})
    assert fixed.status_code == 201


def test_every_bad_field_is_named_at_once(own: Api):
    response = own.http.post("/tickets", json={"subject": "", "category": "x", "priority": "urgent", "extra": 1})
    body = refusal(response, 422, "VALIDATION_ERROR")
    assert set(body.details) == {"subject", "category", "priority", "description", "extra"}
    assert body.error.startswith("Some fields need fixing:")


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"subject=x", "application/x-www-form-urlencoded"),
        (b"", "application/json"),
    ],
    ids=["not JSON", "not an object", "a form", "empty"],
)
def test_a_body_that_is_not_a_json_object_is_refused(own: Api, content, content_type):
    before = db_snapshot(own.portal.db)
    response = own.http.post("/tickets", content=content, headers={"Content-Type": content_type})
    body = refusal(response, 422, "VALIDATION_ERROR")
    assert list(body.details) == ["body"]
    assert db_snapshot(own.portal.db) == before


def test_a_body_over_two_megabytes_is_refused(own: Api):
    huge = {**GOOD, "description": "x" * (3 * 1024 * 1024)}
    body = refusal(own.http.post("/tickets", json=huge), 413, "VALIDATION_ERROR")
    assert "body" in body.details


def test_bad_comments_and_ratings_are_refused(own: Api):
    ticket_id = ticket_in_status(own, Status.RESOLVED, tickets=4)
    before = db_snapshot(own.portal.db)
    cases = [
        (own.http.post(f"/tickets/{ticket_id}/comments", json={"body": "   "}), "body"),
        (own.http.post(f"/tickets/{ticket_id}/comments", json={"text": "hi"}), "text"),
        (own.http.put(f"/tickets/{ticket_id}/rating", json={"score": 0}), "score"),
        (own.http.put(f"/tickets/{ticket_id}/rating", json={"score": 6}), "score"),
        (own.http.put(f"/tickets/{ticket_id}/rating", json={"score": "5"}), "score"),
        (own.http.put(f"/tickets/{ticket_id}/rating", json={"score": 4, "stars": 4}), "stars"),
        (own.http.get("/tickets", params={"status": "pending"}), "status"),
        (own.http.get("/tickets", params={"limit": 0}), "limit"),
        (own.http.get("/tickets", params={"stauts": "open"}), "stauts"),
        (own.http.get("/tickets", params={"cursor": "bm90IGEgY3Vyc29y"}), "cursor"),
        (own.http.get("/changes", params={"cursor": "%%%"}), "cursor"),
        (own.http.post("/tickets", json=GOOD, headers={"Idempotency-Key": "has space"}), "Idempotency-Key"),
    ]
    for response, field in cases:
        body = refusal(response, 422, "VALIDATION_ERROR")
        assert field in body.details, (field, body)
    assert db_snapshot(own.portal.db) == before


def test_a_rating_on_an_open_ticket_is_a_conflict(own: Api):
    ticket = own.create()
    before = db_snapshot(own.portal.db)
    body = refusal(own.http.put(f"/tickets/{ticket.id}/rating", json={"score": 5}), 409, "CONFLICT")
    assert "open" in body.error and "resolved or closed" in body.error
    for action in ("confirm", "reopen"):
        body = refusal(own.http.post(f"/tickets/{ticket.id}/{action}"), 409, "CONFLICT")
        assert "is open" in body.error
    assert db_snapshot(own.portal.db) == before
