"""Fresh users on a running portal, made through the `msp-portal` CLI as an operator would, so a
test that needs one user per example (or per simulated client) never shares data between them."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

from tests.support.portal import Account, RunningPortal

PASSWORD = "reliable password"
_serial = itertools.count(1)


def add_company(portal: RunningPortal, name: str) -> None:
    portal.cli("add-company", name)


def add_users(
    portal: RunningPortal, company: str, count: int, *, prefix: str = "user", access_level: str = "own"
) -> list[Account]:
    """`count` new users of `company` (which must exist), made concurrently."""
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

    def add(account: Account) -> None:
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

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(add, accounts))
    return accounts
