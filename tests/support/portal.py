"""The reference portal, run for real: a uvicorn subprocess on 127.0.0.1 over a temp database.

Every end-to-end test talks HTTP to one of these. `make_world` sets up the two companies and
six users that the isolation tests need (`add_world` adds the same again, renamed, to a portal
that already has others); `seed_demo` gives a portal the demo companies of `msp-portal
seed-demo`. Each is made once per test session and its rows copied into every portal that asks
for it.
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import itertools
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from portal.client import tls_context
from portal.schema import API_PREFIX, AccessLevel
from portal.server import storage
from portal.server.auth import hash_password
from portal.server.demo import psa_prefix
from portal.server.storage import Storage

_LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:(\d+))")
_START_TIMEOUT_SECONDS = 30.0


@dataclass
class Account:
    email: str
    password: str
    name: str
    company: str
    access_level: str


class RunningPortal:
    def __init__(
        self,
        db: Path,
        log: Path,
        *,
        psa_interval: float,
        rate_limit: int,
        rate_limit_scope: str = "company",
        rate_limit_window: float = 60.0,
        sign_in_rate_limit: int = 100_000,
        sign_in_workers: int | None = None,
        port: int = 0,
        log_level: str = "warning",
    ) -> None:
        self.db = db
        self.log = log
        self.url = ""
        self._port = port
        self._psa_interval = psa_interval
        self._rate_limit = rate_limit
        self._rate_limit_scope = rate_limit_scope
        self._rate_limit_window = rate_limit_window
        self._sign_in_rate_limit = sign_in_rate_limit
        self._sign_in_workers = sign_in_workers
        self._log_level = log_level
        self._process: subprocess.Popen | None = None

    @property
    def api(self) -> str:
        return self.url + API_PREFIX

    @property
    def pid(self) -> int | None:
        """The serving process's id while it runs (for benchmarks that read its memory)."""
        return self._process.pid if self._process is not None else None

    def cli(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        """`msp-portal --db DB ARGS...`; raises CalledProcessError (with stderr) on failure."""
        return subprocess.run(
            [sys.executable, "-m", "portal.server.cli", "--db", str(self.db), *args],
            input=input,
            capture_output=True,
            text=True,
            check=True,
        )

    def psa_sync_now(self) -> None:
        self.cli("psa-sync-now")

    def start(self) -> None:
        """Start (or restart) the server, on the same port as before if it had one."""
        if self._process is not None and self._process.poll() is None:
            return
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "portal.server.cli",
                    "--db",
                    str(self.db),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self._port),
                    "--psa-interval",
                    str(self._psa_interval),
                    "--rate-limit",
                    str(self._rate_limit),
                    "--rate-limit-scope",
                    self._rate_limit_scope,
                    "--rate-limit-window",
                    str(self._rate_limit_window),
                    "--sign-in-rate-limit",
                    str(self._sign_in_rate_limit),
                    *(["--sign-in-workers", str(self._sign_in_workers)] if self._sign_in_workers else []),
                    "--log-level",
                    self._log_level,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        self.url = self._wait_until_listening(offset)
        self._port = int(self.url.rsplit(":", 1)[1])

    def _wait_until_listening(self, offset: int) -> str:
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            found = _LISTENING.search(self.log.read_bytes()[offset:].decode(errors="replace"))
            if found:
                return found.group(1)
            if self._process.poll() is not None:
                raise RuntimeError(f"the portal exited at start:\n{self.log.read_text()}")
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the portal did not start in time:\n{self.log.read_text()}")

    def backup(self, to: Path) -> Path:
        """A copy of the live database, as an operator's backup (SQLite's online backup)."""
        source, target = sqlite3.connect(self.db), sqlite3.connect(to)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return to

    def restore(self, backup: Path) -> None:
        """Stop, put the backup in place of the database, start again on the same port."""
        self.stop()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(backup, self.db)
        self.start()

    def stop(self) -> None:
        """Terminate the server: the portal goes down (the database stays)."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None


def start_portal(
    tmp_path: Path,
    *,
    psa_interval: float = 3600,
    rate_limit: int = 100_000,
    rate_limit_scope: str = "company",
    rate_limit_window: float = 60.0,
    sign_in_rate_limit: int = 100_000,
    sign_in_workers: int | None = None,
    seed_demo: bool = False,
    log_level: str = "warning",
    port: int = 0,
) -> RunningPortal:
    # A folder of its own, so one test can run several portals.
    folder = Path(tempfile.mkdtemp(prefix="portal-", dir=tmp_path))
    portal = RunningPortal(
        folder / "portal.db",
        folder / "server.log",
        psa_interval=psa_interval,
        rate_limit=rate_limit,
        rate_limit_scope=rate_limit_scope,
        rate_limit_window=rate_limit_window,
        sign_in_rate_limit=sign_in_rate_limit,
        sign_in_workers=sign_in_workers,
        port=port,
        log_level=log_level,
    )
    if seed_demo:
        _load_rows(_demo_template(), portal.db)
    portal.start()
    return portal


@dataclass
class World:
    portal: RunningPortal
    accounts: dict[str, Account]


WORLD_PASSWORD = "correct horse battery"
_COMPANIES = {"a": "Alpha Ltd", "b": "Beta Ltd"}
_LEVELS = {"own": "own", "company": "company", "admin": "company_admin"}


def make_world(portal: RunningPortal) -> World:
    """Alpha Ltd and Beta Ltd, each with an own, a company and a company_admin user:
    keys a_own, a_company, a_admin, b_own, b_company, b_admin.

    The world is made once per test session (see `write_accounts`) and then copied into each
    portal's (empty) database with SQLite's online backup, which the running server sees like
    any other write: argon2 hashing per user and per test would cost seconds each time."""
    _load_rows(_world_template(), portal.db)
    return World(portal, dict(_ACCOUNTS))


def _load_rows(template: Path, db: Path) -> None:
    """The template's rows loaded into the portal database `db` (made if it is not there yet),
    which stays itself: a copy of the whole file would make it the template's twin (its
    identity) and forget its serving runs."""
    source = sqlite3.connect(template)
    target = sqlite3.connect(db)
    try:
        own = _identity_rows(target)
        source.backup(target)
        with target:
            target.execute("DELETE FROM runs")
            target.executemany("INSERT INTO runs VALUES (?, ?, ?)", own["runs"])
            target.execute("UPDATE state SET value = ? WHERE key = 'portal_id'", (own["portal_id"],))
    finally:
        source.close()
        target.close()


def _identity_rows(db: sqlite3.Connection) -> dict:
    """A portal's identity and run history; a fresh identity for a database not made yet."""
    try:
        runs = db.execute("SELECT id, mark, started_seq FROM runs").fetchall()
        portal_id = db.execute("SELECT value FROM state WHERE key = 'portal_id'").fetchone()[0]
    except sqlite3.OperationalError:  # no tables: the portal has not opened it
        runs, portal_id = [], secrets.token_hex(16)
    return {"runs": runs, "portal_id": portal_id}


_ACCOUNTS = {
    f"{letter}_{role}": Account(
        email=f"{role}@{letter}.example",
        password=WORLD_PASSWORD,
        name=f"{company.split()[0]} {role.capitalize()}",
        company=company,
        access_level=level,
    )
    for letter, company in _COMPANIES.items()
    for role, level in _LEVELS.items()
}


_worlds = itertools.count(1)


def add_world(portal: RunningPortal) -> World:
    """The world of `make_world` once more, as new companies and users on a portal that may
    hold others: "Alpha Ltd 3", "Beta Ltd 3", own@a3.example and so on, the same names, levels
    and password. For a test that needs accounts of its own, not a portal of its own.

    Written into the portal's database in this process (see `write_accounts`): the running server
    sees them like any other write."""
    number = next(_worlds)
    accounts = {
        key: replace(
            account,
            email=account.email.replace("@a.", f"@a{number}.").replace("@b.", f"@b{number}."),
            company=f"{account.company} {number}",
        )
        for key, account in _ACCOUNTS.items()
    }
    write_accounts(portal.db, accounts.values())
    return World(portal, accounts)


def write_accounts(db_path: Path, accounts: Iterable[Account]) -> None:
    """The accounts, and their companies where new, written into a portal database with the
    portal's own storage functions (what `msp-portal add-company` and `add-user` do; the
    commands themselves are tested in tests/portal/test_demo_and_cli.py), with one argon2 hash
    of each password per session."""
    db = Storage(db_path)
    try:
        with db.write() as conn:
            for account in accounts:
                company_id = storage.company_id_by_name(conn, account.company)
                if company_id is None:
                    company_id = storage.add_company(conn, account.company, psa_prefix(account.company))
                storage.add_user(
                    conn,
                    company_id=company_id,
                    email=account.email,
                    name=account.name,
                    access_level=AccessLevel(account.access_level),
                    password_hash=_password_hash(account.password),
                )
    finally:
        db.close()


@functools.cache
def _password_hash(password: str) -> str:
    return hash_password(password)


@functools.cache
def _world_template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="msp-world-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # `make test` leaves nothing in /tmp
    write_accounts(folder / "world.db", _ACCOUNTS.values())
    return folder / "world.db"


@functools.cache
def _demo_template() -> Path:
    """The demo companies, seeded once per test session by `msp-portal seed-demo` (a process
    start and 200 tickets' worth of writes) and copied into each portal that asks for them."""
    folder = Path(tempfile.mkdtemp(prefix="msp-demo-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    RunningPortal(folder / "demo.db", folder / "unused.log", psa_interval=0, rate_limit=0).cli("seed-demo")
    return folder / "demo.db"


def add_user(portal: RunningPortal, account: Account) -> None:
    portal.cli(
        "add-user",
        "--company",
        account.company,
        "--email",
        account.email,
        "--name",
        account.name,
        "--access-level",
        account.access_level,
        "--password-stdin",
        input=account.password + "\n",
    )


def token_for(portal: RunningPortal, account: Account) -> str:
    response = httpx.post(
        f"{portal.api}/auth/token",
        json={"email": account.email, "password": account.password},
        timeout=30,
        verify=tls_context(),
    )
    response.raise_for_status()
    return response.json()["token"]


def add_namesake(portal: RunningPortal, account: Account) -> Account:
    """Another user of the account's company with the account's very name (names are not
    unique), added as an operator would."""
    namesake = dataclasses.replace(account, email=f"namesake-{account.email}", access_level="company")
    add_user(portal, namesake)
    return namesake


def comment_as(portal: RunningPortal, account: Account, ticket_id: int, body: str) -> int:
    """A comment written by `account` on the portal (its web page, say); its event id."""
    response = httpx.post(
        f"{portal.api}/tickets/{ticket_id}/comments",
        json={"body": body},
        headers={"Authorization": f"Bearer {token_for(portal, account)}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["id"]


_held_tokens: dict[tuple[Path, str], str] = {}


def held_token(portal: RunningPortal, account: Account) -> str:
    """A token of `account` on `portal` for a test whose subject is not the sign-in: the one this
    test process already holds while the portal still takes it (GET /me says so), else a new
    one. Each sign-in is an argon2 verification, 0.15 s of CPU that the portal runs at a lower
    priority than the rest, so seconds on a busy machine; a test that revokes its token (or a
    restored portal that never knew it) makes the next one sign in again."""
    key = (portal.db, account.email)
    token = _held_tokens.get(key)
    if token is not None:
        me = httpx.get(
            f"{portal.api}/me", headers={"Authorization": f"Bearer {token}"}, timeout=30, verify=tls_context()
        )
        if me.status_code == 200:
            return token
    _held_tokens[key] = token = token_for(portal, account)
    return token
