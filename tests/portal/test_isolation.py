"""Point 2: two companies, each with an own, a company and a company_admin user. Every user
tries every ticket id on every endpoint: what they may not see is 404 (the same answer as for a
ticket that does not exist) and never appears in a list, a search or the change feed."""

from __future__ import annotations

import pytest

from portal.schema import ChangeKind, Me
from tests.portal.api import Api, FeedMirror, db_snapshot, psa_cycles, refusal
from tests.support.portal import World


@pytest.fixture(scope="module")
def populated(module_world: World):
    """Each user submits two tickets, each with a comment; one PSA cycle answers them all. Once
    for the module: its tests only read, or try writes that are refused (and check that)."""
    apis = {key: Api.signed_in(module_world.portal, account) for key, account in module_world.accounts.items()}
    marker_of: dict[int, str] = {}
    owner_of: dict[int, str] = {}
    for key, api in apis.items():
        for n in range(2):
            marker = f"zq{key.replace('_', '')}{n}x"
            ticket = api.create(f"Issue {n} of {key}", description=f"Details {marker}")
            api.comment(ticket.id, f"Comment mentioning {marker}comment")
            marker_of[ticket.id], owner_of[ticket.id] = marker, key
    psa_cycles(module_world.portal)
    yield apis, marker_of, owner_of
    for api in apis.values():
        api.close()


def _may_see(viewer: str, owner: str) -> bool:
    if viewer.endswith("_own"):
        return viewer == owner
    return viewer[0] == owner[0]  # same company


def test_each_user_sees_exactly_what_their_access_allows(module_world: World, populated):
    apis, marker_of, owner_of = populated
    for viewer, api in apis.items():
        expected = {tid for tid, owner in owner_of.items() if _may_see(viewer, owner)}
        assert len(expected) == (2 if viewer.endswith("_own") else 6)

        assert {t.id for t in api.all_tickets(limit=3)} == expected, viewer
        for ticket_id, marker in marker_of.items():
            for text in (marker, f"{marker}comment"):  # description and comment search
                found = [t.id for t in api.all_tickets(q=text)]
                assert found == ([ticket_id] if ticket_id in expected else []), (viewer, text)

        mirror = FeedMirror()
        mirror.follow(api, limit=5)
        assert set(mirror.tickets) == expected, viewer
        # Each ticket's client comment, and the PSA's assignment, status change and reply.
        assert {e.ticket_id for e in mirror.events.values()} == expected
        assert len(mirror.events) == 4 * len(expected)


def test_every_endpoint_answers_404_for_what_a_user_may_not_see(module_world: World, populated):
    apis, _markers, owner_of = populated
    missing = max(owner_of) + 1000
    before = db_snapshot(module_world.portal.db)
    for viewer, api in apis.items():
        hidden = [tid for tid, owner in owner_of.items() if not _may_see(viewer, owner)]
        assert len(hidden) == (10 if viewer.endswith("_own") else 6)
        for ticket_id in [*hidden, missing]:
            answers = [
                api.http.get(f"/tickets/{ticket_id}"),
                api.http.post(
                    f"/tickets/{ticket_id}/comments",
                    json={"body": "let me in"},
                    headers={"Idempotency-Key": f"probe-{viewer}-{ticket_id}"},
                ),
                api.http.post(f"/tickets/{ticket_id}/confirm"),
                api.http.post(f"/tickets/{ticket_id}/reopen"),
                api.http.put(f"/tickets/{ticket_id}/rating", json={"score": 5}),
            ]
            for answer in answers:
                body = refusal(answer, 404, "NOT_FOUND")
                # The same sentence whether the ticket exists or not: existence is not confirmed.
                assert body.error == f"No ticket {ticket_id} is visible to you."
                assert str(ticket_id) not in answer.headers.get("ETag", "")
    after = db_snapshot(module_world.portal.db)
    assert after == before  # no probe wrote anything


def test_the_feed_never_serves_another_companys_rows(module_world: World, populated):
    apis, _markers, owner_of = populated
    for viewer, api in apis.items():
        my_company = Me.model_validate_json(api.http.get("/me").content).company.id
        served = 0
        for page in api.feed_pages(limit=2):
            for change in page.changes:
                served += 1
                assert change.kind is not ChangeKind.REMOVED
                assert _may_see(viewer, owner_of[change.ticket_id]), (viewer, change)
                if change.ticket is not None:
                    assert change.ticket.company_id == my_company
        assert served > 0
