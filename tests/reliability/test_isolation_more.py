"""Issue 6, point 3: isolation beyond what a user may list. Search (the API's `q`, the mirror's
search and `msp-tickets list --search`), cursors of the change feed and of lists, idempotency
keys and ETags never cross users or companies; revoked and expired tokens are refused on every
endpoint, by the portal, the client, the sync engine and the CLI."""

from __future__ import annotations

import hashlib
import sqlite3
import time
import uuid

import httpx
import pytest

from cache.model import TicketQuery
from portal.client import PortalClient
from portal.errors import Unauthorized
from portal.schema import ChangePage, Ticket, TicketPage
from tests.cache.conftest import sides  # noqa: F401  (the fixture)
from tests.cli.conftest import cli  # noqa: F401  (the fixture)
from tests.portal.api import Api, refusal
from tests.portal.conftest import module_world  # noqa: F401  (the fixture)
from tests.support.portal import RunningPortal, World, token_for
from tui.cli import exit_codes

DRAFT = {"category": "security", "priority": "high", "description": "Found on a shared drive."}


def _new_key() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
def alpha_secret(module_world: World) -> Ticket:  # noqa: F811
    """A ticket of Alpha's own user with words nobody else may find."""
    api = Api.signed_in(module_world.portal, module_world.accounts["a_own"])
    try:
        ticket = api.create("Payroll spreadsheet zqsecretword leaked", **DRAFT)
        api.comment(ticket.id, "Comment with zqcommentword inside")
        return ticket
    finally:
        api.close()


@pytest.fixture(scope="module")
def apis(module_world: World):  # noqa: F811
    """Every user of the world, signed in once for the module."""
    made = {key: Api.signed_in(module_world.portal, account) for key, account in module_world.accounts.items()}
    yield made
    for api in made.values():
        api.close()


def _viewers(world: World, *, sees_alpha_own: bool) -> list[str]:
    may = {"a_own", "a_company", "a_admin"}
    return [key for key in world.accounts if (key in may) == sees_alpha_own]


# --- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "words", ["zqsecretword", "zqcommentword", "zqsecret*", '"zqsecretword"', "Payroll AND zqsecretword"]
)
def test_the_api_search_finds_only_what_each_user_may_see(module_world: World, alpha_secret: Ticket, apis, words: str):  # noqa: F811
    for key, api in apis.items():
        response = api.http.get("/tickets", params={"q": words})
        assert response.status_code == 200, (key, response.text)
        found = [t.id for t in TicketPage.model_validate_json(response.content).items]
        if key in _viewers(module_world, sees_alpha_own=False):
            assert found == [], (key, words)
        elif words in ("zqsecretword", "zqcommentword"):
            # (What `*` and AND mean is the search's business; here only who sees the row.)
            assert found == [alpha_secret.id], (key, words)


async def test_the_mirror_search_of_another_company_finds_nothing(module_world: World, alpha_secret: Ticket, sides):  # noqa: F811
    beta = await sides(module_world.portal, module_world.accounts["b_admin"])
    alpha = await sides(module_world.portal, module_world.accounts["a_admin"])
    for side in (beta, alpha):
        assert (await side.engine.sync_now()).error is None
    for words in ("zqsecretword", "zqcommentword", "zqsecret"):
        assert beta.mirror.total(TicketQuery(search=words)) == 0, words
        assert [r.id for r in alpha.mirror.page(TicketQuery(search=words), 0, 10)] == [alpha_secret.id], words


def test_the_cli_search_of_another_company_finds_nothing(module_world: World, alpha_secret: Ticket, cli):  # noqa: F811
    assert cli.login(module_world.portal, module_world.accounts["b_admin"]).code == exit_codes.OK
    listed = cli("list", "--search", "zqsecretword", "--json")
    assert listed.code == exit_codes.OK, listed.err
    assert listed.json()["tickets"] == []
    shown = cli("show", str(alpha_secret.id), "--json")
    assert shown.code == exit_codes.NOT_FOUND and "zqsecretword" not in shown.out + shown.err


# --- cursors ----------------------------------------------------------------------------------


def test_someone_elses_cursor_serves_only_your_own_rows(alpha_secret: Ticket, apis):
    alpha, beta = apis["a_own"], apis["b_admin"]
    beta_ticket = beta.create("Beta's own ticket", **DRAFT)
    later = [alpha.create(f"Alpha zqsecretword {n}", **DRAFT).id for n in range(2)]
    # Cursors Alpha was given one row in: Alpha's rows lie on both sides of them.
    first_feed = ChangePage.model_validate_json(alpha.http.get("/changes", params={"limit": 1}).content)
    first_list = TicketPage.model_validate_json(alpha.http.get("/tickets", params={"limit": 1}).content)
    assert first_feed.has_more and first_list.next_cursor
    for cursor, path in [(first_feed.next_cursor, "/changes"), (first_list.next_cursor, "/tickets")]:
        answer = beta.http.get(path, params={"cursor": cursor})
        assert answer.status_code in (200, 410, 422), answer.text
        assert "zqsecretword" not in answer.text, path
        assert not {str(i) for i in [alpha_secret.id, *later]} & _ids(answer, path), path
    whole = beta.all_tickets()
    assert beta_ticket.id in {t.id for t in whole}
    assert all(t.company_id == beta_ticket.company_id for t in whole)


def _ids(answer: httpx.Response, path: str) -> set[str]:
    if answer.status_code != 200:
        return set()
    body = answer.json()
    rows = body["changes"] if path == "/changes" else body["items"]
    return {str(row.get("ticket_id", row.get("id"))) for row in rows}


# --- idempotency keys -------------------------------------------------------------------------


def test_a_key_reused_by_someone_else_never_replays_the_first_answer(apis):
    owner = apis["a_own"]
    key = _new_key()
    draft = {"subject": "Keyed by Alpha", **DRAFT}
    first = owner.http.post("/tickets", json=draft, headers={"Idempotency-Key": key})
    assert first.status_code == 201
    mine = Ticket.model_validate_json(first.content)
    comment_key = _new_key()
    said = owner.http.post(
        f"/tickets/{mine.id}/comments", json={"body": "Alpha's words"}, headers={"Idempotency-Key": comment_key}
    )
    assert said.status_code == 201

    for viewer in ("a_company", "a_admin", "b_own", "b_company", "b_admin"):
        api = apis[viewer]
        again = api.http.post("/tickets", json=draft, headers={"Idempotency-Key": key})
        assert again.content != first.content, viewer
        if again.status_code == 201:  # another company: its own, new ticket
            theirs = Ticket.model_validate_json(again.content)
            assert theirs.id != mine.id and theirs.submitted_by.id != mine.submitted_by.id, viewer
        else:
            refusal(again, 422, "IDEMPOTENCY_KEY_REUSED")
        # The comment key on a ticket of their own: their comment, or a refusal; never
        # Alpha's event.
        own_ticket = api.create(f"{viewer}'s ticket", **DRAFT)
        comment = api.http.post(
            f"/tickets/{own_ticket.id}/comments",
            json={"body": "Alpha's words"},
            headers={"Idempotency-Key": comment_key},
        )
        assert comment.content != said.content, viewer
        if comment.status_code == 201:
            assert comment.json()["ticket_id"] == own_ticket.id
        else:
            refusal(comment, 422, "IDEMPOTENCY_KEY_REUSED")
    assert [t.id for t in owner.all_tickets(q="Keyed by Alpha")] == [mine.id]
    assert [e.body for e in owner.detail(mine.id).timeline] == ["Alpha's words"]


# --- ETags ------------------------------------------------------------------------------------


def test_an_etag_never_answers_304_to_another_user(alpha_secret: Ticket, apis):
    owner = apis["a_own"]
    tags = {
        path: owner.http.get(path).headers["ETag"]
        for path in ("/tickets", f"/tickets/{alpha_secret.id}", "/tickets?q=zqsecretword")
    }
    for path, tag in tags.items():
        assert owner.http.get(path, headers={"If-None-Match": tag}).status_code == 304
        for viewer in ("a_company", "a_admin", "b_own", "b_company", "b_admin"):
            answer = apis[viewer].http.get(path, headers={"If-None-Match": tag})
            assert answer.status_code != 304, (viewer, path)
            if viewer.startswith("b"):
                assert "zqsecretword" not in answer.text, (viewer, path)
                assert answer.headers.get("ETag") != tag


# --- revoked and expired tokens ---------------------------------------------------------------


def _every_endpoint(http: httpx.Client, ticket_id: int) -> dict[str, httpx.Response]:
    key = {"Idempotency-Key": _new_key()}
    return {
        "GET /me": http.get("/me"),
        "GET /sync": http.get("/sync"),
        "GET /tickets": http.get("/tickets"),
        "GET /tickets?q": http.get("/tickets", params={"q": "zqsecretword"}),
        "GET /tickets/{id}": http.get(f"/tickets/{ticket_id}"),
        "POST /tickets": http.post("/tickets", json={"subject": "After revoke", **DRAFT}, headers=key),
        "POST /comments": http.post(f"/tickets/{ticket_id}/comments", json={"body": "hi"}, headers=key),
        "POST /confirm": http.post(f"/tickets/{ticket_id}/confirm"),
        "POST /reopen": http.post(f"/tickets/{ticket_id}/reopen"),
        "PUT /rating": http.put(f"/tickets/{ticket_id}/rating", json={"score": 5}),
        "GET /changes": http.get("/changes"),
        "DELETE /auth/token": http.delete("/auth/token"),
    }


def _expire(portal: RunningPortal, token: str) -> None:
    """Move the token's stored expiry into the past: the portal has no clock to wind on, and
    no serve option for the TTL (it is `Settings.token_ttl_seconds`, 30 days)."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    with sqlite3.connect(portal.db) as db:
        changed = db.execute(
            "UPDATE tokens SET expires_at = ? WHERE token_hash = ?", (time.time() - 1, digest)
        ).rowcount
    assert changed == 1


@pytest.mark.parametrize("how", ["revoked", "expired"])
async def test_a_dead_token_is_refused_everywhere(module_world: World, alpha_secret: Ticket, how: str, sides, cli):  # noqa: F811
    portal, account = module_world.portal, module_world.accounts["a_own"]
    side = await sides(portal, account)  # a signed-in mirror, synced once
    assert (await side.engine.sync_now()).error is None
    token = side.client.token
    assert cli.login(portal, account).code == exit_codes.OK
    cli_token = _stored_token(cli)
    for dead in (token, cli_token):
        if how == "revoked":
            with httpx.Client(base_url=portal.api, headers={"Authorization": f"Bearer {dead}"}) as http:
                assert http.delete("/auth/token").status_code == 204
        else:
            _expire(portal, dead)

    with httpx.Client(base_url=portal.api, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        before = http.get("/meta")  # public: the one endpoint that needs no token
        for endpoint, answer in _every_endpoint(http, alpha_secret.id).items():
            body = refusal(answer, 401, "UNAUTHORIZED")
            assert token not in answer.text and "zqsecretword" not in answer.text, endpoint
            assert "sign in" in body.error.lower(), endpoint
    assert before.status_code == 200

    async with PortalClient(portal.url, token) as client:
        with pytest.raises(Unauthorized) as refused:
            await client.me()
        assert token not in str(refused.value) and token not in repr(refused.value)
    result = await side.engine.sync_now()
    assert result.auth_failed and result.error and token not in result.error
    assert side.mirror.sync_status().offline_since is None  # refused is not offline

    listed = cli("list", "--json")
    assert listed.code == exit_codes.NOT_LOGGED_IN, listed.err
    assert cli_token not in listed.out + listed.err
    # A fresh sign-in works again: the refusal was the token's, not the account's.
    assert token_for(portal, account) != token


def _stored_token(cli) -> str:  # noqa: F811
    """The token the CLI stored with --insecure-storage: a 0600 file of its own."""
    [stored] = [path for path in cli.written_files() if path.suffix == ".token"]
    return stored.read_text().strip()
