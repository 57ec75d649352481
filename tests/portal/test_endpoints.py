"""Point 1: every endpoint's success path over real HTTP, each response parsed with the
contract's models; plus the behaviour each endpoint promises (ETag, pagination, filters,
search, transitions, logout)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from portal.schema import (
    AuthorRole,
    EventKind,
    Me,
    Meta,
    Status,
    SyncInfo,
    TicketDetail,
    TokenResponse,
    build_meta,
)
from tests.portal.api import Api, portal_id_in, psa_cycles, refusal, ticket_in_status
from tests.support.portal import World, start_portal


@pytest.fixture
def own(world: World):
    api = Api.signed_in(world.portal, world.accounts["a_own"])
    yield api
    api.close()


def test_sign_in_returns_a_token_and_the_user(world: World):
    account = world.accounts["a_admin"]
    response = httpx.post(
        f"{world.portal.api}/auth/token",
        json={"email": account.email, "password": account.password},
    )
    assert response.status_code == 200
    issued = TokenResponse.model_validate_json(response.content)
    assert len(issued.token) >= 40
    assert issued.user.email == account.email
    assert issued.user.company.name == "Alpha Ltd"
    assert issued.user.access_level == "company_admin"


def test_me_meta_and_sync(own: Api):
    me = Me.model_validate_json(own.http.get("/me").content)
    assert (me.email, me.name, me.access_level) == ("own@a.example", "Alpha Own", "own")
    meta = Meta.model_validate_json(own.http.get("/meta").content)
    assert meta == build_meta(3600, meta.portal_id)
    assert meta.portal_id and meta.portal_id == portal_id_in(own.portal.db)
    assert [c.label for c in meta.categories] == [
        "General",
        "Hardware",
        "Software",
        "Network",
        "Email",
        "Security",
        "Other",
    ]
    before = SyncInfo.model_validate_json(own.http.get("/sync").content)
    assert before.last_psa_sync_at is None
    assert before.psa_sync_interval_seconds == 3600
    own.portal.psa_sync_now()
    after = SyncInfo.model_validate_json(own.http.get("/sync").content)
    assert after.last_psa_sync_at is not None
    assert after.next_psa_sync_at == after.last_psa_sync_at + timedelta(seconds=3600)
    assert abs(after.server_time - after.last_psa_sync_at) < timedelta(minutes=1)


def test_a_new_ticket_is_open_trimmed_and_stored_as_given(own: Api):
    odd = "\x1b[31mred\x1b[0m [bold]markup[/bold] مرحبا 🖨️"
    ticket = own.create(f"  {odd}  ", description=f"\n{odd}\n", priority="critical")
    assert ticket.subject == odd and ticket.description == odd
    assert ticket.status is Status.OPEN and ticket.priority == "critical"
    assert ticket.submitted_by.name == "Alpha Own"
    assert ticket.assignee is None and ticket.psa_ticket_id is None and ticket.rating is None
    assert ticket.created_at == ticket.updated_at and ticket.created_at.tzinfo is not None
    assert ticket.client_ref  # the Idempotency-Key it was created with
    detail = own.detail(ticket.id)
    assert detail.timeline == [] and detail.subject == odd


def test_list_is_newest_first_paginates_filters_and_searches(own: Api):
    made = [own.create(f"Ticket {n}", category="network" if n % 2 else "email") for n in range(9)]
    own.comment(made[3].id, "The needle is in this comment")
    listed = own.all_tickets(limit=2)
    assert [t.id for t in listed] == [t.id for t in reversed(made)]
    assert {t.id for t in own.all_tickets(category="network")} == {t.id for t in made[1::2]}
    assert [t.id for t in own.all_tickets(q="NEEDLE")] == [made[3].id]
    assert [t.id for t in own.all_tickets(q="Ticket 7")] == [made[7].id]
    assert own.all_tickets(q="100%_") == []  # LIKE wildcards are searched for literally
    assert own.all_tickets(status="closed") == []


def test_etag_gives_304_until_something_changes(own: Api):
    ticket = own.create()
    for path in ("/tickets", f"/tickets/{ticket.id}"):
        first = own.http.get(path)
        tag = first.headers["ETag"]
        again = own.http.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["ETag"] == tag
        weak = own.http.get(path, headers={"If-None-Match": f'"other", W/{tag}'})
        assert weak.status_code == 304
        own.comment(ticket.id, f"changes {path}")
        changed = own.http.get(path, headers={"If-None-Match": tag})
        assert changed.status_code == 200 and changed.headers["ETag"] != tag


def test_a_comment_is_a_client_event_and_bumps_the_ticket(own: Api):
    ticket = own.create()
    event = own.comment(ticket.id, "  More detail  ")
    assert (event.kind, event.author_role, event.body) == (EventKind.COMMENT, AuthorRole.CLIENT, "More detail")
    detail = own.detail(ticket.id)
    assert detail.timeline == [event]
    assert detail.updated_at == event.created_at > ticket.updated_at


def test_the_psa_sync_assigns_and_answers(own: Api):
    critical = own.create("Server down", priority="critical")
    psa_cycles(own.portal)
    detail = own.detail(critical.id)
    assert detail.psa_ticket_id == f"ALP-{1000 + critical.id}"
    assert detail.status is Status.IN_PROGRESS and detail.assignee
    kinds = [(e.kind, e.author_role) for e in detail.timeline]
    assert kinds == [
        (EventKind.ASSIGNMENT, AuthorRole.MSP),
        (EventKind.STATUS_CHANGE, AuthorRole.MSP),
        (EventKind.COMMENT, AuthorRole.MSP),
    ]
    assert detail.updated_at > critical.updated_at


def test_a_reply_to_waiting_on_client_hands_the_ticket_back(own: Api):
    ticket_id = ticket_in_status(own, Status.WAITING_ON_CLIENT)
    own.comment(ticket_id, "The error says E-104.")
    detail = own.detail(ticket_id)
    assert detail.status is Status.IN_PROGRESS
    last = detail.timeline[-1]
    assert (last.kind, last.from_status, last.to_status, last.author_role) == (
        EventKind.STATUS_CHANGE,
        Status.WAITING_ON_CLIENT,
        Status.IN_PROGRESS,
        AuthorRole.CLIENT,
    )


def test_confirm_reopen_and_rate_a_resolved_ticket(own: Api):
    ticket_id = ticket_in_status(own, Status.RESOLVED)
    reopened = TicketDetail.model_validate_json(own.http.post(f"/tickets/{ticket_id}/reopen").content)
    assert reopened.status is Status.OPEN
    assert (reopened.timeline[-1].from_status, reopened.timeline[-1].to_status) == ("resolved", "open")
    refusal(own.http.post(f"/tickets/{ticket_id}/confirm"), 409, "CONFLICT")

    resolved_id = ticket_in_status(own, Status.RESOLVED)
    confirmed = own.http.post(f"/tickets/{resolved_id}/confirm")
    assert confirmed.status_code == 200
    assert TicketDetail.model_validate_json(confirmed.content).status is Status.CLOSED
    for score, comment in ((2, "slow"), (5, None)):
        rated = own.http.put(f"/tickets/{resolved_id}/rating", json={"score": score, "rating_comment": comment})
        assert rated.status_code == 200, rated.text
        detail = TicketDetail.model_validate_json(rated.content)
        assert (detail.rating, detail.rating_comment) == (score, comment)
    ratings = [e for e in detail.timeline if e.kind is EventKind.RATING]
    assert [(e.score, e.body) for e in ratings] == [(2, "slow"), (5, None)]


def test_a_colleague_may_see_but_not_confirm(world: World):
    owner = Api.signed_in(world.portal, world.accounts["a_own"])
    ticket_id = ticket_in_status(owner, Status.RESOLVED, tickets=4)
    colleague = Api.signed_in(world.portal, world.accounts["a_company"])
    assert colleague.detail(ticket_id).id == ticket_id
    for action in ("confirm", "reopen"):
        refusal(colleague.http.post(f"/tickets/{ticket_id}/{action}"), 403, "FORBIDDEN")
    refusal(colleague.http.put(f"/tickets/{ticket_id}/rating", json={"score": 4}), 403, "FORBIDDEN")
    assert owner.detail(ticket_id).status is Status.RESOLVED  # nothing happened
    # A company admin may act on any ticket of the company.
    admin = Api.signed_in(world.portal, world.accounts["a_admin"])
    assert admin.http.post(f"/tickets/{ticket_id}/confirm").status_code == 200
    assert owner.detail(ticket_id).status is Status.CLOSED


def test_logout_revokes_the_token(own: Api):
    assert own.http.delete("/auth/token").status_code == 204
    refused = own.http.get("/me")
    refusal(refused, 401, "UNAUTHORIZED")
    assert refused.headers["WWW-Authenticate"] == "Bearer"


def test_tokens_never_reach_the_log_or_an_error(tmp_path):
    portal = start_portal(tmp_path, log_level="info")
    try:
        portal.cli("add-company", "Solo Ltd")
        portal.cli(
            "add-user",
            "--company",
            "Solo Ltd",
            "--email",
            "solo@s.example",
            "--name",
            "Solo",
            "--access-level",
            "own",
            "--password-stdin",
            input="long enough pass\n",
        )
        login = httpx.post(f"{portal.api}/auth/token", json={"email": "solo@s.example", "password": "long enough pass"})
        token = login.json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        responses = [
            httpx.get(f"{portal.api}/me", headers=headers),
            httpx.get(f"{portal.api}/tickets/99", headers=headers),
            httpx.get(f"{portal.api}/me", headers={"Authorization": f"Bearer {token}x"}),
            httpx.delete(f"{portal.api}/auth/token", headers=headers),
            httpx.get(f"{portal.api}/me", headers=headers),
        ]
        assert [r.status_code for r in responses] == [200, 404, 401, 204, 401]
        assert all(token not in r.text for r in responses)
    finally:
        portal.stop()
    log = portal.log.read_text()
    assert "GET /api/v1/me" in log  # the access log is on, and shows paths only
    assert token not in log and "long enough pass" not in log
