"""Point 8 and design §4: `seed-demo` then `serve --port 0` gives a portal a person can sign in
to, with tickets in every status; the `msp-portal` commands do what they say and refuse bad
input with one clear sentence."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from portal.schema import Status, TicketPage
from tests.support.portal import start_portal


def test_the_demo_portal_can_be_signed_in_to_and_has_every_status(tmp_path):
    portal = start_portal(tmp_path, seed_demo=True)
    try:
        login = httpx.post(
            f"{portal.api}/auth/token",
            json={"email": "admin@acme.example", "password": "demo-password"},
        )
        assert login.status_code == 200, login.text
        assert login.json()["user"]["company"]["name"] == "Acme Corp"
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        for status in Status:
            page = TicketPage.model_validate_json(
                httpx.get(f"{portal.api}/tickets", params={"status": status.value}, headers=headers).content
            )
            assert page.items, f"no {status} ticket in the demo"
            assert {t.status for t in page.items} == {status}
            assert {t.company_id for t in page.items} == {page.items[0].company_id}
        closed = httpx.get(f"{portal.api}/tickets", params={"status": "closed", "limit": 50}, headers=headers).json()[
            "items"
        ]
        detail = httpx.get(f"{portal.api}/tickets/{closed[0]['id']}", headers=headers).json()
        kinds = [event["kind"] for event in detail["timeline"]]
        assert kinds[:3] == ["assignment", "status_change", "comment"]
        assert detail["timeline"][-1]["to_status"] in ("closed", None)
    finally:
        portal.stop()


def test_seed_demo_prints_every_login(tmp_path):
    result = _portal_cli(tmp_path, "seed-demo", "--companies", "4", "--tickets", "20")
    lines = result.stdout.splitlines()
    assert len(lines) == 12
    assert lines[0] == ("login: admin@acme.example  password: demo-password  (company_admin, Acme Corp)")
    assert {line.split("(")[1].split(",")[0] for line in lines} == {"own", "company", "company_admin"}


@pytest.mark.parametrize(
    ("args", "stdin", "code", "words"),
    [
        (
            [
                "add-user",
                "--company",
                "Acme Corp",
                "--email",
                "x@y.example",
                "--name",
                "X",
                "--access-level",
                "own",
                "--password-stdin",
            ],
            "short\n",
            2,
            "at least 8",
        ),
        (
            [
                "add-user",
                "--company",
                "Nobody Inc",
                "--email",
                "x@y.example",
                "--name",
                "X",
                "--access-level",
                "own",
                "--password-stdin",
            ],
            "long enough\n",
            1,
            "no company",
        ),
        (["set-access", "--email", "ghost@acme.example", "--access-level", "own"], None, 1, "no user"),
        (["add-company", "Acme Corp"], None, 1, "already exists"),
        (["serve", "--host", "0.0.0.0", "--port", "0"], None, 2, "--allow-remote"),
        (["set-access", "--email", "sam@acme.example", "--access-level", "boss"], None, 2, "invalid choice"),
    ],
    ids=["short password", "unknown company", "unknown user", "duplicate company", "remote host", "bad access level"],
)
def test_cli_refuses_bad_input_with_one_sentence(tmp_path, args, stdin, code, words):
    _portal_cli(tmp_path, "seed-demo", "--tickets", "0")
    result = _portal_cli(tmp_path, *args, stdin=stdin, check=False)
    assert result.returncode == code
    assert words in result.stderr
    assert result.stdout == ""


def test_cli_manages_companies_users_and_access(tmp_path):
    company_id = _portal_cli(tmp_path, "add-company", "Delta Co").stdout.strip()
    assert company_id.isdigit()
    _portal_cli(
        tmp_path,
        "add-user",
        "--company",
        "Delta Co",
        "--email",
        "d@delta.example",
        "--name",
        "Dee",
        "--access-level",
        "company",
        "--password-stdin",
        stdin="delta password\n",
    )
    changed = _portal_cli(tmp_path, "set-access", "--email", "d@delta.example", "--access-level", "company_admin")
    assert "company -> company_admin" in changed.stdout
    synced = _portal_cli(tmp_path, "psa-sync-now")
    assert synced.stdout.startswith("PSA sync cycle 1:")


def _portal_cli(tmp_path, *args, stdin=None, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "portal.server.cli", "--db", str(tmp_path / "cli.db"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result
