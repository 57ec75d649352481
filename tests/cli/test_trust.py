"""Issue 10 against the real reference portal, through the real `msp-tickets` process: a profile
of two environment variables, private files whatever the umask, a logout that cleans up but
never drops unsent work, an outbox that works again once its mode is restored, profile names
that round-trip, and a login whose token cannot be kept leaves no valid token behind."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest

from cache.mirror import Mirror
from cache.profile import ProfilePaths
from portal.schema import TicketCreate
from tests.cli.conftest import Cli
from tests.support.portal import Account, RunningPortal, start_portal, token_for
from tui.cli import exit_codes

ADMIN = Account("admin@acme.example", "demo-password", "", "Acme Corp", "company_admin")
COLLEAGUE = Account("jordan@acme.example", "demo-password", "", "Acme Corp", "company")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> RunningPortal:
    running = start_portal(tmp_path_factory.mktemp("trust"), seed_demo=True)
    yield running
    running.stop()


def live_tokens(portal: RunningPortal) -> int:
    with sqlite3.connect(portal.db) as db:
        return db.execute("SELECT count(*) FROM tokens WHERE revoked_at IS NULL").fetchone()[0]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_env_only_every_command_works_and_two_users_never_share_a_mirror(cli: Cli, demo: RunningPortal):
    cli.extra_env["MSP_TICKETS_PORTAL"] = demo.url
    cli.extra_env["MSP_TICKETS_TOKEN"] = token_for(demo, ADMIN)

    listing = cli("list", "--json")
    assert listing.code == exit_codes.OK, listing.err
    ticket_id = listing.json()["tickets"][0]["id"]
    assert cli("sync").code == exit_codes.OK
    assert cli("show", str(ticket_id)).code == exit_codes.OK
    commented = cli("comment", str(ticket_id), "from a headless session")
    assert commented.code == exit_codes.OK, commented.err
    status = cli("status", "--json").json()
    assert status["logged_in"] and status["email"] == ADMIN.email and status["waiting_to_send"] == 0
    assert not (cli.home / "config").exists()  # nothing needed writing a config

    as_colleague = {"MSP_TICKETS_TOKEN": token_for(demo, COLLEAGUE)}
    assert cli("list", "--json", env=as_colleague).code == exit_codes.OK
    assert cli("status", "--json", env=as_colleague).json()["email"] == COLLEAGUE.email
    # One mirror and one outbox per user: the colleague's token never opened the admin's files.
    assert len(list((cli.home / "data").rglob("*.outbox.db"))) == 2
    assert len(list((cli.home / "cache").rglob("*.db"))) == 2


def test_a_revoked_env_token_is_not_logged_in(cli: Cli, demo: RunningPortal):
    cli.extra_env["MSP_TICKETS_PORTAL"] = demo.url
    refused = cli("list", env={"MSP_TICKETS_TOKEN": "not-a-token-the-portal-gave"})
    assert refused.code == exit_codes.NOT_LOGGED_IN and "login" in refused.err


OPEN_AND_LIST_MODES = """
import os, stat, sys
from pathlib import Path
from cache.mirror import Mirror
from tui.paths import profile_paths
paths = profile_paths("umask", "http://127.0.0.1:9", 1, {"HOME": sys.argv[1]})
mirror = Mirror.open(paths)
mirror.drafts.save("new", {"subject": "held open"})
mirror.sync_status()
for path in sorted(Path(sys.argv[1]).rglob("*")):
    print(oct(stat.S_IMODE(path.stat().st_mode)), path)
mirror.close()
"""


def test_every_file_and_folder_is_private_whatever_the_umask(cli: Cli, demo: RunningPortal, tmp_path: Path):
    cli.umask = 0o022
    assert cli.login(demo, ADMIN).code == exit_codes.OK
    assert cli("sync").code == exit_codes.OK
    cache = next((cli.home / "cache").rglob("*-*.db"))
    cache.write_bytes(b"not a database" * 100)  # moved aside at the next open
    assert cli("list", "--no-sync").code == exit_codes.OK
    assert list(cache.parent.glob("*.corrupt-*"))
    created = [path for path in cli.home.rglob("*")]
    assert any(p.name == "config.toml" for p in created) and any(p.suffix == ".token" for p in created)
    assert any(".identity" in p.name for p in created) and any(".corrupt-" in p.name for p in created)
    assert any(p.name.endswith(".sync.lock") for p in created) and any(p.name.endswith(".outbox.db") for p in created)
    for path in created:
        assert mode(path) == (0o700 if path.is_dir() else 0o600), (oct(mode(path)), path)

    # While a mirror is open its -wal and -shm exist: they are private too.
    home = tmp_path / "umask-home"
    shown = subprocess.run(
        [sys.executable, "-c", OPEN_AND_LIST_MODES, str(home)],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=lambda: __import__("os").umask(0o022),
    ).stdout.splitlines()
    assert any(line.endswith(".outbox.db-wal") for line in shown) and any(line.endswith(".db-shm") for line in shown)
    for line in shown:
        octal, path = line.split(" ", 1)
        assert octal == ("0o700" if Path(path).is_dir() else "0o600"), line


def queue_offline(cli: Cli, *subjects: str) -> None:
    """Write to the profile's outbox as the board does while the portal is away: queued, unsent."""
    outbox = next((cli.home / "data").rglob("*.outbox.db"))
    cache = next((cli.home / "cache").rglob("*-*.db"))
    mirror = Mirror.open(ProfilePaths(cache, outbox, cache.with_name(cache.stem + ".sync.lock")))
    try:
        for subject in subjects:
            mirror.outbox.submit_ticket(
                TicketCreate(subject=subject, category="other", priority="low", description="d")
            )
    finally:
        mirror.close()


def test_logout_keeps_unsent_work_unless_told_and_removes_the_profiles_files(cli: Cli, demo: RunningPortal):
    assert cli.login(demo, ADMIN).code == exit_codes.OK
    assert cli("sync").code == exit_codes.OK
    queue_offline(cli, "VPN down", "Printer jam")
    outbox = next((cli.home / "data").rglob("*.outbox.db"))
    mirror = next((cli.home / "cache").rglob("*-*.db"))

    refused = cli("logout")
    assert refused.code == exit_codes.ERROR
    assert "2 items wait to be sent" in refused.err and "--discard-unsent" in refused.err
    assert outbox.exists() and mirror.exists() and cli("status", "--json").json()["logged_in"]

    assert cli("sync").code == exit_codes.OK  # sends both
    mirror.write_bytes(b"corrupt" * 1000)
    assert cli("list", "--no-sync").code == exit_codes.OK
    assert list(mirror.parent.glob("*.corrupt-*"))  # a copy of the tickets that logout must take too
    tokens_before = live_tokens(demo)
    done = cli("logout")
    assert done.code == exit_codes.OK, done.err
    assert live_tokens(demo) == tokens_before - 1
    assert not outbox.exists() and not mirror.exists()
    assert not list((cli.home / "cache").rglob("*.db*")) and not list((cli.home / "data").rglob("*.token"))

    assert cli.login(demo, ADMIN).code == exit_codes.OK
    assert cli("sync").code == exit_codes.OK
    queue_offline(cli, "Lost on purpose")
    discarded = cli("logout", "--discard-unsent")
    assert discarded.code == exit_codes.OK, discarded.err
    assert not list((cli.home / "data").rglob("*.outbox.db")) and not list((cli.home / "data").rglob("*.token"))
    assert "Lost on purpose" not in {t["subject"] for t in server_tickets(demo)}


def server_tickets(portal: RunningPortal) -> list[dict]:
    answer = httpx.get(
        f"{portal.api}/tickets",
        params={"limit": 500, "q": "Lost on purpose"},
        headers={"Authorization": f"Bearer {token_for(portal, ADMIN)}"},
        timeout=30,
    )
    return answer.json()["items"]


def test_a_read_only_outbox_says_what_to_do_and_works_again_once_restored(cli: Cli, demo: RunningPortal):
    assert cli.login(demo, ADMIN).code == exit_codes.OK
    assert cli("sync").code == exit_codes.OK
    outbox = next((cli.home / "data").rglob("*.outbox.db"))
    companions = [Path(f"{outbox}-wal"), Path(f"{outbox}-shm")]
    for path in companions:
        path.touch()
    for path in (outbox, *companions):
        path.chmod(0o444)

    refused = cli("list", "--no-sync")
    assert refused.code == exit_codes.ERROR
    assert "read-only" in refused.err and f"chmod 600 '{outbox}'" in refused.err
    assert "try again in a moment" not in refused.err

    outbox.chmod(0o600)  # what the message said; the -wal and -shm are left 0444
    created = cli(
        "new", "--subject", "After the chmod", "--category", "other", "--priority", "low", "--description", "d"
    )
    assert created.code == exit_codes.OK, created.err
    for path in companions:
        assert not path.exists() or mode(path) == 0o600, path


NAMES = ["home 🏠", 'say "hi" \\ [x.y]', "tab\there\x1b]0;title\x07 and \x9b31m"]


def test_any_profile_name_round_trips_or_is_refused_with_a_sentence(cli: Cli, demo: RunningPortal):
    for name in NAMES:
        assert cli.login(demo, ADMIN, "--profile", name).code == exit_codes.OK, name
        status = cli("status", "--profile", name, "--json")
        assert status.code == exit_codes.OK and status.json()["profile"] == name and status.json()["logged_in"]
        assert "\x1b" not in cli("status", "--profile", name).out  # the name is shown, not obeyed
    config = tomllib.loads((cli.home / "config" / "msp-tickets" / "config.toml").read_text(encoding="utf-8"))
    assert set(config["profiles"]) == set(NAMES)

    # Bytes that are not UTF-8 on the command line arrive as half surrogate pairs.
    refused = cli(
        "login",
        "--profile",
        "bad\udcff",
        "--portal",
        demo.url,
        "--email",
        ADMIN.email,
        "--password-stdin",
        "--insecure-storage",
        input=ADMIN.password + "\n",
    )
    assert refused.code == exit_codes.ERROR and "profile name is not valid text" in refused.err
    assert tomllib.loads((cli.home / "config" / "msp-tickets" / "config.toml").read_text(encoding="utf-8")) == config


def test_a_login_whose_token_cannot_be_kept_is_revoked(cli: Cli, demo: RunningPortal):
    before = live_tokens(demo)
    no_keyring = cli(
        "login", "--portal", demo.url, "--email", ADMIN.email, "--password-stdin", input=ADMIN.password + "\n"
    )
    assert no_keyring.code == exit_codes.ERROR and "--insecure-storage" in no_keyring.err
    assert live_tokens(demo) == before

    credentials = cli.home / "data" / "msp-tickets" / "credentials"
    credentials.parent.mkdir(parents=True)
    credentials.write_text("a file where the token folder should be")
    unkept = cli.login(demo, ADMIN)
    assert unkept.code == exit_codes.ERROR and "could not be stored" in unkept.err and "revoked" in unkept.err
    assert live_tokens(demo) == before and "Traceback" not in unkept.err

    config = cli.home / "config" / "msp-tickets" / "config.toml"
    config.mkdir(parents=True)
    unreadable = cli("list")
    assert (
        unreadable.code == exit_codes.ERROR and "cannot be read" in unreadable.err and "Traceback" not in unreadable.err
    )


def test_files_an_older_version_kept_by_email_are_taken_over_with_their_unsent_work(tmp_path: Path):
    from tui.config import Profile
    from tui.paths import paths_by_email
    from tui.session import Identity, session_paths

    env = {"HOME": str(tmp_path)}
    profile = Profile("work", "https://portal.example", "ann@example.com")
    older = Mirror.open(paths_by_email("work", "https://portal.example", "Ann@Example.com", env))
    older.outbox.submit_ticket(
        TicketCreate(subject="Written offline", category="other", priority="low", description="d")
    )
    older.close()

    paths = session_paths(profile, Identity(42, "ann@example.com"), env)
    mirror = Mirror.open(paths)
    try:
        assert mirror.sync_status().waiting_to_send == 1
    finally:
        mirror.close()
    assert not paths_by_email("work", "https://portal.example", "ann@example.com", env).outbox_db.exists()


def test_logout_after_the_token_was_revoked_still_removes_the_mirror(cli: Cli, demo: RunningPortal):
    assert cli.login(demo, ADMIN).code == exit_codes.OK
    assert cli("sync").code == exit_codes.OK
    token = next((cli.home / "data").rglob("*.token")).read_text().strip()
    httpx.delete(f"{demo.api}/auth/token", headers={"Authorization": f"Bearer {token}"}, timeout=30).raise_for_status()
    done = cli("logout")
    assert done.code == exit_codes.OK, done.err
    assert not list((cli.home / "cache").rglob("*.db*")) and not list((cli.home / "data").rglob("*.outbox.db"))
