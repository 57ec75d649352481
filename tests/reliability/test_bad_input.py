"""Issue 6, point 2: bad input everywhere it enters — the API, the CLI's flags and stdin, and
what the portal sends back (through the mirror and `msp-tickets show`). Each value is stored
exactly as given (trimmed where documented) or refused with a message naming the field; never
a crash, a traceback, an SQL error or a lost write. The TUI's form is in test_bad_input_tui.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid

import httpx
import pytest

from cache.model import TicketQuery
from portal.schema import Status
from tests.cache.conftest import sides  # noqa: F401  (the fixture)
from tests.cli.conftest import Cli, cli  # noqa: F401  (the fixture)
from tests.portal.api import Api, refusal, ticket_in_status
from tests.portal.conftest import module_world  # noqa: F401  (the fixture)
from tests.reliability.hostile import HOSTILE, NOT_AN_ARGUMENT, accepted, cases, refusal_hint, stored_form
from tests.support.portal import World
from tui.cli import exit_codes

GOOD = {"subject": "Printer jams", "category": "hardware", "priority": "low", "description": "Every page."}
# What a terminal would act on: C0 controls but line breaks and tabs, DEL and C1 controls.
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture(scope="module")
def own(module_world: World):  # noqa: F811
    api = Api.signed_in(module_world.portal, module_world.accounts["a_own"])
    yield api
    api.close()


@pytest.fixture(scope="module")
def resolved(own: Api) -> int:
    return ticket_in_status(own, Status.RESOLVED)


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _check(response: httpx.Response, field: str, text: str, ok_status: int) -> bool:
    """Refused naming the field, as the rules say; True when it was accepted."""
    assert response.status_code < 500, response.text
    hint = refusal_hint(field, text)
    if hint is None:
        assert response.status_code == ok_status, response.text
        return True
    body = refusal(response, 422, "VALIDATION_ERROR")
    assert field in body.details and field in body.error, body
    assert hint in body.details[field] or (hint == "required" and "white space" in body.details[field]), body
    return False


# --- the API ----------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["subject", "description"])
@pytest.mark.parametrize("text", cases("subject"))
def test_api_ticket_fields(own: Api, field: str, text: str):
    response = own.http.post("/tickets", json={**GOOD, field: text}, headers=_key())
    if _check(response, field, text, 201):
        assert getattr(own.detail(response.json()["id"]), field) == stored_form(field, text)


@pytest.mark.parametrize("text", cases("comment"))
def test_api_comment_body(own: Api, text: str):
    ticket = own.create("Comments of every kind")
    response = own.http.post(f"/tickets/{ticket.id}/comments", json={"body": text}, headers=_key())
    # The API's field is `body`; the rules are those of a comment.
    assert response.status_code < 500, response.text
    hint = refusal_hint("comment", text)
    if hint is None:
        assert response.status_code == 201, response.text
        assert [e.body for e in own.detail(ticket.id).timeline] == [stored_form("comment", text)]
    else:
        body = refusal(response, 422, "VALIDATION_ERROR")
        assert "body" in body.details and "body" in body.error


@pytest.mark.parametrize("text", cases("rating_comment"))
def test_api_rating_comment(own: Api, resolved: int, text: str):
    response = own.http.put(f"/tickets/{resolved}/rating", json={"score": 3, "rating_comment": text})
    if _check(response, "rating_comment", text, 200):
        assert own.detail(resolved).rating_comment == text


@pytest.mark.parametrize(
    "text", cases("subject", [n for n in HOSTILE if n != "1 MB"]) + [pytest.param("q" * 1001, id="1001 characters")]
)
def test_api_search_never_fails(own: Api, text: str):
    response = own.http.get("/tickets", params={"q": text})
    assert response.status_code < 500, response.text
    if len(text) > 1000:
        assert "q" in refusal(response, 422, "VALIDATION_ERROR").details
    else:
        assert response.status_code == 200, response.text


def test_api_invalid_utf8_is_refused_with_a_sentence(own: Api):
    raw = b'{"subject": "bad \xff\xfe bytes", "category": "general", "priority": "low", "description": "d"}'
    response = own.http.post("/tickets", content=raw, headers={"Content-Type": "application/json", **_key()})
    # Not JSON at all (RFC 8259 is UTF-8): the body as a whole is what is refused.
    body = refusal(response, 422, "VALIDATION_ERROR")
    assert "body" in body.details and "JSON" in body.error


def test_api_lone_surrogate_is_refused_naming_the_field(own: Api):
    raw = b'{"subject": "half a pair \\ud800", "category": "general", "priority": "low", "description": "d"}'
    response = own.http.post("/tickets", content=raw, headers={"Content-Type": "application/json", **_key()})
    assert response.status_code < 500, response.text
    assert "subject" in refusal(response, 422, "VALIDATION_ERROR").details


# --- what the portal sends back: the mirror and `msp-tickets show` -----------------------------


async def test_hostile_text_comes_back_exactly_through_the_mirror_and_the_cli(
    module_world: World, own: Api, sides, cli: Cli
):  # noqa: F811
    made = {}
    for name, text in accepted("subject").items():
        ticket = own.create(text, description=f"{text}\n(description)")
        own.comment(ticket.id, text)
        made[ticket.id] = stored_form("subject", text)
    side = await sides(module_world.portal, module_world.accounts["a_own"])
    assert (await side.engine.sync_now()).error is None
    assert cli.login(module_world.portal, module_world.accounts["a_own"]).code == exit_codes.OK
    for ticket_id, text in made.items():
        view = side.mirror.ticket(ticket_id)
        assert view.row.subject == text and view.description == f"{text}\n(description)".strip()
        assert [item.body for item in view.timeline] == [text]
    listed_json = cli("list", "--json")  # syncs first
    assert listed_json.code == exit_codes.OK and not RAW_CONTROL.search(listed_json.out)
    assert {t["id"]: t["subject"] for t in listed_json.json()["tickets"] if t["id"] in made} == made
    # The timeline too, for the texts a terminal would act on (one process each costs a second).
    for ticket_id, text in made.items():
        if not RAW_CONTROL.search(text) and "[" not in text:
            continue
        shown = cli("show", str(ticket_id), "--json", "--no-sync")
        assert shown.code == exit_codes.OK, shown.err
        document = shown.json()
        assert document["subject"] == text and document["description"] == f"{text}\n(description)".strip()
        assert [e["body"] for e in document["timeline"] if e["kind"] == "comment"] == [text]
        assert not RAW_CONTROL.search(shown.out), "JSON output must escape control characters"
        as_text = cli("show", str(ticket_id), "--no-sync")
        assert as_text.code == exit_codes.OK and not RAW_CONTROL.search(as_text.out), repr(as_text.out[:200])
    listed = cli("list", "--no-sync")
    assert listed.code == exit_codes.OK and not RAW_CONTROL.search(listed.out)


@pytest.mark.parametrize("text", cases("subject", [n for n in HOSTILE if n != "1 MB"]))
async def test_mirror_search_never_fails(module_world: World, sides, text: str):  # noqa: F811
    side = await sides(module_world.portal, module_world.accounts["a_company"])
    await side.engine.sync_now()
    query = TicketQuery(search=text)
    rows = side.mirror.page(query, 0, 50)
    assert side.mirror.total(query) >= len(rows)


# --- the CLI: flags and stdin -----------------------------------------------------------------


@pytest.fixture(scope="module")
def signed_in(module_world: World, tmp_path_factory: pytest.TempPathFactory) -> Cli:  # noqa: F811
    """One signed-in CLI home for the module's CLI tests (a login costs a process start)."""
    cli = Cli(tmp_path_factory.mktemp("cli-home"))
    assert cli.login(module_world.portal, module_world.accounts["a_own"]).code == exit_codes.OK
    return cli


def _run_bytes(cli: Cli, *args: str | bytes, stdin: bytes) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args], input=stdin, capture_output=True, env=cli.env, timeout=120
    )


def _outbox_count(cli: Cli) -> int:
    status = cli("status", "--json")
    assert status.code == exit_codes.OK, status.err
    return status.json()["waiting_to_send"] + status.json()["needs_attention"]


def _assert_cli_outcome(cli: Cli, code: int, out: str, err: str, field: str, text: str) -> None:
    assert "Traceback" not in err and "sqlite" not in err.lower(), err
    if refusal_hint(field, text) is None:
        assert code == exit_codes.OK, err
        ticket = json.loads(out)["ticket"]
        stored = ticket["subject"] if field == "subject" else ticket["description"]
        assert stored == stored_form(field, text)
    else:
        assert code in (exit_codes.USAGE, exit_codes.ERROR), (code, err)
        assert field in err.lower(), err
        assert _outbox_count(cli) == 0, "a refused ticket must not wait in the outbox"


@pytest.mark.parametrize("text", cases("subject", [n for n in HOSTILE if n not in NOT_AN_ARGUMENT]))
def test_cli_subject_flag(signed_in: Cli, text: str):
    run = signed_in(
        "new",
        "--subject",
        text,
        "--category",
        "network",
        "--priority",
        "low",
        "--description",
        "From the flag.",
        "--json",
    )
    _assert_cli_outcome(signed_in, run.code, run.out, run.err, "subject", text)


@pytest.mark.parametrize(
    "text", cases("description", ["white space", "1 MB", "NUL", "OSC escapes", "right-to-left and combining", "emoji"])
)
def test_cli_description_on_stdin(signed_in: Cli, text: str):
    run = signed_in(
        "new", "--subject", "Read from stdin", "--category", "network", "--priority", "low", "--json", input=text
    )
    _assert_cli_outcome(signed_in, run.code, run.out, run.err, "description", text)


@pytest.mark.parametrize(
    "command", [["new", "--subject", "Bytes", "--category", "email", "--priority", "low"], ["comment", "1"]]
)
def test_cli_invalid_utf8_on_stdin_is_refused_naming_the_field(signed_in: Cli, command: list[str]):
    run = _run_bytes(signed_in, *command, stdin=b"caf\xe9 au lait \xff\n")
    err = run.stderr.decode()
    assert run.returncode == exit_codes.USAGE, err
    assert ("description" if command[0] == "new" else "comment") in err and "UTF-8" in err and "Traceback" not in err
    assert _outbox_count(signed_in) == 0


def test_cli_invalid_utf8_in_a_flag_is_refused_or_kept_exactly(module_world: World, cli: Cli):  # noqa: F811
    # A home of its own: what this leaves in the outbox must not reach the other tests.
    assert cli.login(module_world.portal, module_world.accounts["a_own"]).code == exit_codes.OK
    signed_in = cli
    run = _run_bytes(
        signed_in,
        "new",
        b"--subject",
        b"caf\xe9 \xff",
        "--category",
        "email",
        "--priority",
        "low",
        "--description",
        "d",
        "--json",
        stdin=b"",
    )
    err = run.stderr.decode(errors="replace")
    assert "Traceback" not in err, err
    if run.returncode == exit_codes.OK:
        # Kept: the bytes cannot be text, so they must come back as the same bytes' escapes.
        assert "\ufffd" not in json.loads(run.stdout)["ticket"]["subject"]
    else:
        assert run.returncode == exit_codes.USAGE and "subject" in err, err
        assert _outbox_count(signed_in) == 0
    later = signed_in("sync")  # whatever became of it, the next sync still works
    assert later.code == exit_codes.OK and "Traceback" not in later.err, later.err


@pytest.mark.parametrize("text", cases("comment", ["empty", "white space", "1 MB", "NUL", "emoji", "markup"]))
def test_cli_comment_on_stdin(signed_in: Cli, own: Api, text: str):
    ticket = own.create("Commented from a script")
    run = signed_in("comment", str(ticket.id), "--json", input=text)
    assert "Traceback" not in run.err and "sqlite" not in run.err.lower(), run.err
    bodies = [e.body for e in own.detail(ticket.id).timeline]
    if refusal_hint("comment", text) is None:
        assert run.code == exit_codes.OK, run.err
        assert bodies == [stored_form("comment", text)]
    else:
        assert run.code in (exit_codes.USAGE, exit_codes.ERROR), (run.code, run.err)
        assert "comment" in run.err.lower() and bodies == []
        assert _outbox_count(signed_in) == 0


@pytest.mark.parametrize("words", ['"', "*", "NEAR(", "AND", "subject:x", 'a"b OR', "\x1b[2J", "שלום 🔥"])
def test_cli_search_with_fts_syntax(signed_in: Cli, words: str):
    run = signed_in("list", "--search", words, "--no-sync", "--json")
    assert run.code == exit_codes.OK, run.err
    assert "Traceback" not in run.err and "sqlite" not in run.err.lower() and "fts" not in run.err.lower()
    assert isinstance(run.json()["tickets"], list)
