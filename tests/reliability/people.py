"""Fresh users on a running portal, so a test that needs one user per example (or per simulated
client) never shares data between them. They are written into the portal's database in this
process (`write_accounts`): a process start and an argon2 hash per user would cost half a second
each. The running server sees them like any other write."""

from __future__ import annotations

import itertools

from portal.server import storage
from portal.server.demo import psa_prefix
from portal.server.storage import Storage
from tests.support.portal import Account, RunningPortal, write_accounts

PASSWORD = "reliable password"
_serial = itertools.count(1)


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
    """`count` new users of `company` (made by `add_company` first)."""
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
    write_accounts(portal.db, accounts)
    return accounts
