"""Fresh users on a running portal, so a test that needs one user per example (or per simulated
client) never shares data between them.

They are written into the portal's database in this process, with the portal's own storage
functions (as `msp-portal add-company` / `add-user` write them), and one argon2 hash of their
shared password for the whole session: a process start and a hash per user would cost half a
second each. The running server sees them like any other write; `msp-portal` itself is tested
in tests/portal/test_demo_and_cli.py."""

from __future__ import annotations

import functools
import itertools

from portal.schema import AccessLevel
from portal.server import storage
from portal.server.auth import hash_password
from portal.server.demo import psa_prefix
from portal.server.storage import Storage
from tests.support.portal import Account, RunningPortal

PASSWORD = "reliable password"
_serial = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def add_company(portal: RunningPortal, name: str) -> None:
    db = Storage(portal.db)
    try:
        with db.write() as conn:
            storage.add_company(conn, name, psa_prefix(name))
    finally:
        db.close()


def add_users(
    portal: RunningPortal, company: str, count: int, *, prefix: str = "user", access_level: str = "own"
) -> list[Account]:
    """`count` new users of `company` (which must exist)."""
    accounts = [
        Account(
            email=f"{prefix}{next(_serial)}@{company.split()[0].lower()}.example",
            password=PASSWORD,
            name=f"{prefix.capitalize()} {n}",
            company=company,
            access_level=access_level,
        )
        for n in range(count)
    ]
    db = Storage(portal.db)
    try:
        with db.write() as conn:
            company_id = storage.company_id_by_name(conn, company)
            assert company_id is not None, f"no company {company!r} on the portal"
            for account in accounts:
                storage.add_user(
                    conn,
                    company_id=company_id,
                    email=account.email,
                    name=account.name,
                    access_level=AccessLevel(account.access_level),
                    password_hash=_password_hash(),
                )
    finally:
        db.close()
    return accounts
