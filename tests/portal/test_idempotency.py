"""Point 4: Idempotency-Key on ticket and comment creation. A retry replays the first response,
another payload under the same key is refused, and twenty concurrent requests make one ticket."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from portal.schema import Ticket, TimelineEvent
from tests.portal.api import Api, db_snapshot, refusal
from tests.support.portal import World, token_for

DRAFT = {"subject": "VPN drops", "category": "network", "priority": "high", "description": "Hourly."}


@pytest.fixture(scope="module")
def apis(module_world: World):
    made = {
        key: Api.signed_in(module_world.portal, module_world.accounts[key]) for key in ("a_own", "a_company", "b_own")
    }
    yield made
    for api in made.values():
        api.close()


def _post(api: Api, path: str, payload: dict, key: str) -> httpx.Response:
    return api.http.post(path, json=payload, headers={"Idempotency-Key": key})


def test_the_same_key_twice_makes_one_ticket_and_the_same_response(apis):
    own = apis["a_own"]
    draft = {**DRAFT, "subject": "Retried once"}
    first = _post(own, "/tickets", draft, "retry-1")
    second = _post(own, "/tickets", draft, "retry-1")
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    ticket = Ticket.model_validate_json(first.content)
    assert ticket.client_ref == "retry-1"
    assert [t.id for t in own.all_tickets(q="Retried once")] == [ticket.id]


def test_the_same_key_with_another_payload_is_refused(apis):
    own = apis["a_own"]
    draft = {**DRAFT, "subject": "Key reused"}
    created = _post(own, "/tickets", draft, "reused-1")
    assert created.status_code == 201
    before = db_snapshot(own.portal.db)
    changed = _post(own, "/tickets", {**draft, "priority": "low"}, "reused-1")
    body = refusal(changed, 422, "IDEMPOTENCY_KEY_REUSED")
    assert "Idempotency-Key" in body.details
    # Used for a ticket, the key cannot create a comment either.
    ticket_id = Ticket.model_validate_json(created.content).id
    refusal(_post(own, f"/tickets/{ticket_id}/comments", {"body": "hi"}, "reused-1"), 422, "IDEMPOTENCY_KEY_REUSED")
    assert db_snapshot(own.portal.db) == before


def test_twenty_concurrent_requests_with_one_key_make_one_ticket(apis, module_world: World):
    account = module_world.accounts["a_own"]
    token = token_for(module_world.portal, account)
    draft = {**DRAFT, "subject": "Concurrent retry storm"}

    def send(_):
        with httpx.Client(base_url=module_world.portal.api, timeout=30) as client:
            return client.post(
                "/tickets", json=draft, headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "storm-1"}
            )

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(send, range(20)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert len(apis["a_own"].all_tickets(q="Concurrent retry storm")) == 1


def test_comments_are_idempotent_too(apis):
    own = apis["a_own"]
    ticket = own.create("Comment retries")
    path = f"/tickets/{ticket.id}/comments"
    first = _post(own, path, {"body": "Once only"}, "comment-1")
    again = _post(own, path, {"body": "Once only"}, "comment-1")
    assert first.status_code == again.status_code == 201 and first.content == again.content
    assert TimelineEvent.model_validate_json(first.content).body == "Once only"
    refusal(_post(own, path, {"body": "Something else"}, "comment-1"), 422, "IDEMPOTENCY_KEY_REUSED")
    assert [e.body for e in own.detail(ticket.id).timeline] == ["Once only"]


def test_keys_are_per_user_and_never_replay_someone_elses_response(apis):
    own, colleague, stranger = apis["a_own"], apis["a_company"], apis["b_own"]
    mine = _post(own, "/tickets", {**DRAFT, "subject": "Key owner"}, "shared-key-1")
    assert mine.status_code == 201
    # A colleague of the same company: the key is already a ticket's client_ref there.
    theirs = _post(colleague, "/tickets", {**DRAFT, "subject": "Key owner"}, "shared-key-1")
    body = refusal(theirs, 422, "IDEMPOTENCY_KEY_REUSED")
    assert "Key owner" not in theirs.text and body.details
    # Another company: keys are its own business.
    elsewhere = _post(stranger, "/tickets", {**DRAFT, "subject": "Key owner"}, "shared-key-1")
    assert elsewhere.status_code == 201
    assert Ticket.model_validate_json(elsewhere.content).id != Ticket.model_validate_json(mine.content).id


def test_a_request_without_a_key_still_works(apis):
    own = apis["a_own"]
    response = own.http.post("/tickets", json={**DRAFT, "subject": "No key"})
    assert response.status_code == 201
    assert Ticket.model_validate_json(response.content).client_ref is None
