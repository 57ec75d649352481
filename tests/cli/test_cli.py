"""`msp-tickets` commands against the reference portal on loopback: in this process through
`main(argv)`, and as the real process where the process is what is tested (what it writes to
disk, everything it prints at -vv)."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import Cli
from tests.support.portal import Account, RunningPortal, start_portal, token_for
from tui.cli import exit_codes

DEMO_ADMIN = Account("admin@acme.example", "demo-password", "", "Acme Corp", "company_admin")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> RunningPortal:
    running = start_portal(tmp_path_factory.mktemp("demo"), seed_demo=True)
    yield running
    running.stop()


def server_tickets(portal: RunningPortal, account: Account, **params) -> list[dict]:
    token = token_for(portal, account)
    headers = {"Authorization": f"Bearer {token}"}
    items, cursor = [], None
    while True:
        page = httpx.get(
            f"{portal.api}/tickets",
            params={**params, "limit": 500, **({"cursor": cursor} if cursor else {})},
            headers=headers,
            timeout=30,
        ).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def test_login_list_show_status_text_and_json(cli: Cli, demo: RunningPortal):
    login = cli.login(demo, DEMO_ADMIN)
    assert login.code == exit_codes.OK, login.err
    assert "Logged in" in login.err and "Acme Corp" in login.err

    listing = cli("list", "--json")
    assert listing.code == exit_codes.OK, listing.err
    ids = {t["id"] for t in listing.json()["tickets"]}
    assert ids == {t["id"] for t in server_tickets(demo, DEMO_ADMIN)}
    assert listing.json()["stale"] is False

    waiting = cli("list", "--status", "waiting_on_client", "--no-sync", "--json").json()["tickets"]
    assert waiting and {t["status"] for t in waiting} == {"waiting_on_client"}
    assert {t["id"] for t in waiting} == {t["id"] for t in server_tickets(demo, DEMO_ADMIN, status="waiting_on_client")}

    text = cli("list", "--no-sync", "--priority", "critical")
    assert text.code == 0 and text.out.splitlines()[0].split()[:4] == ["ID", "STATUS", "PRIORITY", "CATEGORY"]
    assert all("Critical" in line for line in text.out.splitlines()[1:])

    some_id = waiting[0]["id"]
    shown = cli("show", str(some_id), "--json")
    assert shown.code == 0 and shown.json()["id"] == some_id and shown.json()["timeline"]
    shown_text = cli("show", str(some_id))
    assert shown_text.out.splitlines()[0].split() == ["Ticket", str(some_id)]
    assert "Timeline:" in shown_text.out

    status = cli("status", "--json").json()
    assert status["logged_in"] and status["last_synced_at"] and status["waiting_to_send"] == 0
    assert Path(status["mirror"]).is_file()  # the file the README shows how to look into
    status_text = cli("status").out
    assert "Last sync" in status_text and f"Mirror: {status['mirror']}" in status_text


def test_new_comment_and_sync(cli: Cli, demo: RunningPortal):
    assert cli.login(demo, DEMO_ADMIN).code == 0
    created = cli(
        "new",
        "--subject",
        "Printer on floor 2 jams",
        "--category",
        "hardware",
        "--priority",
        "low",
        "--json",
        input="It jams on every second page.\n",
    )
    assert created.code == exit_codes.OK, created.err
    ticket = created.json()["ticket"]
    assert ticket["id"] > 0 and ticket["pending"] is False and created.json()["queued"] is False
    assert ticket["description"] == "It jams on every second page."

    commented = cli("comment", str(ticket["id"]), "Also on floor 3", "--json")
    assert commented.code == 0, commented.err
    bodies = [e["body"] for e in commented.json()["ticket"]["timeline"] if e["kind"] == "comment"]
    assert bodies == ["Also on floor 3"]

    on_server = [t for t in server_tickets(demo, DEMO_ADMIN) if t["subject"] == "Printer on floor 2 jams"]
    assert len(on_server) == 1

    synced = cli("sync", "--json")
    assert synced.code == 0 and set(synced.json()) == {"pulled", "pushed", "changes", "needs_attention", "rebuilt"}


def test_confirm_reopen_and_rate(cli: Cli, demo: RunningPortal):
    assert cli.login(demo, DEMO_ADMIN).code == 0
    resolved = [t["id"] for t in server_tickets(demo, DEMO_ADMIN, status="resolved")]
    assert len(resolved) >= 2

    confirmed = cli("confirm", str(resolved[0]), "--json")
    assert confirmed.code == 0, confirmed.err
    assert confirmed.json()["ticket"]["status"] == "closed"

    reopened = cli("reopen", str(resolved[1]))
    assert reopened.code == 0, reopened.err
    assert "Open" in reopened.out

    rated = cli("rate", str(resolved[0]), "5", "--comment", "Quick and friendly", "--json")
    assert rated.code == 0, rated.err
    assert (rated.json()["ticket"]["rating"], rated.json()["ticket"]["rating_comment"]) == (5, "Quick and friendly")

    again = cli("confirm", str(resolved[0]))
    assert again.code == exit_codes.USAGE and "is Closed; only a Resolved ticket" in again.err


def test_exit_codes(cli: Cli, demo: RunningPortal, tmp_path: Path):
    wrong = cli(
        "login",
        "--portal",
        demo.url,
        "--email",
        DEMO_ADMIN.email,
        "--password-stdin",
        "--insecure-storage",
        input="nope\n",
    )
    assert wrong.code == exit_codes.NOT_LOGGED_IN and wrong.err.strip()
    assert cli("list").code == exit_codes.NOT_LOGGED_IN

    assert cli.login(demo, DEMO_ADMIN).code == 0
    missing = cli("show", "999999")
    assert missing.code == exit_codes.NOT_FOUND and "999999" in missing.err

    assert cli("list", "--status", "urgent").code == exit_codes.USAGE
    assert cli("rate", "1", "6").code == exit_codes.USAGE
    assert cli("--no-such-flag").code == exit_codes.USAGE
    too_long = cli("new", "--subject", "x" * 501, "--category", "general", "--priority", "low", "--description", "d")
    assert too_long.code == exit_codes.USAGE and "subject" in too_long.err and "500" in too_long.err
    blank = cli("new", "--subject", "s", "--category", "general", "--priority", "low", input="   \n")
    assert blank.code == exit_codes.USAGE and "description" in blank.err


def test_portal_down_queues_the_write_and_the_next_sync_sends_it_once(cli: Cli, tmp_path: Path):
    portal = start_portal(tmp_path, seed_demo=True)
    try:
        assert cli.login(portal, DEMO_ADMIN).code == 0
        assert cli("sync").code == 0
        portal.stop()
        queued = cli(
            "new",
            "--subject",
            "VPN drops at noon",
            "--category",
            "network",
            "--priority",
            "high",
            "--description",
            "Every day at 12:00",
            "--json",
        )
        assert queued.code == exit_codes.UNREACHABLE, queued.err
        assert queued.json()["queued"] is True and queued.json()["ticket"]["pending"] is True
        assert cli("status", "--json").json()["waiting_to_send"] == 1

        offline_list = cli("list", "--json")
        assert offline_list.code == 0 and "warning" in offline_list.err
        assert offline_list.json()["stale"] is True
        assert any(t["pending"] and t["subject"] == "VPN drops at noon" for t in offline_list.json()["tickets"])

        portal.start()
        assert cli("sync").code == 0
        assert cli("sync").code == 0
        matches = [t for t in server_tickets(portal, DEMO_ADMIN) if t["subject"] == "VPN drops at noon"]
        assert len(matches) == 1
        assert cli("status", "--json").json()["waiting_to_send"] == 0
    finally:
        portal.stop()


def test_files_stay_under_xdg_and_token_file_is_private(cli_process: Cli, demo: RunningPortal):
    cli = cli_process
    assert cli.login(demo, DEMO_ADMIN).code == 0
    assert cli("list").code == 0
    for path in cli.written_files():
        relative = path.relative_to(cli.home)
        assert relative.parts[0] in {"config", "cache", "data", "state"}, relative
    token_files = list((cli.home / "data").rglob("*.token"))
    assert len(token_files) == 1
    assert stat.S_IMODE(token_files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(token_files[0].parent.stat().st_mode) == 0o700

    token_files[0].chmod(0o644)
    refused = cli("list")
    assert refused.code == exit_codes.ERROR and "chmod" in refused.err


def test_no_keyring_login_names_both_ways_and_writes_nothing(cli: Cli, demo: RunningPortal):
    result = cli(
        "login", "--portal", demo.url, "--email", DEMO_ADMIN.email, "--password-stdin", input=DEMO_ADMIN.password + "\n"
    )
    assert result.code == exit_codes.ERROR
    assert "MSP_TICKETS_TOKEN" in result.err and "--insecure-storage" in result.err
    assert not list(cli.home.rglob("*.token"))

    token = token_for(demo, DEMO_ADMIN)
    cli.extra_env["MSP_TICKETS_TOKEN"] = token
    cli.extra_env["MSP_TICKETS_PORTAL"] = demo.url
    # With the token in the environment, a profile needs only its email.
    config = cli.home / "config" / "msp-tickets" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[profiles.default]\nemail = "{DEMO_ADMIN.email}"\n')
    assert cli("list", "--json").code == 0


def test_token_never_shows_anywhere(cli_process: Cli, demo: RunningPortal):
    cli = cli_process
    assert cli.login(demo, DEMO_ADMIN, "-vv").code == 0
    token = next((cli.home / "data").rglob("*.token")).read_text().strip()
    runs = [cli("-vv", "list"), cli("-vv", "sync", "--json"), cli("-vv", "status", "--json"), cli("-vv", "show", "1")]
    demo.stop()
    try:
        runs.append(cli("-vv", "comment", "1", "while the portal is away"))
    finally:
        demo.start()
    for run in runs:
        assert token not in run.out and token not in run.err
    for path in cli.written_files():
        if path.suffix != ".token":
            assert token.encode() not in path.read_bytes(), path


def test_plain_http_only_to_loopback(cli: Cli, demo: RunningPortal):
    refused = cli("login", "--portal", "http://example.com", "--email", "a@b.c", "--password-stdin", input="x\n")
    assert refused.code == exit_codes.USAGE and "https://" in refused.err
    assert cli.login(demo, DEMO_ADMIN).code == 0  # http://127.0.0.1:PORT


def test_two_profiles_never_mix(cli: Cli, tmp_path: Path, demo: RunningPortal):
    other = start_portal(tmp_path)
    try:
        other.cli("add-company", "Zeta Inc")
        zed = Account("zed@zeta.example", "zeta-password", "Zed", "Zeta Inc", "company_admin")
        other.cli(
            "add-user",
            "--company",
            "Zeta Inc",
            "--email",
            zed.email,
            "--name",
            "Zed",
            "--access-level",
            "company_admin",
            "--password-stdin",
            input=zed.password + "\n",
        )
        assert cli.login(demo, DEMO_ADMIN, "--profile", "acme").code == 0
        assert cli.login(other, zed, "--profile", "zeta").code == 0
        made = cli(
            "--profile",
            "zeta",
            "new",
            "--subject",
            "Zeta only",
            "--category",
            "other",
            "--priority",
            "low",
            "--description",
            "z",
        )
        assert made.code == 0, made.err
        acme = cli("list", "--profile", "acme", "--json").json()["tickets"]
        zeta = cli("list", "--json", env={"MSP_TICKETS_PROFILE": "zeta"}).json()["tickets"]
        assert [t["subject"] for t in zeta] == ["Zeta only"]
        assert "Zeta only" not in {t["subject"] for t in acme} and len(acme) > 1
    finally:
        other.stop()


def test_unreadable_outbox_is_reported_and_left_alone(cli: Cli, demo: RunningPortal):
    assert cli.login(demo, DEMO_ADMIN).code == 0
    assert cli("sync").code == 0
    outbox = next((cli.home / "data").rglob("*.outbox.db"))
    for suffix in ("-wal", "-shm"):
        outbox.with_name(outbox.name + suffix).unlink(missing_ok=True)
    damaged = b"this is not a database" * 100
    outbox.write_bytes(damaged)
    result = cli("list", "--no-sync")
    assert result.code == exit_codes.ERROR
    assert str(outbox) in result.err and "Traceback" not in result.err
    assert outbox.read_bytes() == damaged


def test_a_portal_address_with_a_password_is_refused_without_echoing_it(cli: Cli, demo: RunningPortal):
    secret_url = demo.url.replace("http://", "http://ann:hunter2@")
    refused = cli("login", "--portal", secret_url, "--email", "a@b.c", "--password-stdin", input="x\n")
    assert refused.code == exit_codes.USAGE and "hunter2" not in refused.err + refused.out
    from_env = cli("list", env={"MSP_TICKETS_PORTAL": "ftp://nowhere"})
    assert from_env.code == exit_codes.ERROR and "Traceback" not in from_env.err and "https://" in from_env.err


def test_a_token_of_another_user_never_syncs_this_profile(cli: Cli, demo: RunningPortal):
    assert cli.login(demo, DEMO_ADMIN).code == 0
    assert cli("sync").code == 0
    ticket_id = server_tickets(demo, DEMO_ADMIN)[0]["id"]
    colleague = Account("jordan@acme.example", "demo-password", "", "Acme Corp", "company")
    queued = cli("comment", str(ticket_id), "for the admin only", env={"MSP_TICKETS_TOKEN": token_for(demo, colleague)})
    assert queued.code == exit_codes.NOT_LOGGED_IN and "jordan@acme.example" in queued.err
    admin = {"Authorization": f"Bearer {token_for(demo, DEMO_ADMIN)}"}
    timeline = httpx.get(f"{demo.api}/tickets/{ticket_id}", headers=admin, timeout=30).json()["timeline"]
    assert "for the admin only" not in [event["body"] for event in timeline]
